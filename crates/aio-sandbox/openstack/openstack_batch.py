"""Runs several `openstack` commands in one interpreter (the client's
start costs seconds): reads a JSON list of argument lists on stdin, writes
a JSON list of {"code", "stdout", "stderr"}, stopping at the first failure."""
import contextlib
import io
import json
import sys

from openstackclient import shell


def main():
    commands = json.load(sys.stdin)
    results = []
    for argv in commands:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = shell.main(argv)
            except SystemExit as e:
                code = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
        results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
        if code:
            break
    json.dump(results, sys.__stdout__)


if __name__ == "__main__":
    main()

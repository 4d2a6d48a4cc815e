# Copyright: aio contributors
# Apache License 2.0
"""A stdout callback for cargo xtask vm: the whole run as one JSON document.

The layout is ansible.posix.json's (``plays[].tasks[].hosts.HOST`` holds each
host's result, ``stats.HOST`` its recap), which ansible-core alone lacks.
"""

from __future__ import annotations

DOCUMENTATION = '''
    name: aio_vm_json
    type: stdout
    short_description: The run as one JSON document (ansible.posix.json's layout)
    description:
      - For aio's VM proofs, offline, without the ansible.posix collection.
'''

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'aio_vm_json'

    def __init__(self, display=None):
        super().__init__(display)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append({'task': {'name': task.get_name()}, 'hosts': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, **extra):
        host = result._host.get_name()
        res = dict(result._result)
        self._clean_results(res, 'n/a')
        res.update(extra)
        self.plays[-1]['tasks'][-1]['hosts'][host] = res

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        summary = {h: stats.summarize(h) for h in sorted(stats.processed)}
        self._display.display(json.dumps({'plays': self.plays, 'stats': summary},
                                         indent=2, sort_keys=True, default=str))

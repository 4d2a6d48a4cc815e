#!/usr/bin/python
# Copyright: aio contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: topology
short_description: Converge a host's plumbing to an aio topology.toml
version_added: 0.1.0
description:
  - Runs C(aio plan --json --out PLAN) on the target against the topology,
    then C(aio apply PLAN --yes --json), which carries out exactly the plan
    that was shown or refuses if the system changed in between. Nothing the
    plan did not show is ever applied.
  - In check mode it stops after the plan. With C(--diff) every change of
    the plan is shown as one diff, headed by the resource id (for example
    C(link/veth-ovs)), with what aio observed before and what the topology
    wants after.
  - The task is C(changed) only when the plan had changes, so a second run
    reports C(changed=false).
  - With I(state=absent) it plans with C(aio plan --destroy --json), which
    lists everything aio created for the topology (and nothing else); in
    check mode it stops there, otherwise it runs C(aio destroy --yes).
  - aio's errors are returned as aio printed them, located as
    C(FILE:LINE:COL) in the topology (C(content) stands for the file when
    I(content) was given).
author:
  - aio contributors (!UNKNOWN)
options:
  src:
    description:
      - Path of the topology file on the target.
      - Exactly one of I(src) and I(content) is required.
    type: path
  content:
    description:
      - The topology as text (for example templated from host_vars). It is
        written to a private temporary file on the target, removed after
        the run.
      - Relative paths in the topology are then relative to that temporary
        directory; use absolute paths, or I(src).
      - The text may hold secrets (Kolla's passwords), so it is never
        logged, not even under C(-vvv), and the file is mode 0600. aio
        masks secrets in the plan, the diff and its errors itself.
    type: str
  state:
    description:
      - C(present) makes the host match the topology; C(absent) deletes
        everything aio created for it (never Kolla's containers or data,
        never what aio did not create).
    type: str
    choices: [present, absent]
    default: present
  netns:
    description:
      - Work inside network namespace C(/run/netns/NETNS) (C(aio --netns)),
        for rehearsals. Leave it out to work on the host.
    type: str
  state_dir:
    description:
      - Where aio records what it created (C(aio --state-dir)). aio's
        default is C(/var/lib/aio), or C(/var/lib/aio/netns/NETNS) with
        I(netns).
    type: path
  binary:
    description:
      - The aio program on the target, a path or a name looked up on C(PATH).
    type: str
    default: aio
  rerun:
    description:
      - Kolla actions to run again though aio recorded them as done for the
        current inputs (C(aio apply --rerun ACTION)), for example C(deploy).
      - A rerun cannot be a saved plan, so with I(rerun) the apply plans
        again itself, and the task is always C(changed). In check mode the
        plan is shown and nothing runs.
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Seconds each aio command may run before it is stopped (SIGTERM; an
        interrupted apply is converged by the next run). No limit when
        left out.
    type: int
notes:
  - Supports check mode and diff mode.
  - aio needs root (it changes network interfaces); use C(become) where the
    connection user is not root.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The plan is made and returned; nothing is applied.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: One before/after pair per planned change, headed by the resource id.
"""

EXAMPLES = r"""
- name: Converge the host's plumbing
  aio.host.topology:
    src: /etc/aio/topology.toml

- name: Rehearse in a network namespace, topology from a template
  aio.host.topology:
    content: "{{ lookup('template', 'topology.toml.j2') }}"
    netns: rehearsal
    state_dir: /tmp/aio-rehearsal

- name: Preview only (same as running the play with --check --diff)
  aio.host.topology:
    src: /etc/aio/topology.toml
  check_mode: true
  diff: true
  register: preview

- name: Run Kolla's deploy again
  aio.host.topology:
    src: /etc/aio/topology.toml
    rerun: [deploy]
    timeout: 7200

- name: Remove everything aio made
  aio.host.topology:
    src: /etc/aio/topology.toml
    state: absent
"""

RETURN = r"""
plan:
  description:
    - "The plan as aio printed it with C(--json) (C(docs/plan.schema.json) of
      aio): C(format_version), C(facts), C(changes) (each with C(id),
      C(provider), C(action), C(before), C(after), C(detail), C(deps)),
      C(waiting), C(unavailable), C(summary), and C(conflicts) when any
      stand (the module then fails: aio exits 2 with each conflict located
      in the topology). A C(detail) is null, a string, or a list of C(kind)
      and C(text), one per line."
  returned: always
  type: dict
  sample:
    format_version: 3
    facts: {uplink: eth0, uplink_address: 192.0.2.10}
    changes:
      - id: link/veth-ovs
        provider: netlink
        action: create
        before: null
        after: {kind: veth, peer: veth-br, state: up}
        detail: null
        deps: []
    waiting: []
    unavailable: []
    summary: {create: 1, change: 0, delete: 0, waiting: 0, unavailable: 0}
applied:
  description: How many changes aio applied (0 in check mode or when converged).
  returned: always
  type: int
  sample: 5
waiting:
  description:
    - "The changes that wait for another resource (a port on a bridge Kolla
      has not made yet), by id, as planned. Not an error: a later run picks
      them up."
  returned: always
  type: list
  elements: str
  sample: [ovs-port/br-ex/v-lbaas-vlan]
converged:
  description: Whether the host matches the topology after the run (nothing waiting).
  returned: always
  type: bool
  sample: true
diff:
  description: One C(before)/C(after) pair per change, headed by the resource id.
  returned: when diff mode is on
  type: list
  elements: dict
msg:
  description: What was planned or done, in words.
  returned: always
  type: str
  sample: "applied: 1 to create, 0 to change, 0 to delete (link/veth-ovs)"
"""

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.aio.host.plugins.module_utils.aio import (
    diff_of,
    json_documents,
    is_plan,
    plan_and_result,
    summary_msg,
)


class Aio(object):
    """Runs aio on the target, failing the module with aio's own words."""

    def __init__(self, module, topology, shown_as):
        self.module = module
        self.topology = topology
        self.shown_as = shown_as
        binary = module.params['binary']
        if '/' in binary:
            if not os.access(binary, os.X_OK):
                module.fail_json(msg='%s: no such executable' % binary)
            self.binary = binary
        else:
            self.binary = module.get_bin_path(binary, required=True)
        self.prefix = []
        if module.params['timeout']:
            timeout = module.get_bin_path('timeout', required=True)
            self.prefix = [timeout, str(module.params['timeout'])]

    def target(self):
        """``-f FILE [--netns NS] [--state-dir DIR]``."""
        args = ['-f', self.topology]
        if self.module.params['netns']:
            args += ['--netns', self.module.params['netns']]
        if self.module.params['state_dir']:
            args += ['--state-dir', self.module.params['state_dir']]
        return args

    def run(self, args, **result):
        cmd = self.prefix + [self.binary, '--color', 'never'] + args
        rc, out, err = self.module.run_command(cmd, environ_update={'NO_COLOR': '1'})
        if rc != 0:
            text = (err or out or '').strip()
            if self.shown_as:
                text = text.replace(self.topology, self.shown_as)
            if self.prefix and rc == 124:
                text = 'aio did not finish within %s s: %s' % (self.module.params['timeout'], text)
            self.module.fail_json(msg=text or 'aio exited %d' % rc, rc=rc, cmd=cmd,
                                  stdout=out, stderr=err, **result)
        return out

    def plan(self, args):
        out = self.run(['plan', '--json'] + args + self.target())
        plans = [d for d in json_documents(out) if is_plan(d)]
        if not plans:
            self.module.fail_json(msg='aio plan printed no plan', stdout=out)
        return plans[-1]


def finish(module, aio_plan, changed, applied, converged, verb):
    result = dict(
        changed=changed,
        plan=aio_plan,
        applied=applied,
        waiting=[w.get('id') for w in aio_plan.get('waiting', [])],
        converged=converged,
        msg=summary_msg(aio_plan, verb),
    )
    if module._diff:
        result['diff'] = diff_of(aio_plan)
    module.exit_json(**result)


def present(module, aio, workdir):
    rerun = module.params['rerun']
    if rerun:
        aio_plan = aio.plan([])
        if module.check_mode:
            finish(module, aio_plan, True, 0, False, 'would apply with --rerun %s' % ' '.join(rerun))
        args = ['apply', '--yes', '--json'] + aio.target()
        for action in rerun:
            args += ['--rerun', action]
    else:
        saved = os.path.join(workdir, 'plan.json')
        aio_plan = aio.plan(['--out', saved])
        changed = bool(aio_plan.get('changes'))
        pending = changed or aio_plan.get('released')
        if module.check_mode or not pending:
            verb = 'would apply' if module.check_mode else 'converged'
            finish(module, aio_plan, changed, 0, not aio_plan.get('waiting'), verb)
        # The saved plan, and nothing else: aio refuses it if the system changed since.
        args = ['apply', saved, '--yes', '--json']
    # A failed apply rolled back what it made, but an apply that could not
    # observe everything (OVSDB down) did the rest: say it may have changed.
    out = aio.run(args, plan=aio_plan, changed=bool(aio_plan.get('changes')) or bool(rerun))
    applied_plan, result = plan_and_result(out)
    aio_plan = applied_plan or aio_plan
    result = result or {}
    changed = bool(aio_plan.get('changes')) or bool(rerun)
    finish(module, aio_plan, changed, result.get('applied', 0),
           result.get('converged', not aio_plan.get('waiting')), 'applied')


def absent(module, aio):
    aio_plan = aio.plan(['--destroy'])
    changed = bool(aio_plan.get('changes'))
    if module.check_mode or not changed:
        finish(module, aio_plan, changed, 0, True, 'would destroy' if module.check_mode else 'destroyed')
    aio.run(['destroy', '--yes'] + aio.target(), plan=aio_plan, changed=True)
    finish(module, aio_plan, True, len(aio_plan.get('changes', [])), True, 'destroyed')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path'),
            content=dict(type='str', no_log=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            netns=dict(type='str'),
            state_dir=dict(type='path'),
            binary=dict(type='str', default='aio'),
            rerun=dict(type='list', elements='str', default=[]),
            timeout=dict(type='int'),
        ),
        mutually_exclusive=[('src', 'content')],
        required_one_of=[('src', 'content')],
        supports_check_mode=True,
    )
    workdir = tempfile.mkdtemp(prefix='aio-', dir=module.tmpdir)
    try:
        topology = module.params['src']
        shown_as = None
        if module.params['content'] is not None:
            topology = os.path.join(workdir, 'topology.toml')
            # Private, whatever the umask: it may hold secrets.
            fd = os.open(topology, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(module.params['content'])
            shown_as = 'content'
        elif not os.path.isfile(topology):
            module.fail_json(msg='%s: no such topology file on the target' % topology)
        aio = Aio(module, topology, shown_as)
        if module.params['state'] == 'absent':
            absent(module, aio)
        present(module, aio, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()

# Copyright: aio contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The ``aio.host.to_toml`` filter: a mapping (a topology from host_vars) as TOML."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: to_toml
short_description: Render a mapping as TOML
version_added: 0.1.0
description:
  - Renders a mapping (for example an aio topology kept in host_vars) as a
    TOML document. Nested mappings become tables, lists of mappings arrays
    of tables (C([[nat]])), other lists arrays. Keys that are not bare TOML
    keys (C(net.ipv4.ip_forward)) are quoted.
  - Values that TOML cannot hold (null) are an error.
options:
  _input:
    description: The mapping to render.
    type: dict
    required: true
author:
  - aio contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Write the host's topology from host_vars
  ansible.builtin.copy:
    content: "{{ aio_topology | aio.host.to_toml }}"
    dest: /etc/aio/topology.toml
"""

RETURN = r"""
_value:
  description: The TOML document.
  type: str
"""

import json
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types

from ansible.module_utils.six.moves.collections_abc import Mapping

BARE = re.compile(r'^[A-Za-z0-9_-]+$')


def key(k):
    k = str(k)
    return k if BARE.match(k) else json.dumps(k, ensure_ascii=False)


def value(v, where):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, string_types):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, Mapping):
        return '{ %s }' % ', '.join('%s = %s' % (key(k), value(x, where + '.' + str(k))) for k, x in v.items())
    if is_sequence(v):
        return '[%s]' % ', '.join(value(x, where) for x in v)
    raise AnsibleFilterError('to_toml: %s: TOML has no value for %r' % (where or 'the input', v))


def is_table_array(v):
    return is_sequence(v) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def table(data, path, out):
    """Appends ``data`` as the table at ``path``: its plain keys, then subtables."""
    plain = [(k, v) for k, v in data.items() if not isinstance(v, Mapping) and not is_table_array(v)]
    for k, v in plain:
        out.append('%s = %s' % (key(k), value(v, '.'.join(path + [str(k)]))))
    for k, v in data.items():
        sub = path + [str(k)]
        name = '.'.join(key(p) for p in sub)
        if isinstance(v, Mapping):
            out.append('')
            out.append('[%s]' % name)
            table(v, sub, out)
        elif is_table_array(v):
            for item in v:
                out.append('')
                out.append('[[%s]]' % name)
                table(item, sub, out)


def to_toml(data):
    if not isinstance(data, Mapping):
        raise AnsibleFilterError('to_toml: expects a mapping, got %s' % type(data).__name__)
    out = []
    table(data, [], out)
    text = '\n'.join(out).lstrip('\n')
    return text + '\n'


class FilterModule(object):
    def filters(self):
        return {'to_toml': to_toml}

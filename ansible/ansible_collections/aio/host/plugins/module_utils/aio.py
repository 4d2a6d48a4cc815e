# Copyright: aio contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Reading what aio prints and turning its plan into Ansible's diff format."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def json_documents(text):
    """Every JSON document in ``text``, in order.

    ``aio apply --json`` prints the plan (indented, over many lines) and then
    a one-line result object; ``aio plan --json`` prints one document. Text
    between documents (there should be none) is skipped, not trusted.
    """
    decoder = json.JSONDecoder()
    docs = []
    pos = 0
    end = len(text)
    while pos < end:
        start = text.find('{', pos)
        if start < 0:
            break
        try:
            doc, pos = decoder.raw_decode(text, start)
        except ValueError:
            pos = start + 1
            continue
        docs.append(doc)
    return docs


def is_plan(doc):
    """Whether ``doc`` is an aio plan (docs/plan.schema.json)."""
    return isinstance(doc, dict) and 'format_version' in doc and 'changes' in doc


def plan_and_result(text):
    """The plan and the apply result (or None) in what ``aio apply --json`` printed."""
    plan = None
    result = None
    for doc in json_documents(text):
        if is_plan(doc):
            plan = doc
        elif isinstance(doc, dict) and 'applied' in doc:
            result = doc
    return plan, result


def render_attrs(attrs):
    """A resource's attributes, one ``key: value`` line each, sorted by key."""
    if not attrs:
        return ''
    lines = []
    for key in sorted(attrs):
        value = attrs[key]
        if not isinstance(value, str):
            value = json.dumps(value, sort_keys=True)
        lines.append('%s: %s\n' % (key, value))
    return ''.join(lines)


def detail_text(detail):
    """A change's ``detail`` as lines of text: plain words (a string), or
    lines each with its kind (``[{kind, text}]``), whose ``text`` is the line
    as aio shows it. Empty when there is none."""
    if not detail:
        return ''
    if isinstance(detail, list):
        detail = '\n'.join(line.get('text', '') for line in detail if isinstance(line, dict))
    return detail.rstrip('\n') + '\n'


def diff_of(plan):
    """One Ansible diff per change of ``plan``, headed by the resource id.

    ``before`` is what aio observed, ``after`` what the topology wants; a
    created resource has an empty ``before``, a deleted one an empty
    ``after``. A provider's fuller account (Kolla's key-by-key diff) is
    appended to ``after``.
    """
    diffs = []
    for change in (plan or {}).get('changes', []):
        rid = change.get('id', '?')
        action = change.get('action', '?')
        after = render_attrs(change.get('after'))
        after += detail_text(change.get('detail'))
        diffs.append({
            'before_header': '%s (live)' % rid,
            'after_header': '%s (%s)' % (rid, action),
            'before': render_attrs(change.get('before')),
            'after': after,
        })
    return diffs


def summary_msg(plan, verb):
    """``2 to create, 1 to change, 0 to delete`` in words for ``msg``."""
    summary = (plan or {}).get('summary', {})
    changes = (plan or {}).get('changes', [])
    if not changes:
        return 'the system matches the topology'
    ids = ', '.join(c.get('id', '?') for c in changes)
    return '%s: %d to create, %d to change, %d to delete (%s)' % (
        verb,
        summary.get('create', 0),
        summary.get('change', 0),
        summary.get('delete', 0),
        ids,
    )

"""``uwsgi-lint show``: the effective configuration of each instance, the static twin of
``uwsgi --show-config``: every option in uWSGI's order, with the place that wrote it.

Every key, value, target and path is untrusted text: it goes through ``untrusted.clean``
(secrets masked, control characters escaped, length capped), in both formats."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..budget import BUDGET_REACHED
from ..catalog import load_catalog
from ..model import Directive, Instance, Problem
from ..readers.common import PY_CONDITIONAL
from ..untrusted import KEY_LIMIT, VALUE_LIMIT, clean
from ..values import MASK, masked, secret_placeholders
from . import display_path, shown_path


def _key(key: str) -> str:
    return clean(key, KEY_LIMIT)


def _known(key: str) -> bool:
    return key in load_catalog("2.0") or key in load_catalog("2.1")


def _values(inst: Instance) -> list[str]:
    """Each option's value as shown: secrets masked (``values.masked``), never printed,
    and so are the placeholders a secret takes its value from."""
    hidden = hidden_placeholders(inst)
    return [shown_value(d, hidden) for d in inst.options]


def hidden_placeholders(inst: Instance) -> frozenset[str]:
    """The placeholders of ``inst`` a secret takes its value from: never shown."""
    return secret_placeholders([(d.key, d.value) for d in inst.options])


def shown_value(d: Directive, hidden: frozenset[str]) -> str:
    """One option entry's value as shown (``hidden``: :func:`hidden_placeholders` of its
    instance); the language server's hover shows a few without masking all the others."""
    if d.key in hidden and not _known(d.key) and d.effective.strip():
        return MASK
    return clean(masked(d.key, d.effective, option=_known(d.key)), VALUE_LIMIT)


def _title(inst: Instance) -> str:
    title = f"{display_path(inst.root.path)} ({inst.role.value}"
    if inst.emperor is not None:
        title += f" of {display_path(inst.emperor.root.path)}"
    if inst.vassals:
        title += f", {len(inst.vassals)} vassal{'s' if len(inst.vassals) != 1 else ''}"
    return title + ")"


def _environment(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """The environment given with ``--env``/``--env-file``, as shown: a secret-named
    variable's value masked (``values.masked``), every name and value cleaned."""
    return [(_key(name), clean(masked(name, value), VALUE_LIMIT))
            for name, value in sorted(env.items())]


def render_text(instances: list[Instance], env: Mapping[str, str] | None = None) -> str:
    """``env``: the environment the values were evaluated with (None: left unresolved)."""
    out: list[str] = []
    if env is not None:
        out.append("; evaluated with the environment " + (" ".join(
            f"{name}={value}" for name, value in _environment(env)) or "(empty)"))
        out.append("")
    for inst in instances:
        out.append(f"; {_title(inst)}")
        out.append("[uwsgi]")
        values = _values(inst)
        keys = [_key(d.key) for d in inst.options]
        width = max((len(k) + len(v) for k, v in zip(keys, values, strict=True)), default=0)
        for i, d in enumerate(inst.options):
            line = f"{keys[i]} = {values[i]}"
            where = f"{display_path(d.file)}:{d.span.start.line}"
            notes = []
            if d.note.startswith(PY_CONDITIONAL):  # uwsgiconf: an undecided Python `if`
                notes.append("only when " + clean(d.note[len(PY_CONDITIONAL):]))
            elif i in inst.conditional:
                notes.append("if its condition holds")
            if d.unresolved:
                notes.append("unresolved: " + clean(", ".join(d.unresolved)))
            extra = f" ({'; '.join(notes)})" if notes else ""
            out.append(f"{line.ljust(min(width + 3, 60))} ; {where}{extra}")
        for u in inst.unread:
            out.append(f"; not read: {clean(u.target)} ({clean(u.reason)})")
        for p in _stops(inst):
            out.append(f"; {display_path(p.span.file)}:{p.span.start.line}: {clean(p.message)}")
        out.append("")
    return "\n".join(out)


def _stops(inst: Instance) -> list[Problem]:
    """Where expansion of ``inst`` stopped at a budget (UW025): what follows is not shown."""
    return [p for p in inst.problems if p.code == BUDGET_REACHED]


def document(instances: list[Instance], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``environment``: the variables given (null: `$(...)` and `if-env` left unresolved)."""
    return {
        "schema_version": 1,
        "tool": {"name": "uwsgi-lint", "version": __version__},
        "environment": None if env is None else dict(_environment(env)),
        "instances": [
            {
                "filename": shown_path(inst.root.path),
                "role": inst.role.value,
                "emperor": shown_path(inst.emperor.root.path) if inst.emperor else None,
                "vassals": [shown_path(v.root.path) for v in inst.vassals],
                "options": [
                    {
                        "key": _key(d.key),
                        "value": value,
                        "filename": shown_path(d.file),
                        "location": {"line": d.span.start.line, "column": d.span.start.column},
                        "conditional": i in inst.conditional,
                        "unresolved": [clean(u) for u in d.unresolved],
                        "origin": [
                            {
                                "kind": o.kind,
                                "target": clean(o.target),
                                "filename": shown_path(o.span.file),
                                "location": {
                                    "line": o.span.start.line,
                                    "column": o.span.start.column,
                                },
                            }
                            for o in d.origin
                        ],
                    }
                    for i, (d, value) in enumerate(zip(inst.options, _values(inst), strict=True))
                ],
                "not_read": [
                    {"target": clean(u.target), "reason": clean(u.reason)}
                    for u in inst.unread
                ],
                "stopped": [
                    {
                        "filename": shown_path(p.span.file),
                        "location": {"line": p.span.start.line, "column": p.span.start.column},
                        "message": clean(p.message),
                    }
                    for p in _stops(inst)
                ],
            }
            for inst in instances
        ],
    }


def render_json(instances: list[Instance], env: Mapping[str, str] | None = None) -> str:
    text = json.dumps(document(instances, env), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")

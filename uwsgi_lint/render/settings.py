"""``--show-settings FILE``: the settings a file is checked with, one ``key = value`` a
line in the settings files' own TOML, each with where it came from: the command line, a
settings file, or the defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields

from ..instance import Assumptions
from ..settings import DEFAULT, DEFAULT_SELECT, Selection, Settings
from ..untrusted import clean

# the settings keys in the order they are shown, with the Assumptions field the command
# line sets for each assumption (see cli._overrides)
ASSUMED = {"target-version": "version", "yaml-reader": "yaml_reader", "plugins": "plugins",
           "context": "context"}
COMMAND_LINE = "command line"


def render(
    file: str,
    found: Settings,
    selection: Selection,
    overrides: Mapping[str, object],
    *,
    docs_url: str | None,
    run: Settings,
) -> str:
    """The settings ``file`` is checked with: ``found`` (its closest settings, or
    ``--config``'s) with the command line's ``selection`` and ``overrides`` over them;
    ``docs-url`` from the command line or ``run`` (the working directory's settings)."""
    source = found.source
    lines = [f"# settings for {clean(file)}",
             f"# settings file: {clean(source) if source else 'none (the defaults apply)'}"]
    final = selection.over(found)
    defaults = Assumptions()
    for f in fields(Settings):
        key = f.name.replace("_", "-")
        if key == "source":
            continue
        value: object = getattr(final, f.name)
        own = getattr(found, f.name)
        if key in ASSUMED:
            field = ASSUMED[key]
            if field in overrides:
                value, origin = overrides[field], COMMAND_LINE
            elif own is not None:
                origin = source or ""
            else:
                value, origin = getattr(defaults, field), "default"
        elif key == "docs-url":
            value, origin = (
                (docs_url, COMMAND_LINE) if docs_url is not None
                else (run.docs_url, run.source or "") if run.docs_url is not None
                else (None, "default")
            )
        elif value != own:  # the command line changed it
            unset = own == getattr(DEFAULT, f.name)
            origin = COMMAND_LINE if unset else f"{source} and the {COMMAND_LINE}"
        elif own != getattr(DEFAULT, f.name):
            origin = source or ""
        else:
            origin = "default"
        if key == "container" and value is None:
            continue  # deprecated (`context`), shown only when a settings file sets it
        if key == "select" and value is None:
            value = DEFAULT_SELECT
        if key == "fixable" and value is None:
            value = ("all",)
        shown = _toml(value)
        if key == "plugins" and value is None:
            shown = "(those built into `pip install uwsgi`)"
        lines.append(f"{key} = {shown}  # {clean(origin)}")
    return "".join(line + "\n" for line in lines)


def _toml(value: object) -> str:
    """``value`` written as in a settings file (cleaned: it may come from one)."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return clean(json.dumps(value, ensure_ascii=False))
    if isinstance(value, frozenset):
        return _toml(sorted(value))
    if isinstance(value, tuple | list):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            inner = ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value)
            return "{ " + inner + " }" if inner else "{}"
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if hasattr(value, "value"):  # a Severity
        return _toml(value.value)
    return clean(str(value))

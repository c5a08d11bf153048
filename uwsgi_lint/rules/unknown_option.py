"""UW101: an option uWSGI does not know, which it ignores without a word."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from ..catalog import Catalog, load_catalog
from ..diagnostics import Finding, Severity
from ..expand import Instance
from ..facts import View
from ..readers.common import APP_NOTE, CLOSERS
from . import Instances, rule

_PLACEHOLDER = re.compile(r"%\(([^()]*)\)")
_PLUGIN_KEYS = ("plugins", "plugin", "need-plugin", "need-plugins")
_OPERATORS = frozenset({"+", "-", "*", "/", "++", "--"})


def placeholder_names(inst: Instance) -> set[str]:
    """Keys that some value of the instance reads as ``%(key)`` or tests with ``if-opt``."""
    names: set[str] = set()
    for d in inst.options:
        if "%(" in d.value:  # what the %() pass reads: the value after magic substitution
            for m in _PLACEHOLDER.finditer(d.value):
                names.update(t for t in m.group(1).split(" ") if t and t not in _OPERATORS)
        if d.key in ("if-opt", "if-not-opt"):
            names.add(d.value.partition("=")[0])
    return names


def plugin_name(spec: str) -> str:
    """``/usr/lib/uwsgi/python3_plugin.so`` or ``python3`` -> ``python``."""
    name = os.path.basename(spec.strip())
    for suffix in ("_plugin.so", ".so"):
        name = name.removesuffix(suffix)
    return name.rstrip("0123456789") or name


def loaded_plugins(inst: Instance, ctx: View) -> set[str]:
    loaded = set(ctx.assume.plugins or ())
    for d in inst.options:
        if d.key in _PLUGIN_KEYS:
            loaded.update(plugin_name(p) for p in re.split(r"[,\s]+", d.value) if p)
    return loaded


@rule(
    "UW101",
    "unknown-option",
    Severity.WARNING,
    "An option uWSGI does not know is silently ignored (fatal only under `strict`).",
    on=Instances(),
)
def check(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    catalog = ctx.catalog
    used = placeholder_names(inst)
    plugins = loaded_plugins(inst, ctx)
    other = load_catalog("2.1" if catalog.version == "2.0" else "2.0")
    seen: set[tuple[object, ...]] = set()
    for d in inst.options:
        key = d.key
        where = (d.file, d.loc.key, key)
        if where in seen or key in CLOSERS or key in used:
            continue
        opt = catalog.get(key)
        if opt is None and d.note == APP_NOTE:
            continue  # uWSGI's own `app` entry for an <app> element, not the user's key
        if opt is None:
            setter = catalog.get(d.raw_key)
            if setter is not None and setter.value_kind == "assignment" and d.raw_key != key:
                continue  # `set = name=value` with an unknown name defines a placeholder
        else:
            if opt.default_build or opt.plugin == "core" or opt.plugin in plugins:
                continue
            seen.add(where)
            yield Finding(
                d.key_span,
                f"'{key}' belongs to the {opt.plugin} plugin, which the default uWSGI build "
                f"does not include and this config does not load (`plugins = {opt.plugin}`): "
                "uWSGI ignores it",
            )
            continue
        seen.add(where)
        yield Finding(d.key_span, _message(key, catalog.uwsgi_version, other, catalog))


def _message(key: str, version: str, other: Catalog, catalog: Catalog) -> str:
    if not key:
        return "empty option name: uWSGI ignores this line"
    if key in other:
        return (
            f"'{key}' exists only in uWSGI {other.uwsgi_version}; "
            f"uWSGI {version} ignores it (target version {catalog.version})"
        )
    message = f"unknown option '{key}': uWSGI {version} ignores it"
    hints = catalog.suggest(key)
    if hints:
        message += "; did you mean " + " or ".join(f"'{h}'" for h in hints) + "?"
    return message

"""UW101: an option uWSGI does not know, which it ignores without a word."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..catalog import Catalog, _norm_key, first_release, load_catalog
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix
from ..readers.common import APP_NOTE, CLOSERS
from ..textfix import rename_key
from . import Entries, rule


@rule(
    "UW101",
    "unknown-option",
    Severity.WARNING,
    "An option uWSGI does not know is silently ignored (fatal only under `strict`).",
    on=Entries(unique=True),
    fix="unsafe",
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    key, catalog = d.key, view.catalog
    opt = catalog.get(key)
    if opt is not None and (opt.default_build or opt.plugin == "core"):
        return
    if key in CLOSERS or key in view.placeholder_names():
        return
    if opt is None:
        if d.note == APP_NOTE:
            return  # uWSGI's own `app` entry for an <app> element, not the user's key
        setter = catalog.get(d.raw_key)
        if setter is not None and setter.value_kind == "assignment" and d.raw_key != key:
            return  # `set = name=value` with an unknown name defines a placeholder
        message, meant = _message(key, catalog)
        fix = None
        if meant and _clear(view, key, meant) and (edits := rename_key(d, meant)):
            fix = Fix(f"rename `{key}` to `{meant}`", edits, Applicability.UNSAFE)
        yield Finding(d.key_span, message, fix=fix)
    elif opt.plugin not in view.loaded_plugins():
        yield Finding(
            d.key_span,
            f"'{key}' belongs to the {opt.plugin} plugin, which the default uWSGI build "
            f"does not include and this config does not load (`plugins = {opt.plugin}`): "
            "uWSGI ignores it",
        )


def _clear(view: View, key: str, meant: str) -> bool:
    """Whether ``key`` was surely written for ``meant``: the same name but for case, ``_``
    for ``-``, a trailing ``:`` or leading dashes, or a plain name with a slip of at most
    two letters (one in a short name); and renaming it sets no single-value option that
    the config sets already (the rename would change its value)."""
    opt = view.catalog.get(meant)
    if opt is None or (not opt.repeatable and view.sets(meant)):
        return False
    written, known = _norm_key(key), _norm_key(meant)
    if written == known:
        return True
    if not re.fullmatch(r"[a-z0-9-]+", written):
        return False  # a template's `{name}`, `$name` ...: not a slip of the keyboard
    return _slips(written, known) <= (1 if len(known) <= 4 else 2)


def _slips(a: str, b: str) -> int:
    """How many letters are added, dropped, changed or swapped (two neighbours) between
    ``a`` and ``b`` (the optimal string alignment distance)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(row[j] + 1, cur[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], before[j - 2] + 1)
        before, row = row, cur
    return row[-1]


def _message(key: str, catalog: Catalog) -> tuple[str, str | None]:
    """The finding's message, and the one option it suggests (the fix's new name)."""
    if not key:
        return "empty option name: uWSGI ignores this line", None
    version = catalog.uwsgi_version
    since = first_release(key) if catalog.release is not None else None
    if since is not None:  # releases-2.0.json: a later 2.0 release has it
        return (
            f"'{key}' exists only from uWSGI {since} on: uWSGI {version} ignores it "
            f"(target-version {catalog.target}); remove it, or target the release you deploy"
        ), None
    other = load_catalog("2.1" if catalog.version == "2.0" else "2.0")
    if key in other:
        return (
            f"'{key}' exists only in uWSGI {other.uwsgi_version}; "
            f"uWSGI {version} ignores it (target version {catalog.version})"
        ), None
    message = f"unknown option '{key}': uWSGI {version} ignores it"
    hints = catalog.suggest(key)
    if hints:
        message += "; did you mean " + " or ".join(f"'{h}'" for h in hints) + "?"
    return message, hints[0] if len(hints) == 1 else None

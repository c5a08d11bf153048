"""UW101: an option uWSGI does not know, which it ignores without a word."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Catalog, first_release, load_catalog
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from ..readers.common import APP_NOTE, CLOSERS
from . import Entries, rule


@rule(
    "UW101",
    "unknown-option",
    Severity.WARNING,
    "An option uWSGI does not know is silently ignored (fatal only under `strict`).",
    on=Entries(unique=True),
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
        yield Finding(d.key_span, _message(key, catalog))
    elif opt.plugin not in view.loaded_plugins():
        yield Finding(
            d.key_span,
            f"'{key}' belongs to the {opt.plugin} plugin, which the default uWSGI build "
            f"does not include and this config does not load (`plugins = {opt.plugin}`): "
            "uWSGI ignores it",
        )


def _message(key: str, catalog: Catalog) -> str:
    if not key:
        return "empty option name: uWSGI ignores this line"
    version = catalog.uwsgi_version
    since = first_release(key) if catalog.release is not None else None
    if since is not None:  # releases-2.0.json: a later 2.0 release has it
        return (
            f"'{key}' exists only from uWSGI {since} on: uWSGI {version} ignores it "
            f"(target-version {catalog.target}); remove it, or target the release you deploy"
        )
    other = load_catalog("2.1" if catalog.version == "2.0" else "2.0")
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

"""UW020-UW023: includes that uWSGI cannot follow, or follows somewhere unexpected.

The expander (``uwsgi_lint/instance/``) resolves ``ini =``, ``include``, ``inherit``,
``@(file)`` and the Emperor's ``vassals-include``/``vassals-inherit`` the way uWSGI does,
relative to its working directory, and records what it could not read; these rules report
it at the line that asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..instance.loader import INCLUDE_CYCLE, INCLUDE_MISSING, INCLUDE_RELATIVE
from ..model import Span, Unread
from . import Instances, Reader, declare, rule


@rule(
    "UW020",
    "include-not-found",
    Severity.ERROR,
    "A file to include (`ini =`, `include`, `inherit`, `@(file)` ...) does not exist: "
    "uWSGI exits.",
    on=Instances(),
)
def check_missing(view: View) -> Iterator[Finding]:
    for p in view.problems(INCLUDE_MISSING):
        yield Finding(p.span, f"uWSGI exits: {p.message}", detail=p.detail)


declare(
    INCLUDE_CYCLE,
    "include-cycle",
    Severity.ERROR,
    "A config that includes itself, directly or through others: uWSGI recurses until it "
    "crashes.",
    on=Reader(),
)


@rule(
    "UW022",
    "include-not-checked",
    Severity.WARNING,
    "A config source that uwsgi-lint never runs or fetches (`exec://`, `http://`, `fd://` "
    "...): what it adds is not checked.",
    group="pedantic",
    on=Instances(),
)
def check_unread(view: View) -> Iterator[Finding]:
    seen: set[tuple[Span, str]] = set()
    for u in view.inst.unread:
        if u.reason == "file not found" or (u.directive.span, u.target) in seen:
            continue
        if _in_value(u) and not view.names_config(u.directive.key):
            continue  # `logto = @(exec://...)`: uWSGI runs it for the value, reads no config
        seen.add((u.directive.span, u.target))
        yield Finding(
            u.directive.span,
            f"'{u.target}' is not read: {u.reason}, so {_unknown(u)}",
        )


declare(
    INCLUDE_RELATIVE,
    "include-relative-to-cwd",
    Severity.WARNING,
    "A relative include names a different file than the one next to the config: uWSGI "
    "resolves it against its working directory.",
    on=Reader(),
)


def _unknown(u: Unread) -> str:
    """What stays unchecked: the options an include adds, the value an ``@()`` reads, the
    copies a ``for-*`` block makes, the branch an ``if-*`` takes."""
    key = u.directive.key
    if key.startswith("for"):
        return "the lines this loop makes are checked once, with its items unknown"
    if key.startswith("if"):
        return "the condition is undecided here, so its block is checked"
    if _in_value(u):
        return f"what `{key}` names is unknown here, and what it adds is not checked"
    return "the options it adds are not checked"


def _in_value(u: Unread) -> bool:
    """An ``@(...)`` in an option's value, not the source a loader names: uWSGI replaces it
    with what the file, command or URL gives (``core/utils.c: uwsgi_apply_config_pass()``
    calls ``uwsgi_open_and_read()``, which runs ``exec://`` and fetches ``http://``)."""
    return u.target.startswith("@(") or f"@({u.target})" in u.directive.value

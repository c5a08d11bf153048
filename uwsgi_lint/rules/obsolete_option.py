"""UW115: options that no longer do anything in the target uWSGI version; UW116 (pedantic):
options that some 2.0 releases of the default target range do not have yet."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import RELEASES, first_release, recent_options
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix
from ..textfix import remove_directive
from . import Entries, rule

DEPRECATED = "uwsgi_opt_deprecated"  # logs "[WARNING] option X is deprecated" and does nothing
# core/init.c sanitize_args(): `uwsgi.has_threads = 1` unconditionally from this release on
# (before, only when `threads > 1`), so `enable-threads` sets what is already set
THREADS_ALWAYS_ON = "2.0.27"
# version-specific notes for deprecated options, by series
WHY = {
    ("2.1", "die-on-term"): (
        "in uWSGI 2.1 SIGTERM always shuts the instance down, and `die-on-term` only prints "
        "a deprecation warning"
    ),
}


@rule(
    "UW115",
    "obsolete-option",
    Severity.INFO,
    "An option that does nothing in the target version (`enable-threads` from 2.0.27 on, "
    "deprecated ones).",
    on=Entries(names=frozenset({"enable-threads"}), handlers=frozenset({DEPRECATED}),
               unique=True),
    fix="safe",
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    catalog = view.catalog
    opt = catalog.get(d.key)
    if opt is None:
        return
    if d.key in view.names("enable-threads"):
        if catalog.at_least(THREADS_ALWAYS_ON):  # not under "2.0": 2.0.18-2.0.26 need it
            yield Finding(
                d.key_span,
                f"`{d.key}` does nothing from uWSGI {THREADS_ALWAYS_ON} on (target-version "
                f"{catalog.target}): thread support is always on, even with a false value; "
                "remove the line",
                fix=_removed(view, d),
            )
    elif opt.handler == DEPRECATED:
        why = WHY.get((catalog.version, d.key))
        yield Finding(
            d.key_span,
            f"`{d.key}` is deprecated in uWSGI {catalog.uwsgi_version}: uWSGI logs a warning "
            "and ignores it; remove the line",
            detail=f"{why[0].upper()}{why[1:]}." if why else "",
            fix=_removed(view, d),
        )


def _removed(view: View, d: Directive) -> Fix | None:
    """The fix: the line removed, when it is written in the instance's own file (a file
    it includes may be read under another target version) and no ``%(key)`` or
    ``if-opt`` reads it."""
    if d.origin or d.key in view.placeholder_names():
        return None
    edits = remove_directive(d)
    return Fix(f"remove the `{d.key}` line", edits, Applicability.SAFE) if edits else None


@rule(
    "UW116",
    "recent-option",
    Severity.INFO,
    f"An option that some 2.0 releases from {RELEASES[0]} on do not have yet (they ignore "
    "it), under the default target-version \"2.0\".",
    on=Entries(names=recent_options(), unique=True),
    group="pedantic",
)
def check_recent(view: View, d: Directive) -> Iterator[Finding]:
    # under one release UW101 says it, when that release lacks the option
    since = first_release(d.key) if view.catalog.target == "2.0" else None
    if since is not None:
        oldest, before = RELEASES[0], RELEASES[RELEASES.index(since) - 1]
        older = f"{before} ignores" if before == oldest else f"{oldest} to {before} ignore"
        yield Finding(
            d.key_span,
            f"uWSGI {older} `{d.key}`: it exists from {since} on; set `target-version` to the "
            "release you deploy",
        )

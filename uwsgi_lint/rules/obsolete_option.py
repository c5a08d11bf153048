"""UW115: options that no longer do anything in the target uWSGI version."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from . import Entries, rule

DEPRECATED = "uwsgi_opt_deprecated"  # logs "[WARNING] option X is deprecated" and does nothing
# version-specific notes for deprecated options, by target version
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
    "An option that no longer does anything (`enable-threads` since 2.0.27, deprecated ones).",
    on=Entries(names=frozenset({"enable-threads"}), handlers=frozenset({DEPRECATED}),
               unique=True),
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    catalog = view.catalog
    opt = catalog.get(d.key)
    if opt is None:
        return
    if d.key in view.names("enable-threads"):
        yield Finding(
            d.key_span,
            f"`{d.key}` does nothing since uWSGI 2.0.27: thread support is always on "
            "(even with a false value); remove the line (keep it only for uWSGI older "
            "than 2.0.27)",
        )
    elif opt.handler == DEPRECATED:
        why = WHY.get((catalog.version, d.key))
        text = f"`{d.key}` is deprecated in uWSGI {catalog.uwsgi_version}: "
        text += why if why else "uWSGI logs a warning and ignores it"
        yield Finding(d.key_span, text + "; remove the line")

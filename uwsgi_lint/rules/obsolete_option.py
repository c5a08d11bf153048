"""UW115: options that no longer do anything in the target uWSGI version."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..values import names_of, unique_entries
from . import Instances, rule

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
    on=Instances(),
)
def check(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    threads = names_of(ctx.catalog, "enable-threads")
    for _, d in unique_entries(inst):
        opt = ctx.catalog.get(d.key)
        if opt is None:
            continue
        if d.key in threads:
            yield Finding(
                d.key_span,
                f"`{d.key}` does nothing since uWSGI 2.0.27: thread support is always on "
                "(even with a false value); remove the line (keep it only for uWSGI older "
                "than 2.0.27)",
            )
        elif opt.handler == DEPRECATED:
            why = WHY.get((ctx.catalog.version, d.key))
            text = f"`{d.key}` is deprecated in uWSGI {ctx.catalog.uwsgi_version}: "
            text += why if why else "uWSGI logs a warning and ignores it"
            yield Finding(d.key_span, text + "; remove the line")

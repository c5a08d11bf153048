"""UW026-UW027: the ``<app>`` element, which ``core/xmlconf.c: uwsgi_xml_config()`` (the
libxml2 reader) turns into ``mount = MOUNTPOINT=TARGET`` followed by an option named
``app`` with an empty value.

The target is the content of ``<app>``'s only child node, or of the first child of its
second node (the multi-line ``<app>`` with ``<script>`` on its own line); when neither has
content the element is dropped whole (the XML reader records it: UW026).  ``app`` is no
uWSGI option, so under ``strict`` ``core/config.c: uwsgi_opt_get()`` exits with
"[strict-mode] unknown config directive: app" (UW027).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..readers.common import APP_NOTE
from ..values import shown
from . import Instances, Reader, declare, rule

APP_MOUNT = "<app> becomes mount = "  # the note of the `mount` an <app> gives (readers/xml.py)

app_dropped = declare(
    "UW026",
    "xml-app-dropped",
    Severity.WARNING,
    "An XML `<app>` written on one line (`<app><script>f</script></app>`): uWSGI drops it whole.",
    on=Reader(),
)


@rule(
    "UW027",
    "xml-app-under-strict",
    Severity.ERROR,
    "An XML `<app>` under `strict`: it adds an option `app`, unknown, so uWSGI exits.",
    on=Instances(needs=frozenset({"app"})),
)
def check_app_strict(view: View) -> Iterator[Finding]:
    if view.flag("strict") is not True:
        return
    stricts = [d for d in view.candidates("strict") if d is not None]
    # the `mount` each <app> gave, by the element's span
    mounts = {m.span: m.value for m in view.entries("mount") if m.note.startswith(APP_MOUNT)}
    for d in view.entries("app"):
        if d.note != APP_NOTE:
            continue  # a user's own `app` key: UW101
        mount = mounts.get(d.span)
        fix = "remove the empty <app/>" if mount is None else f"write <mount>{shown(mount)}</mount>"
        yield Finding(
            d.span,
            f"under `strict`, <app> makes uWSGI exit (\"unknown config directive: app\"); "
            f"{fix} instead",
            tuple(Related("`strict` is set here", s.span) for s in stricts[:1]),
            detail="uWSGI's XML reader turns <app> into `mount` and an option named `app` "
            "with an empty value; no option is named `app`, and under `strict` an unknown "
            "option is fatal.",
        )

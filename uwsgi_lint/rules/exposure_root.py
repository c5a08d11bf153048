"""UW504: an instance that serves requests as root.

Started as root, uWSGI drops privileges only when ``uid`` (or ``immediate-uid``) names
another user (``core/utils.c: uwsgi_as_root()``, :meth:`~uwsgi_lint.facts.View.uid_effect`);
``uid = root`` keeps root.  A vassal is not root when its Emperor runs in Tyrant mode
(``setuid()`` to the vassal file's owner before exec) or when the Emperor itself dropped to
another user before starting vassals (``uid`` in the Emperor config, ``core/uwsgi.c:
uwsgi_start()``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import AsRoot, View
from ..model import Directive, Role
from ..values import shown
from . import Entries, rule


@rule(
    "UW504",
    "runs-as-root",
    Severity.WARNING,
    "An instance that serves requests with no `uid` (or `uid = root`): started as root, the "
    "app runs as root.",
    on=Entries(handlers=View.SERVES_HANDLERS),
)
def check(view: View, entry: Directive) -> Iterator[Finding]:
    """Judged once per instance, at the first socket or router it serves on."""
    if entry is not view.serving() or view.assume.container or view.unprivileged_vassal():
        return
    sock, inst = entry, view.inst
    if view.sets("immediate-uid"):
        return  # applied while the config is read: setuid() to another user, or an exit
    effect = view.uid_effect()
    if effect is None or effect[0] is not AsRoot.KEEPS:
        return
    named = effect[1]
    related: list[Related] = []
    emperor = inst.emperor if inst.role is Role.VASSAL else None
    if emperor is not None and inst.monitor is not None:
        owner = ""
        if inst.owner is not None and inst.owner[0] != 0:
            owner = f" (uid {inst.owner[0]} for this file)"
        started = " and its Emperor runs as root and starts it as root"
        fix = (
            "set `uid` and `gid` here, or turn on `emperor-tyrant` in the Emperor to run each "
            f"vassal as its file's owner{owner}"
        )
        related.append(
            Related("the Emperor starts this vassal as root", inst.monitor.directive.span)
        )
    else:
        started = "; started as root (an init script, systemd without `User=`, sudo), it stays root"
        fix = (
            "set `uid` and `gid` to an unprivileged user, or run it as a vassal of a "
            "Tyrant-mode Emperor (`emperor-tyrant`), which starts it as its file's owner"
        )
    if named is not None:
        related.append(Related(f"the instance serves requests here (`{sock.key}`)", sock.span))
        yield Finding(
            named.value_span,
            f"`{named.key} = {shown(named.effective)}` keeps root: the app serves requests as "
            f"root, so any flaw in it runs code as root; {fix}",
            tuple(related),
        )
        return
    what = "vassal" if emperor is not None else "instance"
    yield Finding(
        sock.key_span,
        f"no `uid`: this {what} serves requests (`{sock.key} = {shown(sock.effective)}`)"
        f"{started}, so any flaw in the app runs code as root; {fix}",
        tuple(related),
    )

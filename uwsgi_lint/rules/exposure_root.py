"""UW504: an instance that serves requests as root.

Started as root, uWSGI drops privileges only when ``uid`` (or ``immediate-uid``) names
another user (``core/utils.c: uwsgi_as_root()``, :meth:`~uwsgi_lint.facts.View.uid_effect`);
``uid = root`` keeps root.  Who starts it is read from the tree
(:meth:`~uwsgi_lint.facts.View.start`, :mod:`uwsgi_lint.deploy`): a systemd unit without
``User=``, a supervisor program without ``user=``, a Dockerfile whose last ``USER`` is
root; a vassal is started by its Emperor, without root when the Emperor runs in Tyrant
mode (``setuid()`` to the vassal file's owner before exec) or dropped root itself
(``uid`` in the Emperor config, ``core/uwsgi.c: uwsgi_start()``).  With no uid and nothing
in the tree saying it starts as root, nothing is reported (unless ``context = "host"``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..deploy import Launch, Runs
from ..diagnostics import Finding, Related, Severity
from ..facts import AsRoot, View
from ..model import Directive, Role
from ..values import shown
from . import Entries, rule

_WHY = (
    "Started as root, uWSGI drops privileges only when `uid` names another user "
    "(core/utils.c: uwsgi_as_root()); otherwise any flaw in the app (a template injection, "
    "a deserialisation bug, an exposed uwsgi socket) runs code as root, and every file it "
    "writes belongs to root."
)


_USER_SETTING = {"systemd unit": "`User={}`", "Dockerfile": "`USER {}`",
                 "compose file": "`user: {}`", "Kubernetes manifest": "`runAsUser: {}`"}
_WHO = {"systemd unit": "systemd", "Dockerfile": "the Dockerfile", "compose file": "compose",
        "Kubernetes manifest": "Kubernetes"}


def _starter(launch: Launch) -> tuple[str, Related]:
    """How ``launch`` starts uwsgi as root, for a message, and the line that shows it."""
    if launch.user is not None:
        form = _USER_SETTING.get(launch.kind, "`user={}`").format(launch.user.value)
        who = _WHO.get(launch.kind, "supervisord")
        return (f" by {who} ({form})",
                Related(f"{form}: the {launch.kind} starts uwsgi as root", launch.user.span))
    if launch.kind == "systemd unit":
        return (" by systemd (no `User=`)",
                Related("no `User=` in this unit: systemd starts uwsgi as root", launch.span))
    if launch.kind == "init script":
        return (" by an init script",
                Related("this script runs uwsgi; init scripts run as root", launch.span))
    return (" by supervisord (no `user=`)",
            Related("no `user=` in this program: supervisord, run as root by its service, "
                    "starts uwsgi as root", launch.span))


@rule(
    "UW504",
    "runs-as-root",
    Severity.WARNING,
    "An instance that the tree shows is started as root, serving requests with no `uid` "
    "(or `uid = root`).",
    on=Entries(handlers=View.SERVES_HANDLERS),
)
def check(view: View, entry: Directive) -> Iterator[Finding]:
    """Judged once per instance, at the first socket or router it serves on."""
    if entry is not view.serving() or view.unprivileged_vassal():
        return
    if view.sets("immediate-uid"):
        return  # applied while the config is read: setuid() to another user, or an exit
    effect = view.uid_effect()
    if effect is None or effect[0] is not AsRoot.KEEPS:
        return
    named, sock, inst = effect[1], entry, view.inst
    start = view.start()
    if start.runs in (Runs.UNPRIVILEGED, Runs.CONTAINER) or (
            named is None and start.runs is Runs.UNKNOWN):
        return
    emperor = view.emperor if inst.role is Role.VASSAL else None
    if named is None and not (view.read_whole() and (emperor is None or emperor.read_whole())):
        return  # what was not read may set `uid`
    related: list[Related] = []
    how = "" if start.runs is Runs.UNKNOWN else " (`context = host`)"
    if start.launch is not None:
        how, shows = _starter(start.launch)
        related.append(shows)
    if emperor is not None and inst.monitor is not None:
        owner = ""
        if inst.owner is not None and inst.owner[0] != 0:
            owner = f" (uid {inst.owner[0]} for this file)"
        fix = "set `uid`/`gid` here or use `emperor-tyrant`"
        detail = (
            f"{_WHY} An Emperor that runs as root starts its vassals as root unless it sets "
            "`uid` itself (its vassals then run as that user: verified with uWSGI 2.0.31) "
            "or runs in Tyrant mode (`emperor-tyrant`: each vassal runs as the owner of its "
            f"file{owner})."
        )
        related.append(
            Related("the Emperor starts this vassal as root", inst.monitor.directive.span))
        started = f"its Emperor, started as root{how}, starts it as root"
    else:
        fix = "set `uid`/`gid` to an unprivileged user"
        detail = (
            f"{_WHY} Besides `uid`: start it as an unprivileged user (`User=` in the systemd unit, "
            "`user=` in the supervisor program, `USER` in the Dockerfile), or run it as a "
            "vassal of a Tyrant-mode Emperor (`emperor-tyrant`), which starts it as its "
            "file's owner."
        )
        started = f"started as root{how}, it serves requests as root"
    if named is not None:
        related.append(Related(f"the instance serves requests here (`{sock.key}`)", sock.span))
        yield Finding(
            named.value_span,
            f"`{named.key} = {shown(named.effective)}` keeps root: {started}; {fix}",
            tuple(related),
            detail=detail,
        )
        return
    yield Finding(sock.key_span, f"no `uid`: {started}; {fix}", tuple(related), detail=detail)


@rule(
    "UW510",
    "runs-as-container-root",
    Severity.INFO,
    "An instance that the tree shows runs in a container as root (no `USER`, `USER root`), "
    "serving requests with no `uid`.",
    on=Entries(handlers=View.SERVES_HANDLERS),
    group="hardening",
)
def check_container_root(view: View, entry: Directive) -> Iterator[Finding]:
    """UW504's container case: root in a container is the container's (its namespaces and
    capabilities), so this is hardening advice, not a fact of every deployment."""
    if entry is not view.serving() or view.unprivileged_vassal() or view.sets("immediate-uid"):
        return
    effect = view.uid_effect()
    start = view.start()
    if effect is None or effect[0] is not AsRoot.KEEPS or start.runs is not Runs.CONTAINER:
        return
    if effect[1] is None and not view.read_whole():
        return  # what was not read may set `uid`
    related: list[Related] = []
    launch = start.launch
    if launch is not None:
        user = launch.user
        said = (f"`{_USER_SETTING.get(launch.kind, 'user={}').format(user.value)}`"
                if user is not None else "no user set")
        related.append(Related(f"the {launch.kind} runs uwsgi as root here ({said})",
                               user.span if user is not None else launch.span))
    yield Finding(
        entry.key_span,
        "runs as root inside its container: a flaw in the app is root there; add `USER` "
        "to the image or set `uid`/`gid`",
        tuple(related),
        detail=(
            "Root in a container is limited by its namespaces and capabilities, but it can "
            "still write everything in the image and in mounted volumes, and a kernel or "
            "runtime flaw is easier to use from it. Run uwsgi as an unprivileged user: "
            "`USER app` in the Dockerfile (`user:` in compose, `runAsUser` in Kubernetes), "
            "or `uid`/`gid` in the config."
        ),
    )

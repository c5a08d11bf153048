"""UW201, UW202, UW211-UW214: how the Emperor process itself runs (``core/emperor.c:
uwsgi_emperor_start()``, ``emperor_loop()``, ``uwsgi_emperor_spawn_vassal()``) and what
it exposes.

* ``uwsgi_emperor_start()``: without sockets, gateways and master the process *becomes*
  the Emperor; otherwise the Emperor is forked, under a master that (without sockets)
  runs no workers.  In 2.0 the master treats SIGTERM as a brutal reload
  (``core/master.c``: ``reap_them_all`` unless ``die-on-term``), which buries the Emperor
  and every vassal, re-executes itself and starts them all again.
* ``emperor-stats`` binds TCP when its value holds a ``:``; an empty host is every
  interface.  The Emperor writes ``emperor-pidfile`` with ``fopen(.., "w")``.
* The vassal binary (``emperor-wrapper``, ``-override``, ``-fallback``) is run with
  ``execvp()``: a bare name is looked up in ``PATH``, a relative path in the vassal's
  working directory; none found -> exit 26, and the vassal is not respawned.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive
from ..values import flag_is_on, shown
from . import Entries, Instances, rule
from .exposure_sockets import CONTAINER_NETWORK, EXPOSED, address, where

WORLD_WRITABLE = ("/tmp/", "/var/tmp/", "/dev/shm/")
PIDFILES = ("pidfile", "pidfile2", "safe-pidfile", "safe-pidfile2")
WRAPPERS = ("emperor-wrapper", "emperor-wrapper-override", "emperor-wrapper-fallback")
_EXPANSIONS = ("$(", "%(", "@(")


def _features_note(features: list[Directive]) -> str:
    names = []
    for d in features:
        if f"`{d.key}`" not in names:
            names.append(f"`{d.key}`")
    shown_names = ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")
    return f"{shown_names} {'needs' if len(names) == 1 else 'need'} the master"


@rule(
    "UW201",
    "emperor-under-master",
    Severity.INFO,
    "`master` in an Emperor that serves nothing: the Emperor runs as a child of a master "
    "with no workers.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_under_master(view: View) -> Iterator[Finding]:
    if view.inst.emperor is not None or view.socket_or_gateway() is not None:
        return
    switch = view.master_switch()
    if switch is None or switch.key not in view.names("master"):
        return
    if view.master_features():
        return  # a master-only feature wants it
    if view.catalog.version == "2.0" and view.flag("die-on-term") is not True:
        return  # UW202 says it, with the SIGTERM trap
    yield Finding(
        switch.key_span,
        f"`{switch.key}` makes uWSGI fork the Emperor as a child of a master process that "
        "runs no workers, and nothing here needs the master (no master-only option such as "
        "`log-master`, `logger`, `stats` or `touch-reload`); remove it and the uWSGI "
        "process is the Emperor itself, the setup the uWSGI docs recommend",
    )


@rule(
    "UW202",
    "emperor-master-sigterm-reloads",
    Severity.WARNING,
    "An Emperor under a master without `die-on-term`: on uWSGI 2.0 SIGTERM restarts every "
    "vassal instead of stopping.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_sigterm(view: View) -> Iterator[Finding]:
    if view.catalog.version != "2.0" or view.inst.emperor is not None:
        return
    switch = view.master_switch()
    if switch is None or view.flag("die-on-term") is not False:
        return
    features = [d for _, d in view.master_features()]
    trap = (
        "uWSGI 2.0 treats SIGTERM to the master as a brutal reload, not a stop: it buries "
        "the Emperor (stopping every vassal), re-executes itself and starts them all again, "
        "so `systemctl stop` or `docker stop` only restart everything until their timeout "
        "kills the process"
    )
    explicit = switch.key in view.names("master")
    if not explicit:
        message = (
            f"`{switch.key}` turns the master on (every option flagged MASTER does), and "
            f"with a master {trap}; add `die-on-term = true`"
        )
    elif features:
        message = (
            f"with `{switch.key}` on ({_features_note(features)}), {trap}; "
            "add `die-on-term = true`"
        )
    elif view.socket_or_gateway() is not None:
        message = f"with `{switch.key}` on, {trap}; add `die-on-term = true`"
    else:
        message = (
            f"with `{switch.key}` on, {trap}; add `die-on-term = true`, or better remove "
            f"`{switch.key}`: nothing here needs it (the master runs no workers), and a "
            "master-less Emperor stops its vassals and exits on SIGTERM"
        )
    yield Finding(switch.key_span, message)


# -- stats servers ----------------------------------------------------------------------

_EMPEROR_STATS = (
    "every vassal with its config file name, pid, uid/gid, monitor and respawns, and the "
    "blacklist"
)
_STATS = (
    "the workers, the commands of attached daemons and crons, and the variables of "
    "requests in progress (cookies and Authorization headers included, unless "
    "`stats-no-cores`)"
)


@rule(
    "UW211",
    "emperor-stats-exposed",
    Severity.WARNING,
    "An Emperor's or a vassal's stats server on a network address: anyone who reaches it "
    "reads it, without authentication.",
    on=Entries(names=frozenset({"stats", "emperor-stats"}), unique=True),
)
def check_stats(view: View, d: Directive) -> Iterator[Finding]:
    emperor, vassal = view.governs(), view.inst.emperor is not None
    if not emperor and not vassal:
        return  # a standalone instance's `stats` is UW503's
    if d.key in view.names("emperor-stats"):
        if not emperor:
            return
        can = _EMPEROR_STATS
    else:
        can = _STATS
    if d.unresolved:
        return
    a = address(d.effective)
    if a.kind != "tcp" or a.scope not in EXPOSED:
        return
    if view.assume.container and a.scope in CONTAINER_NETWORK:
        return  # a container's own network: the other containers, by design
    whose = "the Emperor's" if can is _EMPEROR_STATS else (
        "this vassal's" if vassal else "the Emperor's master's")
    yield Finding(
        d.value_span,
        f"`{d.key} = {shown(d.effective)}` listens {where(a)}, with no authentication: "
        f"anyone who reaches it reads {whose} JSON stats: {can}; bind it to 127.0.0.1 "
        "or a UNIX socket (e.g. `/run/uwsgi/stats.sock`)",
    )


# -- emperor-pidfile --------------------------------------------------------------------


@rule(
    "UW212",
    "emperor-pidfile-unsafe",
    Severity.WARNING,
    "An `emperor-pidfile` that is relative, in a world-writable directory, or the same "
    "file as the master's pidfile.",
    on=Instances(needs=frozenset({"emperor-pidfile"})),
)
def check_pidfile(view: View) -> Iterator[Finding]:
    if not view.governs():
        return
    found = view.candidates("emperor-pidfile")
    d = found[0] if len(found) == 1 else None
    if d is None or d.unresolved or any(s in d.effective for s in _EXPANSIONS):
        return
    path = d.effective.strip()
    if not path:
        return
    if not os.path.isabs(path):
        early = view.flag("early-emperor") is True
        where = "the directory set with `chdir`" if view.first("chdir") and not early else (
            "the directory uWSGI is started from")
        yield Finding(
            d.value_span,
            f"`{d.key} = {shown(path)}` is relative: the Emperor writes it in its working "
            f"directory when it starts ({where}), so scripts and `PIDFile=` looking for it "
            "by that name may not find it; use an absolute path such as "
            "`/run/uwsgi/emperor.pid`",
        )
        return
    if path.startswith(WORLD_WRITABLE):
        yield Finding(
            d.value_span,
            f"`{d.key} = {shown(path)}` is in a world-writable directory: any local user "
            "can create that name first (e.g. as a symlink: the Emperor, often root, opens "
            "it with fopen(\"w\") and truncates whatever it points to unless "
            "fs.protected_symlinks is on), and systemd's PrivateTmp= hides it from other "
            "services; use a directory only root can write, such as `/run/uwsgi/`",
        )
        return
    if view.master_switch() is None:
        return  # no master: the process is the Emperor, one pid for both files
    norm = os.path.normpath(path)
    for name in PIDFILES:
        for other in view.candidates(name)[:1]:
            if other is None or other.unresolved:
                continue
            if os.path.normpath(other.effective.strip()) == norm:
                yield Finding(
                    d.value_span,
                    f"`{d.key}` names the same file as `{other.key}`: with a master the "
                    "Emperor is a separate process and overwrites the master's pid with "
                    "its own, so `uwsgi --reload`/`--stop` with that file signal the "
                    "Emperor instead of the master; give the Emperor a file of its own",
                    (Related(f"`{other.key}` is set here", other.span),),
                )
                return


# -- the vassal binary ------------------------------------------------------------------


@rule(
    "UW213",
    "emperor-wrapper-not-absolute",
    Severity.WARNING,
    "An `emperor-wrapper(-override/-fallback)` that is not an absolute path: found through "
    "PATH or the vassal's working directory.",
    on=Entries(names=frozenset(WRAPPERS), unique=True),
)
def check_wrapper(view: View, d: Directive) -> Iterator[Finding]:
    if not view.governs() or d.unresolved:
        return
    value = d.effective.strip()
    if not value or os.path.isabs(value) or any(s in value for s in _EXPANSIONS):
        return
    if "/" not in value:
        how = (
            f"execvp() looks `{shown(value)}` up in the PATH the Emperor was started "
            "with (systemd's default PATH has no virtualenv), and may run another "
            "binary of that name"
        )
    else:
        dir_monitor = any(m.kind == "dir" for m in view.inst.monitors)
        cwd = "the vassals directory the Emperor watches" if dir_monitor else (
            "the Emperor's working directory")
        how = (
            f"execvp() resolves `{shown(value)}` against the vassal's working directory "
            f"({cwd}), not against this file"
        )
    if d.key == "emperor-wrapper-override":
        fate = "when it is not found the Emperor silently falls back to the next binary"
    else:
        fate = (
            "when no binary is found the vassal exits with code 26 and the Emperor "
            "never respawns it"
        )
    yield Finding(
        d.value_span,
        f"`{d.key}` is not an absolute path: {how}; {fate}; write the full path",
    )


# -- uWSGI 2.1: the command socket ------------------------------------------------------


@rule(
    "UW214",
    "emperor-wait-for-command-inert",
    Severity.WARNING,
    "uWSGI 2.1: `emperor-wait-for-command(-ignore)` without `emperor-command-socket` (or "
    "`-ignore` without `wait-for-command`) does nothing.",
    on=Entries(names=frozenset({"emperor-wait-for-command", "emperor-wait-for-command-ignore"}),
               unique=True),
)
def check_wait_for_command(view: View, d: Directive) -> Iterator[Finding]:
    if view.catalog.version != "2.1" or not view.governs():
        return
    socket = view.candidates("emperor-command-socket")
    no_socket = socket == [None] or all(
        s is not None and not s.effective.strip() for s in socket)
    if d.key == "emperor-wait-for-command":
        if no_socket and flag_is_on(d.effective):
            yield Finding(
                d.key_span,
                "`emperor-wait-for-command` is only read when `emperor-command-socket` "
                "is set: without it the Emperor starts every vassal at once, without "
                "waiting for a spawn command; add `emperor-command-socket`",
            )
        return
    if no_socket:
        why = "`emperor-command-socket` is not set, so no vassal waits for a command"
    elif view.flag("emperor-wait-for-command") is False:
        why = "`emperor-wait-for-command` is off, so no vassal waits for a command"
    else:
        return
    yield Finding(
        d.key_span,
        f"`{d.key} = {shown(d.effective)}` does nothing: {why}; remove it or enable "
        "`emperor-wait-for-command` with an `emperor-command-socket`",
    )

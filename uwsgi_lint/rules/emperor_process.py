"""UW201, UW202, UW211-UW214, UW223: how the Emperor process itself runs (``core/emperor.c:
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

from ..deploy import Launch
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix, Role
from ..textfix import directive_after, remove_entry
from ..values import flag_is_on, shown
from . import Entries, Instances, rule
from .exposure_sockets import CONTAINER_NETWORK, EXPOSED, address, reach, where

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
    group="pedantic", on=Instances(needs=frozenset({"emperor"})),
    fix="unsafe",
)
def check_under_master(view: View) -> Iterator[Finding]:
    if view.inst.emperor is not None or view.socket_or_gateway() is not None:
        return
    if not view.read_whole():
        return  # what was not read may serve something, or need the master
    switch = view.master_switch()
    if switch is None or switch.key not in view.names("master"):
        return
    if view.master_features():
        return  # a master-only feature wants it
    if (view.catalog.version == "2.0" and view.flag("die-on-term") is not True
            and not _stopped_cleanly(view)[0]):
        return  # UW202 says it, with the SIGTERM trap
    yield Finding(
        switch.key_span,
        f"`{switch.key}` forks the Emperor under a master that runs no workers, and nothing "
        "here needs the master; remove it",
        detail="No master-only option such as `log-master`, `logger`, `stats` or "
        "`touch-reload` is set. Without the master the uWSGI process is the Emperor itself, "
        "the setup the uWSGI docs recommend.",
        fix=remove_entry(view, switch, f"remove the `{switch.key}` line", Applicability.UNSAFE),
    )


_STOP_KEY = {"systemd unit": "KillSignal=", "Dockerfile": "STOPSIGNAL",
             "compose file": "stop_signal:"}
_TRAP = (
    "uWSGI 2.0 treats SIGTERM to the master as a brutal reload, not a stop (core/master.c: "
    "reap_them_all() unless `die-on-term`): it buries the Emperor (stopping every vassal), "
    "re-executes itself and starts them all again, so `systemctl stop` or `docker stop` "
    "only restart everything until their timeout kills the process (verified with uWSGI "
    "2.0.31). SIGQUIT and SIGINT stop it, and so does SIGTERM with `die-on-term`; "
    "uwsgi-lint reads `KillSignal=`, `STOPSIGNAL`, `stop_signal`, `stopsignal=` and "
    "`--die-on-term` from the systemd unit, Dockerfile, compose file or supervisor program "
    "in the tree that starts this file."
)


def _starters(view: View) -> list[Launch]:
    """What starts this file in the tree, with the command line it gives uwsgi."""
    return [launch for launch in view.launches() if launch.args is not None]


def _stopped_cleanly(view: View) -> tuple[bool, list[Launch]]:
    """Whether every starter of this file in the tree stops it with SIGQUIT or SIGINT, or
    passes ``--die-on-term`` (none found: SIGTERM, what `systemctl stop` and `docker stop`
    send, is assumed); and the starters that stop it with SIGTERM."""
    starters = _starters(view)
    bad = [launch for launch in starters if launch.die_on_term() is None
           and launch.stop_signal() not in ("SIGQUIT", "SIGINT")]
    return bool(starters) and not bad, bad


def _stop_key(launch: Launch) -> str | None:
    """The setting that chooses the stop signal of ``launch`` (a Procfile has none)."""
    if launch.kind.startswith("supervisor"):
        return "stopsignal="
    return _STOP_KEY.get(launch.kind)


def _stop_setting(launch: Launch) -> str:
    """The stop signal of ``launch`` as its file sets it (``KillSignal=SIGQUIT``)."""
    key = _stop_key(launch) or ""
    sep = "" if key.endswith("=") or not key else " "
    return f"`{key}{sep}{launch.stop_signal()}`"


def _stopped_by(launch: Launch) -> Related:
    """Where ``launch`` says the signal that stops it (or, not said, its command)."""
    if launch.stop is not None:
        return Related(f"the {launch.kind} stops it with {launch.stop.value}", launch.stop.span)
    key = _stop_key(launch)
    return Related(f"the {launch.kind} stops it with SIGTERM"
                   + (f" (no `{key}`)" if key else ""), launch.span)


@rule(
    "UW202",
    "emperor-master-sigterm-reloads",
    Severity.WARNING,
    "An Emperor under a master that its stop signal reloads (uWSGI 2.0): SIGTERM without "
    "`die-on-term`, or SIGQUIT with it.",
    on=Instances(needs=frozenset({"emperor"})),
    fix="unsafe",
)
def check_sigterm(view: View) -> Iterator[Finding]:
    if view.catalog.version != "2.0" or view.inst.emperor is not None:
        return
    switch = view.master_switch()
    die = view.flag("die-on-term")
    if switch is None or die is None:
        return
    clean, bad = _stopped_cleanly(view)
    for launch in _starters(view):
        if (die or launch.die_on_term()) and launch.stop_signal() == "SIGQUIT":
            on = view.last("die-on-term") if die else None
            yield Finding(
                on.key_span if on is not None else switch.key_span,
                f"with `die-on-term`, {_stop_setting(launch)} reloads the Emperor and every "
                "vassal instead of stopping them; stop it with SIGTERM or SIGINT",
                (_stopped_by(launch),),
                detail="With `die-on-term` uWSGI 2.0 swaps the meaning of SIGTERM and "
                "SIGQUIT (core/master.c): SIGTERM stops the master and SIGQUIT is a brutal "
                "reload (verified with uWSGI 2.0.31: `--die-on-term` and SIGQUIT log "
                "\"binary reloading uWSGI...\").",
            )
            return
    if die or clean:
        return
    features = [d for _, d in view.master_features()]
    explicit = switch.key in view.names("master")
    reloads = "SIGTERM reloads the Emperor and every vassal instead of stopping them (uWSGI 2.0)"
    if not explicit:
        message = f"`{switch.key}` turns the master on, and {reloads}; add `die-on-term = true`"
    elif features:
        message = (f"with `{switch.key}` on ({_features_note(features)}), {reloads}; add "
                   "`die-on-term = true`")
    elif view.socket_or_gateway() is not None:
        message = f"with `{switch.key}` on, {reloads}; add `die-on-term = true`"
    else:
        message = (f"`{switch.key}` runs no workers here, and {reloads}; remove it, or add "
                   "`die-on-term = true`")
    detail = _TRAP
    if explicit and not features and view.socket_or_gateway() is None:
        detail += (" Nothing here needs the master: a master-less Emperor stops its "
                   "vassals and exits on SIGTERM.")
    yield Finding(switch.key_span, message, tuple(_stopped_by(b) for b in bad[:1]),
                  detail=detail, fix=_die_on_term(view, switch))


def _die_on_term(view: View, switch: Directive) -> Fix | None:
    """`die-on-term = true` added after the line that turns the master on, in the
    instance's own file, when no `die-on-term` is set and nothing that starts it stops it
    with SIGQUIT (which `die-on-term` turns into a reload)."""
    if (view.sets("die-on-term") or switch.file != view.inst.root.path or switch.origin
            or any(launch.stop_signal() == "SIGQUIT" for launch in _starters(view))):
        return None
    edit = directive_after(switch, "die-on-term", "true")
    if edit is None:
        return None
    return Fix(f"add `die-on-term = true` after the `{switch.key}` line", (edit,),
               Applicability.UNSAFE)


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
    if a.scope in CONTAINER_NETWORK and view.in_container() and view.published(a.port) is None:
        return  # a container's own network: the other containers, by design
    whose = "the Emperor's" if can is _EMPEROR_STATS else (
        "this vassal's" if vassal else "the Emperor's master's")
    yield Finding(
        d.value_span,
        f"`{d.key} = {shown(d.effective)}` serves {whose} JSON stats on {reach(a)}, with no "
        "authentication; bind it to 127.0.0.1 or a UNIX socket",
        detail=f"It listens {where(a)}: anyone who reaches it reads {whose} JSON stats: "
        f"{can}. A UNIX socket: e.g. `/run/uwsgi/stats.sock`.",
    )


# -- emperor-pidfile --------------------------------------------------------------------


@rule(
    "UW212",
    "emperor-pidfile-unsafe",
    Severity.WARNING,
    "An `emperor-pidfile` that is relative, in a world-writable directory, or the same "
    "file as the master's pidfile.",
    group="hardening", on=Instances(needs=frozenset({"emperor-pidfile"})),
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
            f"`{d.key} = {shown(path)}` is relative: the Emperor writes it in {where}; use an "
            "absolute path such as `/run/uwsgi/emperor.pid`",
            detail=f"The Emperor writes it in its working directory when it starts ({where}), "
            "so scripts and `PIDFile=` looking for it by that name may not find it.",
        )
        return
    if path.startswith(WORLD_WRITABLE):
        yield Finding(
            d.value_span,
            f"`{d.key} = {shown(path)}` is in a world-writable directory; use a directory only "
            "root can write, such as `/run/uwsgi/`",
            detail="Any local user can create that name first, e.g. as a symlink: the "
            "Emperor, often root, opens it with fopen(\"w\") and truncates whatever it points "
            "to unless fs.protected_symlinks is on. systemd's PrivateTmp= also hides it from "
            "other services.",
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
                    f"`{d.key}` names the same file as `{other.key}`: the Emperor overwrites "
                    "the master's pid with its own; give the Emperor a file of its own",
                    (Related(f"`{other.key}` is set here", other.span),),
                    detail="With a master the Emperor is a separate process, so `uwsgi "
                    "--reload`/`--stop` with that file signal the Emperor instead of the "
                    "master.",
                )
                return


# -- the vassal binary ------------------------------------------------------------------


@rule(
    "UW213",
    "emperor-wrapper-not-absolute",
    Severity.WARNING,
    "An `emperor-wrapper(-override/-fallback)` that is not an absolute path: found through "
    "PATH or the vassal's working directory.",
    group="hardening", on=Entries(names=frozenset(WRAPPERS), unique=True),
)
def check_wrapper(view: View, d: Directive) -> Iterator[Finding]:
    if not view.governs() or d.unresolved:
        return
    value = d.effective.strip()
    if not value or os.path.isabs(value) or any(s in value for s in _EXPANSIONS):
        return
    if "/" not in value:
        short = f"execvp() looks `{shown(value)}` up in the Emperor's PATH"
        how = (
            f"execvp() looks `{shown(value)}` up in the PATH the Emperor was started "
            "with (systemd's default PATH has no virtualenv), and may run another "
            "binary of that name"
        )
    else:
        dir_monitor = any(m.kind == "dir" for m in view.inst.monitors)
        cwd = "the vassals directory the Emperor watches" if dir_monitor else (
            "the Emperor's working directory")
        short = f"execvp() resolves `{shown(value)}` against the vassal's working directory"
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
        f"`{d.key}` is not an absolute path: {short}; write the full path",
        detail=f"{how}. {fate[0].upper()}{fate[1:]}.",
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
    if socket == [None] and not view.read_whole():
        return  # what was not read may set `emperor-command-socket`
    no_socket = socket == [None] or all(
        s is not None and not s.effective.strip() for s in socket)
    if d.key == "emperor-wait-for-command":
        if no_socket and flag_is_on(d.effective):
            yield Finding(
                d.key_span,
                "`emperor-wait-for-command` is ignored without `emperor-command-socket`: the "
                "Emperor starts every vassal at once; add `emperor-command-socket`",
                detail="It is only read when `emperor-command-socket` is set: without it the "
                "Emperor starts every vassal at once, without waiting for a spawn command.",
            )
        return
    if no_socket:
        why = "`emperor-command-socket` is not set"
    elif view.flag("emperor-wait-for-command") is False:
        why = "`emperor-wait-for-command` is off"
    else:
        return
    yield Finding(
        d.key_span,
        f"`{d.key} = {shown(d.effective)}` does nothing: {why}; remove it",
        detail="No vassal waits for a command. For this option to matter, enable "
        "`emperor-wait-for-command` with an `emperor-command-socket`.",
    )


# -- the vassal's side: the master that obeys the Emperor -------------------------------


@rule(
    "UW223",
    "vassal-master-off",
    Severity.WARNING,
    "A vassal with `master = false`: its Emperor can neither reload nor stop it (SIGKILL "
    "after 30 s, workers left running).",
    on=Instances(needs=frozenset({"master"})),
    fix="unsafe",
)
def check_vassal_master_off(view: View) -> Iterator[Finding]:
    emperor = view.emperor
    if view.inst.role is not Role.VASSAL or emperor is None:
        return
    # a vassal has the master unless an entry turns it off: the Emperor's environment
    # (UWSGI_EMPEROR_FD) turns it on before the config is read
    masters = view.candidates("master")
    if None in masters or view.flag("master") is not False:
        return
    cheapers = view.numbers("cheaper", 0)
    if cheapers and not any(c <= 0 for _, c in cheapers):
        return  # UW415 says it, with what it does to Cheaper
    d = masters[0]
    assert d is not None
    tolerance = emperor.decided_number("emperor-curse-tolerance", 30)
    after = f"{tolerance[1]} s" if tolerance is not None else "`emperor-curse-tolerance`"
    injected = any(o.kind.startswith("vassal") for o in d.origin)
    yield Finding(
        view.file_start if injected else (d.value_span if d.raw_value else d.key_span),
        f"`{d.key} = {shown(d.effective)}` in a vassal: its Emperor can neither reload nor "
        f"stop it (SIGKILL after {after}, workers left running); remove this line",
        detail="A vassal's master is what obeys its Emperor: uWSGI turns it on for every "
        "vassal, and this line turns it off again. Touching the file then reloads nothing, "
        f"and removing it or stopping the Emperor ends, after {after}, in a SIGKILL of the "
        "main process (\"NO MERCY for vassal\") that leaves its workers running, orphaned, "
        "on the vassal's sockets (verified with uWSGI 2.0.31). A vassal without any `master` "
        "line has the master.",
        fix=None if injected else remove_entry(view, d, f"remove the `{d.key}` line",
                                               Applicability.UNSAFE),
    )

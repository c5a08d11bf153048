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

from ..context import is_emperor
from ..diagnostics import Finding, Related, Severity
from ..expand import Instance
from ..facts import View
from ..model import Directive
from ..values import candidates, flag_is_on, names_of, shown, unique_entries
from . import Instances, rule
from .exposure_sockets import CONTAINER_NETWORK, EXPOSED, address, where
from .unknown_option import loaded_plugins

MASTER_FLAGS = frozenset({"MASTER", "LOG_MASTER", "REQ_LOG_MASTER"})
# option handlers that give the instance sockets (uwsgi.sockets) or a gateway process
SERVING_HANDLERS = frozenset({
    "uwsgi_opt_add_socket",
    "uwsgi_opt_add_ssl_socket",
    "uwsgi_opt_add_socket_no_defer",
    "uwsgi_opt_add_lazy_socket",
    "uwsgi_opt_corerouter",
    "uwsgi_opt_undeferred_corerouter",
    "uwsgi_opt_corerouter_ss",
    "uwsgi_opt_corerouter_zerg",
    "uwsgi_opt_https",
    "uwsgi_opt_sslrouter",
})
SERVING_NAMES = frozenset({"tuntap-router", "zergpool"})
WORLD_WRITABLE = ("/tmp/", "/var/tmp/", "/dev/shm/")
PIDFILES = ("pidfile", "pidfile2", "safe-pidfile", "safe-pidfile2")
WRAPPERS = ("emperor-wrapper", "emperor-wrapper-override", "emperor-wrapper-fallback")
_EXPANSIONS = ("$(", "%(", "@(")


def governs(inst: Instance) -> bool:
    """The instance runs an Emperor (it has an ``emperor`` monitor)."""
    return is_emperor(inst)


def is_vassal(inst: Instance) -> bool:
    return inst.emperor is not None


def decided_flag(inst: Instance, ctx: View, name: str) -> bool | None:
    """A flag's value when every possible effective entry agrees (``None``: undecided)."""
    values = {
        False if d is None else (None if d.unresolved else flag_is_on(d.effective))
        for d in candidates(inst, ctx.catalog, name)
    }
    return values.pop() if len(values) == 1 else None


def master_features(inst: Instance, ctx: View) -> list[tuple[int, Directive]]:
    """Entries whose MASTER / LOG_MASTER flag turns the master on (core/config.c), for
    options uWSGI knows when the key is added (core, default build or a loaded plugin)."""
    plugins = loaded_plugins(inst, ctx)
    out = []
    for i, d in unique_entries(inst):
        opt = ctx.catalog.get(d.key)
        if opt is None or not MASTER_FLAGS & opt.flags:
            continue
        if opt.plugin == "core" or opt.default_build or opt.plugin in plugins:
            out.append((i, d))
    return out


def master_switch(inst: Instance, ctx: View) -> Directive | None:
    """The entry that turns the master on, when it is surely on: the effective ``master``
    line, or (``master`` never set) the first option flagged MASTER."""
    found = candidates(inst, ctx.catalog, "master")
    if found == [None]:
        decided = [d for i, d in master_features(inst, ctx) if i not in inst.conditional]
        return decided[0] if decided else None
    if all(d is not None and not d.unresolved and flag_is_on(d.effective) for d in found):
        return found[0]
    return None


def serving(inst: Instance, ctx: View) -> Directive | None:
    """A socket or gateway option: with one, the master runs workers or a router."""
    for d in inst.options:
        opt = ctx.catalog.get(d.key)
        if opt is not None and (opt.handler in SERVING_HANDLERS or d.key in SERVING_NAMES):
            return d
    return None


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
    on=Instances(),
)
def check_under_master(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    if not governs(inst) or is_vassal(inst) or serving(inst, ctx) is not None:
        return
    switch = master_switch(inst, ctx)
    if switch is None or switch.key not in names_of(ctx.catalog, "master"):
        return
    if master_features(inst, ctx):
        return  # a master-only feature wants it
    if ctx.catalog.version == "2.0" and decided_flag(inst, ctx, "die-on-term") is not True:
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
    on=Instances(),
)
def check_sigterm(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    if ctx.catalog.version != "2.0" or not governs(inst) or is_vassal(inst):
        return
    switch = master_switch(inst, ctx)
    if switch is None or decided_flag(inst, ctx, "die-on-term") is not False:
        return
    features = [d for _, d in master_features(inst, ctx)]
    trap = (
        "uWSGI 2.0 treats SIGTERM to the master as a brutal reload, not a stop: it buries "
        "the Emperor (stopping every vassal), re-executes itself and starts them all again, "
        "so `systemctl stop` or `docker stop` only restart everything until their timeout "
        "kills the process"
    )
    explicit = switch.key in names_of(ctx.catalog, "master")
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
    elif serving(inst, ctx) is not None:
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
    on=Instances(),
)
def check_stats(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    emperor = governs(inst)
    if not emperor and not is_vassal(inst):
        return  # a standalone instance's `stats` is UW503's
    table = {n: _STATS for n in names_of(ctx.catalog, "stats")}
    if emperor:
        table.update({n: _EMPEROR_STATS for n in names_of(ctx.catalog, "emperor-stats")})
    for _, d in unique_entries(inst):
        can = table.get(d.key)
        if can is None or d.unresolved:
            continue
        a = address(d.effective)
        if a.kind != "tcp" or a.scope not in EXPOSED:
            continue
        if ctx.assume.container and a.scope in CONTAINER_NETWORK:
            continue  # a container's own network: the other containers, by design
        whose = "the Emperor's" if can is _EMPEROR_STATS else (
            "this vassal's" if is_vassal(inst) else "the Emperor's master's")
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
    on=Instances(),
)
def check_pidfile(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    if not governs(inst):
        return
    found = candidates(inst, ctx.catalog, "emperor-pidfile")
    d = found[0] if len(found) == 1 else None
    if d is None or d.unresolved or any(s in d.effective for s in _EXPANSIONS):
        return
    path = d.effective.strip()
    if not path:
        return
    if not os.path.isabs(path):
        early = decided_flag(inst, ctx, "early-emperor") is True
        where = "the directory set with `chdir`" if inst.first("chdir") and not early else (
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
    if master_switch(inst, ctx) is None:
        return  # no master: the process is the Emperor, one pid for both files
    norm = os.path.normpath(path)
    for name in PIDFILES:
        for other in candidates(inst, ctx.catalog, name)[:1]:
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
    on=Instances(),
)
def check_wrapper(view: View) -> Iterator[Finding]:
    inst = view.inst
    if not governs(inst):
        return
    dir_monitor = any(m.kind == "dir" for m in inst.monitors)
    for _, d in unique_entries(inst):
        if d.key not in WRAPPERS or d.unresolved:
            continue
        value = d.effective.strip()
        if not value or os.path.isabs(value) or any(s in value for s in _EXPANSIONS):
            continue
        if "/" not in value:
            how = (
                f"execvp() looks `{shown(value)}` up in the PATH the Emperor was started "
                "with (systemd's default PATH has no virtualenv), and may run another "
                "binary of that name"
            )
        else:
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
    on=Instances(),
)
def check_wait_for_command(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    if ctx.catalog.version != "2.1" or not governs(inst):
        return
    socket = candidates(inst, ctx.catalog, "emperor-command-socket")
    no_socket = socket == [None] or all(
        d is not None and not d.effective.strip() for d in socket)
    wait = decided_flag(inst, ctx, "emperor-wait-for-command")
    if no_socket:
        for _, d in unique_entries(inst):
            if d.key == "emperor-wait-for-command" and flag_is_on(d.effective):
                yield Finding(
                    d.key_span,
                    "`emperor-wait-for-command` is only read when `emperor-command-socket` "
                    "is set: without it the Emperor starts every vassal at once, without "
                    "waiting for a spawn command; add `emperor-command-socket`",
                )
    for _, d in unique_entries(inst):
        if d.key != "emperor-wait-for-command-ignore":
            continue
        if no_socket:
            why = "`emperor-command-socket` is not set, so no vassal waits for a command"
        elif wait is False:
            why = "`emperor-wait-for-command` is off, so no vassal waits for a command"
        else:
            continue
        yield Finding(
            d.key_span,
            f"`{d.key} = {shown(d.effective)}` does nothing: {why}; remove it or enable "
            "`emperor-wait-for-command` with an `emperor-command-socket`",
        )

"""UW120-UW125: what uWSGI refuses (or quietly changes) at start-up, after reading the
config: ``core/init.c: sanitize_args()``, the option handlers in ``core/uwsgi.c``,
``core/utils.c: uwsgi_as_root()`` and ``core/socket.c: create_server_socket()``.

uWSGI reports these with one line that names no file and no line; these rules point at
the directive to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..deploy import Runs
from ..diagnostics import Finding, Related, Severity
from ..facts import AsRoot, View
from ..model import Applicability, Directive, Fix
from ..textfix import directive_after, replace_value, written_value
from ..values import atoi, is_a_number, shown
from . import Entries, Instances, rule

MIN_WORKER_LIFETIME = 10  # core/init.c: uwsgi_init_default()
SOMAXCONN_OLD = 128  # net.core.somaxconn before Linux 5.4
SOMAXCONN_NEW = 4096  # since Linux 5.4
_EXPANSIONS = ("$(", "%(", "@(")
_OCTAL3 = re.compile(r"[0-7]{3}")


@rule(
    "UW120",
    "worker-lifetime-not-above-minimum",
    Severity.ERROR,
    "`max-worker-lifetime` at or below `min-worker-lifetime` (default 10): uWSGI exits.",
    on=Instances(needs=frozenset({"max-worker-lifetime"})),
)
def check_lifetime(view: View) -> Iterator[Finding]:
    maxes = view.numbers("max-worker-lifetime", 0)
    mins = view.numbers("min-worker-lifetime", MIN_WORKER_LIFETIME)
    if maxes is None or mins is None:
        return
    seen: set[object] = set()
    for d, mx in maxes:
        if d is None or mx == 0 or (d.file, d.loc.whole) in seen:
            continue  # 0: off
        if not all(mn >= mx for _, mn in mins):
            continue
        seen.add((d.file, d.loc.whole))
        mn = max(n for _, n in mins)
        explicit = [m for m, _ in mins if m is not None]
        if len(explicit) < len(mins) and not view.read_whole():
            return  # the default counts, and what was not read may set it
        if explicit:
            what = f"`min-worker-lifetime` ({' or '.join(str(n) for _, n in mins)})"
            fix = f"raise it above {mn} s or lower `min-worker-lifetime`"
        else:
            what = f"`min-worker-lifetime` ({mn}: not set, the default)"
            fix = f"use more than {mn} seconds"
        yield Finding(
            d.value_span,
            f"`{d.key}` ({mx} s) is not above {what}: uWSGI exits at start-up; {fix}",
            tuple(Related("`min-worker-lifetime` is set here", m.span) for m in explicit),
            detail=f"uWSGI exits with \"invalid min-worker-lifetime value ({mn}), must be "
            f"lower than max-worker-lifetime ({mx})\".",
        )


def _chmod_fix(value: str) -> tuple[str, str, str | None]:
    """What to write instead, why (or ""), and the mode the fix writes, when the digits are
    written with a leading 0 or blanks around them (an inline comment is UW105's fix)."""
    v = value.strip()
    if re.fullmatch(r"0[0-7]{3}", v):
        return f"write it with three digits, without the leading 0: `{v[1:]}`", "", v[1:]
    m = re.match(r"([0-7]{3}|1)\s+[#;]", v)
    if m:
        return (f"keep only `{m.group(1)}` on the line",
                " uWSGI has no inline comments, so the comment is part of the value.", None)
    if _OCTAL3.fullmatch(v) and v != value:
        return f"remove the blanks around `{v}`", "", v
    return "write exactly three octal digits (`660`, `666`), or `1` for 666", "", None


@rule(
    "UW121",
    "invalid-chmod-socket",
    Severity.ERROR,
    "A `chmod-socket` value that is not three octal digits (or `1`): uWSGI exits.",
    on=Entries(names=frozenset({"chmod-socket"}), unique=True),
    fix="safe",
)
def check_chmod(view: View, d: Directive) -> Iterator[Finding]:
    # every entry goes through the handler, not only the last one
    if d.unresolved:
        return
    value = d.effective
    if value == "1" or _OCTAL3.fullmatch(value):
        return
    span = d.value_span if d.raw_value else d.key_span
    what = f"`{shown(value)}`" if value else "an empty value"
    if d.note:
        what += f" ({d.note})"
    advice, why, mode = _chmod_fix(value)
    edits = replace_value(d, mode) if mode is not None else None
    yield Finding(
        span,
        f"`{d.key}` takes three octal digits or `1`: uWSGI exits on {what}; {advice}",
        detail=f"uWSGI exits at start-up with \"invalid chmod value: {shown(value)}\".{why}",
        fix=Fix(f"write `{d.key} = {mode}`", edits, Applicability.SAFE) if edits else None,
    )


@rule(
    "UW122",
    "uid-gid-zero",
    Severity.ERROR,
    "`uid = 0` / `gid = 0` are looked up as the user/group *named* \"0\": uWSGI exits as root.",
    on=Instances(needs=frozenset({"uid", "gid"})),
)
def check_zero_ids(view: View) -> Iterator[Finding]:
    if view.unprivileged_vassal():
        return  # not root: uWSGI ignores the names
    for key, kind in (("uid", "user"), ("gid", "group")):
        setter, number_after = view.id_name(key)
        if setter is None or not is_a_number(setter.effective):
            continue
        value = setter.effective
        later = ""
        if number_after:
            later = f", and the later numeric `{key}` does not clear that name"
        span = setter.value_span if setter.raw_value else setter.key_span
        written = f"`{key} = {value}`" if value else f"an empty `{key}`"
        yield Finding(
            span,
            f"uWSGI reads {written} as the {kind} *name* \"{value}\": started as root it "
            f"exits; to stay root, remove the line or write `{key} = root`",
            detail=f"A numeric id of 0 counts as unset{later}, so uWSGI looks the name up and "
            f"exits with \"{kind} {value} not found.\"",
        )


@rule(
    "UW123",
    "uid-without-gid",
    Severity.WARNING,
    "`uid` without `gid`: uWSGI drops the user but keeps group root (gid 0).",
    on=Instances(needs=frozenset({"uid"})),
    fix="unsafe",
)
def check_uid_without_gid(view: View) -> Iterator[Finding]:
    if view.sets("gid") or view.sets("immediate-gid") or not view.read_whole():
        return  # (what was not read may set `gid`)
    if view.unprivileged_vassal() or view.start().runs is Runs.UNPRIVILEGED:
        return  # not root (the tree shows who starts it): uWSGI cannot change the group anyway
    # the latest way the `uid` entries may go that drops root (staying root, or exiting:
    # UW122's case, is not reported); an undecided one is reported as for when it applies
    drops = [o for o in view.id_outcomes("uid") or () if view.as_root(o) is AsRoot.DROPS]
    if not drops:
        return
    d = drops[-1].name_entry if drops[-1].name_entry is not None else drops[-1].id_entry
    if d is None:
        return
    value = d.effective
    yield Finding(
        d.key_span,
        f"`{d.key} = {shown(value)}` without `gid`: started as root, the processes keep group "
        "root (gid 0); add `gid` (the user's group)",
        detail="uWSGI switches the user but never calls setgid(), so the processes keep group "
        "root and the supplementary groups they started with, and the files they create "
        "belong to group root.",
        fix=_gid_fix(view, d),
    )


def _gid_fix(view: View, d: Directive) -> Fix | None:
    """`gid` named as the user, added after ``d``: the only `uid` entry, written as uWSGI
    reads it in the instance's own file (a guess: the user's group may have another
    name)."""
    if (d.key != "uid" or d.file != view.inst.root.path or d.origin
            or len(view.entries("uid")) != 1 or written_value(d) is None):
        return None
    edit = directive_after(d, "gid", d.effective)
    if edit is None:
        return None
    return Fix(f"add `gid = {d.effective}` after the `uid` line", (edit,), Applicability.UNSAFE)


def _listen(view: View) -> Iterator[tuple[Directive, int]]:
    """The effective `listen` and its lowest possible value, when every possible value is
    above the old limit."""
    values: list[tuple[Directive, int]] = []
    for d in view.candidates("listen"):
        if d is None:
            return  # default 100
        if any(s in d.value for s in _EXPANSIONS):
            return  # IMMEDIATE: never expanded, read as 0 (UW111's case)
        values.append((d, atoi(d.value).value))
    if values and all(n > SOMAXCONN_OLD for _, n in values):
        yield values[0][0], min(n for _, n in values)


_LISTEN_FAILS = (
    "uWSGI refuses to bind every socket with \"Listen queue size is greater than the system "
    "max net.core.somaxconn\" and exits"
)


@rule(
    "UW124",
    "listen-above-somaxconn",
    Severity.ERROR,
    "`listen` above 4096, the default `net.core.somaxconn`: uWSGI exits unless it is raised.",
    on=Instances(needs=frozenset({"listen"})),
)
def check_listen(view: View) -> Iterator[Finding]:
    for d, lowest in _listen(view):
        if lowest <= SOMAXCONN_NEW:
            continue
        n = atoi(d.value).value
        yield Finding(
            d.value_span,
            f"`listen` ({n}) is above net.core.somaxconn on a default Linux ({SOMAXCONN_NEW}): "
            "uWSGI exits; lower `listen` or raise the sysctl wherever this config runs",
            detail=f"The default net.core.somaxconn is {SOMAXCONN_NEW} since Linux 5.4, "
            f"{SOMAXCONN_OLD} before: {_LISTEN_FAILS}, unless the host sets `sysctl "
            f"net.core.somaxconn` to at least {n}.",
        )


@rule(
    "UW125",
    "listen-above-old-somaxconn",
    Severity.WARNING,
    "`listen` above 128, the default `net.core.somaxconn` before Linux 5.4.",
    group="pedantic", on=Instances(needs=frozenset({"listen"})),
)
def check_listen_old(view: View) -> Iterator[Finding]:
    for d, lowest in _listen(view):
        if lowest > SOMAXCONN_NEW:
            continue
        n = atoi(d.value).value
        yield Finding(
            d.value_span,
            f"`listen` ({n}) is above {SOMAXCONN_OLD}, the net.core.somaxconn of Linux before "
            f"5.4: uWSGI exits there; keep `listen` at most {SOMAXCONN_OLD} or raise the sysctl",
            detail=f"Hosts with a kernel before 5.4 (RHEL/CentOS 7 and 8, Ubuntu 18.04, Debian "
            f"10; {SOMAXCONN_NEW} since): there {_LISTEN_FAILS}, unless `sysctl "
            f"net.core.somaxconn` is at least {n}.",
        )

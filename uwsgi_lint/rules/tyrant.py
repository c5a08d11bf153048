"""UW301-UW308: Tyrant mode (``emperor-tyrant``), as ``core/emperor.c`` runs it.

In Tyrant mode the Emperor starts each vassal as the owner of its file: it takes the
file's uid/gid at every scan (``stat()``, or ``lstat()`` under ``emperor-nofollow`` /
``emperor-tyrant-nofollow``), refuses a file owned by uid 0 or gid 0 (``emperor_add()``)
and, in the child, calls ``setgid()``/``setgroups(0)``/``setuid()`` before exec
(``uwsgi_emperor_spawn_vassal()``).  The vassal is then not root, so its own ``uid`` and
``gid`` go through the non-root branch of ``core/utils.c: uwsgi_as_root()``.

Owners are taken from the files on disk (``Instance.owner``/``link_owner``).  Inside a
version-control checkout they are those of whoever cloned it, not of the deployed files,
so the rules that compare owners stay silent there (an etckeeper ``/etc`` counts as real),
and so they do for a copy of a vassals directory that lives elsewhere (``mapped_from``).
"""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Finding, Related, Severity
from ..expand import Instance
from ..facts import View
from ..model import Directive, Position, Span
from ..values import atoi, candidates, flag_is_on, is_a_number, possible_numbers, shown
from . import Instances, rule

_VCS = (".git", ".hg", ".svn", ".bzr")
# `cap` names (core/utils.c: uwsgi_cap_list, compared with strcmp) or numbers
_CAPS = {"setgid": "setgid", "6": "setgid", "setuid": "setuid", "7": "setuid"}
# an Emperor that keeps root although it sets `uid` (core/uwsgi.c: uwsgi_start() drops
# privileges before it starts the Emperor unless one of these flags is on)
_KEEPS_ROOT = ("early-emperor", "master-as-root", "drop-after-init", "drop-after-apps")


# -- shared helpers ----------------------------------------------------------------------


def flag_state(inst: Instance, catalog: Catalog, name: str) -> bool | None:
    """Whether a flag is on: ``None`` when undecided conditions or an unresolved value
    leave it open."""
    states: set[bool] = set()
    for d in candidates(inst, catalog, name):
        if d is None:
            states.add(False)
        elif d.unresolved:
            return None
        else:
            states.add(flag_is_on(d.effective))
    return states.pop() if len(states) == 1 else None


def last_entry(inst: Instance, catalog: Catalog, name: str) -> Directive | None:
    found = candidates(inst, catalog, name)
    return found[0]


def tyrant_line(emperor: Instance, catalog: Catalog) -> Directive | None:
    """The `emperor-tyrant` entry that puts ``emperor`` in Tyrant mode, when it surely is."""
    if flag_state(emperor, catalog, "emperor-tyrant") is not True:
        return None
    return last_entry(emperor, catalog, "emperor-tyrant")


def _tyrant_vassal(inst: Instance, catalog: Catalog) -> Directive | None:
    if inst.role != "vassal" or inst.emperor is None:
        return None
    return tyrant_line(inst.emperor, catalog)


def _in_checkout(directory: str) -> bool:
    """A version-control working tree (not an etckeeper-managed ``/etc``)."""
    d = directory
    while True:
        if any(os.path.exists(os.path.join(d, v)) for v in _VCS):
            return not os.path.exists(os.path.join(d, ".etckeeper"))
        parent = os.path.dirname(d)
        if parent == d:
            return False
        d = parent


def real_owner(inst: Instance) -> tuple[int, int] | None:
    """The owner the Emperor sees, when it says something about the deployed file: not in
    a checkout, nor in a copy of a directory that lives elsewhere (a monitor whose absolute
    path was found inside the linted tree)."""
    if inst.owner is None or (inst.monitor is not None and inst.monitor.mapped_from):
        return None
    if _in_checkout(os.path.dirname(os.path.abspath(inst.root.path))):
        return None
    return inst.owner


def _user(uid: int) -> str:
    try:
        return f"{uid} ({pwd.getpwuid(uid).pw_name})"
    except (KeyError, OverflowError):
        return str(uid)


def _group(gid: int) -> str:
    try:
        return f"{gid} ({grp.getgrgid(gid).gr_name})"
    except (KeyError, OverflowError):
        return str(gid)


def owner_text(owner: tuple[int, int]) -> str:
    return f"uid {_user(owner[0])}, gid {_group(owner[1])}"


def _lookup(key: str, name: str) -> int | None:
    """What a user/group name is on this machine."""
    try:
        return pwd.getpwnam(name).pw_uid if key == "uid" else grp.getgrnam(name).gr_gid
    except (KeyError, ValueError):
        return None


def file_start(inst: Instance) -> Span:
    return Span(inst.root.path, Position(1, 1), Position(1, 1))


def vassal_name(inst: Instance) -> str:
    """The name the Emperor logs: the bare file name for a directory monitor, the path
    that glob() gives (relative when the pattern is) for a glob monitor."""
    if inst.monitor is None:
        return inst.root.path
    if inst.monitor.kind == "dir":
        return os.path.basename(inst.root.path)
    pattern = inst.monitor.directive.effective.removeprefix("glob://")
    if not os.path.isabs(pattern) and inst.emperor is not None and inst.emperor.cwd:
        return os.path.relpath(inst.root.path, inst.emperor.cwd)
    return inst.root.path


def _related_tyrant(d: Directive) -> tuple[Related, ...]:
    return (Related("the Emperor runs in Tyrant mode here", d.span),)


# -- UW301, UW302: Tyrant options that do nothing --------------------------------------


@rule(
    "UW301",
    "tyrant-without-emperor",
    Severity.WARNING,
    "`emperor-tyrant` in a config that runs no Emperor: uWSGI ignores it.",
    on=Instances(),
)
def check_without_emperor(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    cat = ctx.catalog
    if any(d.key == "emperor" for d in inst.options):
        return
    if flag_state(inst, cat, "emperor-tyrant") is not True:
        return
    d = last_entry(inst, cat, "emperor-tyrant")
    assert d is not None
    if inst.role == "vassal":
        fix = (
            "a vassal cannot put itself in Tyrant mode: set it in the config of the Emperor "
            "that starts it"
        )
    else:
        fix = "add the `emperor` monitor (a vassals directory) or remove the line"
    yield Finding(
        d.key_span,
        f"`{d.key}` is read only by an Emperor, and this config sets no `emperor`: uWSGI "
        f"ignores it silently and nothing runs as the owner of its file; {fix}",
    )


@rule(
    "UW302",
    "tyrant-nofollow-without-tyrant",
    Severity.WARNING,
    "`emperor-tyrant-nofollow` without `emperor-tyrant`: ignored, vassals do not run as their "
    "owners.",
    on=Instances(),
)
def check_nofollow_alone(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    cat = ctx.catalog
    if flag_state(inst, cat, "emperor-tyrant-nofollow") is not True:
        return
    if flag_state(inst, cat, "emperor-tyrant") is not False:
        return
    d = last_entry(inst, cat, "emperor-tyrant-nofollow")
    assert d is not None
    off = last_entry(inst, cat, "emperor-tyrant")
    why = "`emperor-tyrant` is not set"
    if off is not None:
        why = f"`emperor-tyrant = {shown(off.effective)}` leaves Tyrant mode off"
    yield Finding(
        d.key_span,
        f"`{d.key}` only chooses whose owner Tyrant mode uses for a symlinked vassal (the "
        f"link's instead of the target's), and {why}: uWSGI ignores it "
        "(`core/emperor.c` tests both) and starts every vassal with the Emperor's own "
        "privileges, not as the owner of its file; add `emperor-tyrant = true` or remove "
        "the line",
        (Related("Tyrant mode is off here", off.span),) if off is not None else (),
    )


# -- UW303: a vassal file owned by root ------------------------------------------------


@rule(
    "UW303",
    "tyrant-vassal-owned-by-root",
    Severity.ERROR,
    "Tyrant mode and a vassal file owned by uid 0 or gid 0: the Emperor never starts it.",
    on=Instances(),
)
def check_root_owned(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    cat = ctx.catalog
    tyrant = _tyrant_vassal(inst, cat)
    owner = real_owner(inst)
    if tyrant is None or owner is None or (owner[0] != 0 and owner[1] != 0):
        return
    assert inst.emperor is not None
    freq = possible_numbers(inst.emperor, cat, "emperor-freq", 3)
    every = f"every {freq[0][1]} s" if freq and len(freq) == 1 else "at every scan"
    which = "uid 0 (root)" if owner[0] == 0 else "gid 0 (group root is enough)"
    ids = {key: _numeric_id(inst, key) for key in ("uid", "gid")}
    hint = "the user and group the vassal should run as"
    if ids["uid"] and ids["gid"]:
        hint = (
            f"{ids['uid']}:{ids['gid']}, the ids it sets (`chown {ids['uid']}:{ids['gid']} "
            f"{os.path.basename(inst.root.path)}`), and drop its `uid`/`gid` lines"
        )
    yield Finding(
        file_start(inst),
        f"the Emperor runs in Tyrant mode and this file belongs to {owner_text(owner)}: it "
        f"refuses any vassal owned by {which}, logs \"[emperor-tyrant] invalid permissions "
        f"for vassal {vassal_name(inst)}\" {every} and never starts it; chown the file to "
        f"{hint}",
        _related_tyrant(tyrant),
    )


def _numeric_id(inst: Instance, key: str) -> int:
    ident, _, _, sure = replay_id(inst, key)
    return ident if sure else 0


def replay_id(inst: Instance, key: str) -> tuple[int, Directive | None, Directive | None, bool]:
    """``uwsgi_opt_set_uid``/``_gid`` over every entry: a number sets the id, and while the
    id is 0 the value is kept as a name.  Returns the id, the entry that set it, the entry
    whose value is the name, and whether that can be told here (no undecided entry, no
    unresolved value)."""
    ident, id_entry, name_entry = 0, None, None
    for i, d in enumerate(inst.options):
        if d.key != key:
            continue
        if d.unresolved or i in inst.conditional:
            return 0, None, None, False
        value = d.effective
        if is_a_number(value):
            ident, id_entry = atoi(value).value % 2**32, d
        if ident == 0:
            name_entry = d
    return ident, id_entry, name_entry, True


# -- UW304-UW306: `uid`/`gid` in a Tyrant vassal ---------------------------------------

_SETTER = {"uid": "setuid", "gid": "setgid"}
_KIND = {"uid": "user", "gid": "group"}


def _uid_findings(
    inst: Instance, ctx: View
) -> Iterator[tuple[str, Directive, str, Directive, tuple[int, int] | None]]:
    """(outcome, entry, key, tyrant line, owner) for each `uid`/`gid` of a Tyrant vassal:
    outcome "fatal" (a number that is not the owner's), "ignored" (a name) or "redundant"
    (the owner's own id)."""
    tyrant = _tyrant_vassal(inst, ctx.catalog)
    if tyrant is None:
        return
    owner = real_owner(inst)  # None: not known here, names are still ignored
    if owner is not None and (owner[0] == 0 or owner[1] == 0):
        return  # refused before it starts: UW303
    for pos, key in enumerate(("uid", "gid")):
        ident, id_entry, name_entry, sure = replay_id(inst, key)
        if not sure:
            continue
        if ident != 0 and id_entry is not None:
            if owner is None:
                continue
            yield ("redundant" if ident == owner[pos] else "fatal"), id_entry, key, tyrant, owner
        elif name_entry is not None:
            named = _lookup(key, name_entry.effective) if name_entry.effective else None
            same = owner is not None and named is not None and named == owner[pos]
            yield ("redundant" if same else "ignored"), name_entry, key, tyrant, owner


def _span(d: Directive) -> Span:
    return d.value_span if d.raw_value else d.key_span


@rule(
    "UW304",
    "tyrant-vassal-uid-mismatch",
    Severity.ERROR,
    "A Tyrant vassal sets a numeric `uid`/`gid` other than its file's owner: it exits and is "
    "respawned forever.",
    on=Instances(),
)
def check_uid_fatal(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    for outcome, d, key, tyrant, owner in _uid_findings(inst, ctx):
        if outcome != "fatal" or owner is None:
            continue
        mine = _user(owner[0]) if key == "uid" else _group(owner[1])
        yield Finding(
            _span(d),
            f"Tyrant mode starts this vassal as the owner of its file ({owner_text(owner)}), "
            f"so it is no longer root: `{d.key} = {shown(d.effective)}` asks for another "
            f"{_KIND[key]} and uWSGI exits with \"cannot {_SETTER[key]}() as non-root user\"; "
            f"the Emperor respawns it over and over; remove the line (the vassal runs as "
            f"{key} {mine}), or chown the file to {key} {d.effective}",
            _related_tyrant(tyrant),
        )


@rule(
    "UW305",
    "tyrant-vassal-uid-ignored",
    Severity.WARNING,
    "A Tyrant vassal sets `uid`/`gid` by name: ignored, it runs as the owner of its file.",
    on=Instances(),
)
def check_uid_ignored(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    for outcome, d, key, tyrant, owner in _uid_findings(inst, ctx):
        if outcome != "ignored":
            continue
        pos = 0 if key == "uid" else 1
        value = d.effective
        if owner is not None:
            mine = _user(owner[0]) if key == "uid" else _group(owner[1])
            runs = f"{key} {mine}, the owner of its file"
        else:
            runs = f"the {key} of its file's owner"
        what = f"the {_KIND[key]} name \"{shown(value)}\""
        if is_a_number(value):
            what = f"the name \"{value}\" (an id of 0 counts as unset)"
        here = ""
        named = _lookup(key, value) if value else None
        if owner is not None and named is not None and named != owner[pos]:
            here = f" (here `{shown(value)}` is {key} {named})"
        yield Finding(
            _span(d),
            f"Tyrant mode starts this vassal without root, and uWSGI looks {_KIND[key]} names "
            f"up only as root: `{d.key} = {shown(value)}` ({what}) is silently ignored and the "
            f"vassal runs as {runs}{here}; remove the line and chown the file to choose the "
            f"{_KIND[key]}",
            _related_tyrant(tyrant),
        )


@rule(
    "UW306",
    "tyrant-vassal-uid-redundant",
    Severity.INFO,
    "A Tyrant vassal sets `uid`/`gid` to its file's owner: redundant.",
    on=Instances(),
)
def check_uid_redundant(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    for outcome, d, key, tyrant, owner in _uid_findings(inst, ctx):
        if outcome != "redundant" or owner is None:
            continue
        mine = _user(owner[0]) if key == "uid" else _group(owner[1])
        how = ""
        if not is_a_number(d.effective):
            how = " (a name, which uWSGI ignores without root, and the same id here)"
        yield Finding(
            _span(d),
            f"`{d.key} = {shown(d.effective)}` is redundant{how}: Tyrant mode already starts "
            f"this vassal as {key} {mine}, the owner of its file; remove the line",
            _related_tyrant(tyrant),
        )


# -- UW307: an Emperor that drops root before it starts Tyrant vassals -------------------


def _drops_root(d: Directive) -> bool:
    value = d.effective
    if is_a_number(value):
        return atoi(value).value % 2**32 != 0
    return value != "root" and _lookup("uid", value) != 0


@rule(
    "UW307",
    "tyrant-emperor-drops-root",
    Severity.ERROR,
    "A Tyrant Emperor that sets its own `uid` (without `early-emperor`): every vassal fails "
    "to start.",
    on=Instances(),
)
def check_emperor_uid(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    cat = ctx.catalog
    if not any(d.key == "emperor" for d in inst.options):
        return
    tyrant = tyrant_line(inst, cat)
    if tyrant is None:
        return
    failing = (
        "but Tyrant mode needs root to switch each vassal to the owner of its file: every "
        "vassal exits at once with \"setgid(): Operation not permitted\" and is respawned "
        "over and over"
    )
    immediate = [d for d in inst.options if d.key == "immediate-uid" and not d.unresolved]
    if immediate:
        d = immediate[-1]
        yield Finding(
            d.key_span,
            f"`{d.key}` drops root while the config is still being read, before even "
            f"`early-emperor` could start the Emperor, {failing}; remove it",
            _related_tyrant(tyrant),
        )
        return
    if any(d.key == "chown-socket" for d in inst.options):
        return  # the privileges are dropped only after the Emperor started
    for name in _KEEPS_ROOT:
        if flag_state(inst, cat, name) is not False:
            return
    ident, id_entry, name_entry, sure = replay_id(inst, "uid")
    if not sure:
        return
    setter = id_entry if ident != 0 else name_entry
    if setter is None or not _drops_root(setter):
        return
    related = _related_tyrant(tyrant)
    caps = candidates(inst, cat, "cap")
    if any(c is not None and c.unresolved for c in caps) or len(caps) > 1:
        return
    cap = caps[0]
    if cap is not None:
        kept = {_CAPS.get(t.strip(), "") for t in cap.effective.split(",")}
        missing = [name for name in ("setgid", "setuid") if name not in kept]
        if not missing:
            return  # the Emperor keeps CAP_SETGID and CAP_SETUID across the drop
        related += (Related(f"`{cap.key}` keeps some capabilities here", cap.span),)
        call = "setgid" if "setgid" in missing else "setuid"
        failing = (
            f"and `{cap.key} = {shown(cap.effective)}` keeps capabilities across the drop, but "
            f"not {' and '.join('CAP_' + name.upper() for name in missing)}, "
            "which Tyrant mode needs to switch each vassal to the owner of its file: every "
            f"vassal exits at once with \"{call}(): Operation not permitted\" and is respawned "
            "over and over"
        )
        fix = f"add {' and '.join(missing)} to `{cap.key}`"
    else:
        fix = (
            "remove `uid`/`gid` from the Emperor (each vassal runs as the owner of its file "
            "anyway), add `early-emperor = true` so the Emperor starts before the privilege "
            "drop, or keep the capabilities it needs with `cap = setgid,setuid`"
        )
    yield Finding(
        setter.key_span,
        f"the Emperor runs in Tyrant mode and drops its own privileges to `{setter.key} = "
        f"{shown(setter.effective)}` before it starts the vassals, {failing}; {fix}",
        related,
    )


# -- UW308: a symlinked vassal whose link and target owners differ ---------------------


@rule(
    "UW308",
    "tyrant-symlink-owner",
    Severity.WARNING,
    "A Tyrant vassal that is a symlink owned by someone else than its target: only one of "
    "them counts.",
    on=Instances(),
)
def check_symlink(view: View) -> Iterator[Finding]:
    inst, ctx = view.inst, view
    cat = ctx.catalog
    tyrant = _tyrant_vassal(inst, cat)
    link = inst.link_owner
    if tyrant is None or link is None or real_owner(inst) is None:
        return
    assert inst.emperor is not None
    try:
        st = os.stat(inst.root.path)
        points_to = os.readlink(inst.root.path)
    except OSError:
        return
    target = (st.st_uid, st.st_gid)
    if target == link:
        return
    related = list(_related_tyrant(tyrant))
    nofollow = None
    for name in ("emperor-tyrant-nofollow", "emperor-nofollow"):
        if flag_state(inst.emperor, cat, name) is True:
            nofollow = last_entry(inst.emperor, cat, name)
            break
    if nofollow is not None:
        how = (
            f"the link's own (`{nofollow.key}` makes the Emperor lstat() it), so it runs as "
            f"{owner_text(link)}; remove `{nofollow.key}` to use the target's owner instead"
        )
        related.append(Related(f"`{nofollow.key}` is set here", nofollow.span))
    else:
        how = (
            f"the target's (stat() follows the link), so it runs as {owner_text(target)}; "
            "add `emperor-tyrant-nofollow = true` to the Emperor to use the link's owner "
            "instead"
        )
    yield Finding(
        file_start(inst),
        f"this vassal is a symlink owned by {owner_text(link)} to "
        f"{shown(points_to, 200)}, owned by {owner_text(target)}: of "
        f"the two owners Tyrant mode uses {how}",
        tuple(related),
    )

"""UW301-UW308: Tyrant mode (``emperor-tyrant``), as ``core/emperor.c`` runs it.

In Tyrant mode the Emperor starts each vassal as the owner of its file: it takes the
file's uid/gid at every scan (``stat()``, or ``lstat()`` under ``emperor-nofollow`` /
``emperor-tyrant-nofollow``), refuses a file owned by uid 0 or gid 0 (``emperor_add()``)
and, in the child, calls ``setgid()``/``setgroups(0)``/``setuid()`` before exec
(``uwsgi_emperor_spawn_vassal()``).  The vassal is then not root, so its own ``uid`` and
``gid`` go through the non-root branch of ``core/utils.c: uwsgi_as_root()``.

Owners are taken from the files on disk (:attr:`~uwsgi_lint.facts.View.deployed_owner`).
Inside a version-control checkout they are those of whoever cloned it, not of the deployed
files, so the rules that compare owners stay silent there (an etckeeper ``/etc`` counts as
real), and so they do for a copy of a vassals directory that lives elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Applicability, Directive, Instance, Role, Span
from ..textfix import remove_entry
from ..values import is_a_number, shown
from . import Instances, rule
from .exposure_sockets import address

# `cap` names (core/utils.c: uwsgi_cap_list, compared with strcmp) or numbers
_CAPS = {"setgid": "setgid", "6": "setgid", "setuid": "setuid", "7": "setuid"}


# -- shared helpers ----------------------------------------------------------------------


def _tyrant_vassal(view: View) -> Directive | None:
    """The `emperor-tyrant` entry of the Emperor that starts this vassal, when it surely
    runs in Tyrant mode."""
    emperor = view.emperor  # (a vassal that runs an Emperor of its own too)
    if emperor is None:
        return None
    return emperor.tyrant()


def _user(view: View, uid: int) -> str:
    name = view.account_name("uid", uid)
    return f"{uid} ({name})" if name is not None else str(uid)


def _group(view: View, gid: int) -> str:
    name = view.account_name("gid", gid)
    return f"{gid} ({name})" if name is not None else str(gid)


def _owner_text(view: View, owner: tuple[int, int]) -> str:
    return f"uid {_user(view, owner[0])}, gid {_group(view, owner[1])}"


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
    on=Instances(needs=frozenset({"emperor-tyrant"})),
)
def check_without_emperor(view: View) -> Iterator[Finding]:
    if view.governs() or not view.read_whole():
        return  # (what was not read may set `emperor`)
    d = view.tyrant()
    if d is None:
        return
    why = "uWSGI ignores it silently and nothing runs as the owner of its file."
    if view.inst.role is Role.VASSAL:
        fix = "set it in the config of the Emperor that starts this vassal"
        why += " A vassal cannot put itself in Tyrant mode."
    else:
        fix = "add `emperor = <vassals directory>` or remove the line"
    yield Finding(
        d.key_span,
        f"`{d.key}` is read only by an Emperor, and this config sets no `emperor`: uWSGI "
        f"ignores it; {fix}",
        detail=why,
    )


@rule(
    "UW302",
    "tyrant-nofollow-without-tyrant",
    Severity.WARNING,
    "`emperor-tyrant-nofollow` without `emperor-tyrant`: ignored, vassals do not run as their "
    "owners.",
    on=Instances(needs=frozenset({"emperor-tyrant-nofollow"})),
)
def check_nofollow_alone(view: View) -> Iterator[Finding]:
    if view.flag("emperor-tyrant-nofollow") is not True:
        return
    if view.flag("emperor-tyrant") is not False:
        return
    d = view.last("emperor-tyrant-nofollow")
    assert d is not None
    off = view.last("emperor-tyrant")
    if off is None and not view.read_whole():
        return  # what was not read may set it
    why = "`emperor-tyrant` is not set"
    if off is not None:
        why = f"`emperor-tyrant = {shown(off.effective)}` leaves Tyrant mode off"
    yield Finding(
        d.key_span,
        f"`{d.key}` is ignored: {why}; add `emperor-tyrant = true` or remove the line",
        (Related("Tyrant mode is off here", off.span),) if off is not None else (),
        detail=f"`{d.key}` only chooses whose owner Tyrant mode uses for a symlinked vassal "
        "(the link's instead of the target's): without Tyrant mode uWSGI ignores it "
        "(`core/emperor.c` tests both) and starts every vassal with the Emperor's own "
        "privileges, not as the owner of its file.",
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
    tyrant = _tyrant_vassal(view)
    if tyrant is None:
        return
    owner = view.deployed_owner
    if owner is None or (owner[0] != 0 and owner[1] != 0):
        return
    emperor = view.emperor
    assert emperor is not None
    freq = emperor.numbers("emperor-freq", 3)
    every = f"every {freq[0][1]} s" if freq and len(freq) == 1 else "at every scan"
    which = "uid 0 (root)" if owner[0] == 0 else "gid 0 (group root is enough)"
    ids = {key: _numeric_id(view, key) for key in ("uid", "gid")}
    fix = "chown the file to the user and group the vassal should run as"
    if ids["uid"] and ids["gid"]:
        fix = (
            f"run `chown {ids['uid']}:{ids['gid']} {os.path.basename(view.inst.root.path)}` "
            "(the ids it sets) and drop its `uid`/`gid` lines"
        )
    yield Finding(
        view.file_start,
        f"the Tyrant-mode Emperor never starts this vassal, as its file belongs to "
        f"{which.split(' (')[0]}; {fix}",
        _related_tyrant(tyrant),
        detail=f"This file belongs to {_owner_text(view, owner)}: the Emperor in Tyrant mode "
        f"refuses any vassal owned by {which} and logs \"[emperor-tyrant] invalid "
        f"permissions for vassal {vassal_name(view.inst)}\" {every}.",
    )


def _numeric_id(view: View, key: str) -> int:
    found = view.id_setting(key)
    return found.ident if found is not None else 0


# -- UW304-UW306: `uid`/`gid` in a Tyrant vassal ---------------------------------------

_SETTER = {"uid": "setuid", "gid": "setgid"}
_KIND = {"uid": "user", "gid": "group"}
_IDS = frozenset({"uid", "gid"})


def _uid_findings(
    view: View,
) -> Iterator[tuple[str, Directive, str, Directive, tuple[int, int] | None]]:
    """(outcome, entry, key, tyrant line, owner) for each `uid`/`gid` of a Tyrant vassal:
    outcome "fatal" (a number that is not the owner's), "ignored" (a name) or "redundant"
    (the owner's own id)."""
    tyrant = _tyrant_vassal(view)
    if tyrant is None:
        return
    owner = view.deployed_owner  # None: not known here, names are still ignored
    if owner is not None and (owner[0] == 0 or owner[1] == 0):
        return  # refused before it starts: UW303
    for pos, key in enumerate(("uid", "gid")):
        found = view.id_setting(key)
        if found is None:
            continue
        ident, id_entry, name_entry = found.ident, found.id_entry, found.name_entry
        if ident != 0 and id_entry is not None:
            if owner is None:
                continue
            yield ("redundant" if ident == owner[pos] else "fatal"), id_entry, key, tyrant, owner
        elif name_entry is not None:
            value = name_entry.effective
            named = view.account_id(key, value) if value else None
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
    on=Instances(needs=_IDS),
)
def check_uid_fatal(view: View) -> Iterator[Finding]:
    for outcome, d, key, tyrant, owner in _uid_findings(view):
        if outcome != "fatal" or owner is None:
            continue
        mine = _user(view, owner[0]) if key == "uid" else _group(view, owner[1])
        yield Finding(
            _span(d),
            f"Tyrant mode starts this vassal as its file's owner, not root: `{d.key} = "
            f"{shown(d.effective)}` makes it exit; remove the line, or chown the file to "
            f"{key} {d.effective}",
            _related_tyrant(tyrant),
            detail=f"The file belongs to {_owner_text(view, owner)}: `{d.key} = "
            f"{shown(d.effective)}` asks for another {_KIND[key]} and uWSGI exits with "
            f"\"cannot {_SETTER[key]}() as non-root user\"; the Emperor respawns it over and "
            f"over. Without the line, the vassal runs as {key} {mine}.",
        )


@rule(
    "UW305",
    "tyrant-vassal-uid-ignored",
    Severity.WARNING,
    "A Tyrant vassal sets `uid`/`gid` by name: ignored, it runs as the owner of its file.",
    on=Instances(needs=_IDS),
    fix="unsafe",
)
def check_uid_ignored(view: View) -> Iterator[Finding]:
    for outcome, d, key, tyrant, owner in _uid_findings(view):
        if outcome != "ignored":
            continue
        pos = 0 if key == "uid" else 1
        value = d.effective
        if owner is not None:
            mine = _user(view, owner[0]) if key == "uid" else _group(view, owner[1])
            runs = f"{key} {mine}, the owner of its file"
        else:
            runs = f"the {key} of its file's owner"
        what = f"the {_KIND[key]} name \"{shown(value)}\""
        if is_a_number(value):
            what = f"the name \"{value}\" (an id of 0 counts as unset)"
        here = ""
        named = view.account_id(key, value) if value else None
        if owner is not None and named is not None and named != owner[pos]:
            here = f" (here `{shown(value)}` is {key} {named})"
        yield Finding(
            _span(d),
            f"`{d.key} = {shown(value)}` is ignored: this Tyrant vassal runs as {runs}; remove "
            f"the line and chown the file to choose the {_KIND[key]}",
            _related_tyrant(tyrant),
            detail=f"Tyrant mode starts this vassal without root, and uWSGI looks "
            f"{_KIND[key]} names up only as root: `{d.key} = {shown(value)}` ({what}) is "
            f"silently ignored{here}.",
            fix=remove_entry(view, d, f"remove the `{d.key}` line", Applicability.UNSAFE),
        )


@rule(
    "UW306",
    "tyrant-vassal-uid-redundant",
    Severity.INFO,
    "A Tyrant vassal sets `uid`/`gid` to its file's owner: redundant.",
    group="pedantic", on=Instances(needs=_IDS),
    fix="safe",
)
def check_uid_redundant(view: View) -> Iterator[Finding]:
    for outcome, d, key, tyrant, owner in _uid_findings(view):
        if outcome != "redundant" or owner is None:
            continue
        mine = _user(view, owner[0]) if key == "uid" else _group(view, owner[1])
        how = ""
        if not is_a_number(d.effective):
            how = "It is a name, which uWSGI ignores without root, and the same id here."
        yield Finding(
            _span(d),
            f"`{d.key} = {shown(d.effective)}` is redundant: Tyrant mode already starts "
            f"this vassal as {key} {mine}, the owner of its file; remove the line",
            _related_tyrant(tyrant),
            detail=how,
            fix=remove_entry(view, d, f"remove the `{d.key}` line", Applicability.SAFE),
        )


# -- UW307: an Emperor that drops root before it starts Tyrant vassals -------------------


@rule(
    "UW307",
    "tyrant-emperor-drops-root",
    Severity.ERROR,
    "A Tyrant Emperor that sets its own `uid` (without `early-emperor`): every vassal fails "
    "to start.",
    on=Instances(needs=frozenset({"emperor-tyrant"})),
)
def check_emperor_uid(view: View) -> Iterator[Finding]:
    if not view.governs():
        return
    tyrant = view.tyrant()
    if tyrant is None:
        return
    failing = (
        "but Tyrant mode needs root to switch each vassal to the owner of its file: every "
        "vassal exits at once with \"setgid(): Operation not permitted\" and is respawned "
        "over and over"
    )
    immediate = [d for d in view.entries("immediate-uid") if not d.unresolved]
    if immediate:
        d = immediate[-1]
        yield Finding(
            d.key_span,
            f"`{d.key}` drops root before the Tyrant-mode Emperor starts: every vassal fails "
            "to start; remove it",
            _related_tyrant(tyrant),
            detail=f"`{d.key}` drops root while the config is still being read, before even "
            f"`early-emperor` could start the Emperor, {failing}.",
        )
        return
    setter = view.emperor_drop()  # the `uid` that drops root before the Emperor starts
    if setter is None:
        return
    related = _related_tyrant(tyrant)
    caps = view.candidates("cap")
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
        more = ""
    else:
        fix = "remove `uid`/`gid` here or add `early-emperor = true`"
        more = (
            " Remove `uid`/`gid` from the Emperor (each vassal runs as the owner of its file "
            "anyway), add `early-emperor = true` so the Emperor starts before the privilege "
            "drop, or keep the capabilities it needs with `cap = setgid,setuid`."
        )
    yield Finding(
        setter.key_span,
        f"this Tyrant-mode Emperor drops root (`{setter.key} = {shown(setter.effective)}`) "
        f"before starting vassals: each fails to start; {fix}",
        related,
        detail=f"The Emperor runs in Tyrant mode and drops its own privileges to "
        f"`{setter.key} = {shown(setter.effective)}` before it starts the vassals, {failing}."
        f"{more}",
    )


# -- UW308: a symlinked vassal refused for one owner, where the other would run ---------


@rule(
    "UW308",
    "tyrant-symlink-owner",
    Severity.WARNING,
    "A Tyrant vassal that is a symlink, refused for the root owner Tyrant mode takes, while "
    "the other owner (link or target) is not root.",
    on=Instances(),
)
def check_symlink(view: View) -> Iterator[Finding]:
    """Both normal layouts run (verified with uWSGI 2.0.31): a link to a file of a non-root
    owner runs as that owner, and under `emperor-tyrant-nofollow` a link of a non-root owner
    runs as the link's owner, whatever its target; only the root-owned one that Tyrant mode
    takes, beside a non-root other, is worth a word."""
    link = view.inst.link_owner
    if link is None:
        return
    tyrant = _tyrant_vassal(view)
    if tyrant is None or view.deployed_owner is None:
        return
    emperor = view.emperor
    assert emperor is not None
    found = view.link_target()
    if found is None:
        return
    points_to, target = found
    nofollow = None
    for name in ("emperor-tyrant-nofollow", "emperor-nofollow"):
        if emperor.flag(name) is True:
            nofollow = emperor.last(name)
            break
    used, other = (link, target) if nofollow is not None else (target, link)
    if not _rooted(used) or _rooted(other):
        return
    related = list(_related_tyrant(tyrant))
    if nofollow is not None:
        message = (
            f"Tyrant mode refuses this vassal: `{nofollow.key}` takes the link's owner, root; "
            "remove it to run as its target's owner, or `chown -h` the link"
        )
        how = f"the link's own (`{nofollow.key}` makes the Emperor lstat() it)"
        related.append(Related(f"`{nofollow.key}` is set here", nofollow.span))
        other_is = "its target's"
    else:
        message = (
            "Tyrant mode refuses this vassal: it takes its target's owner, root; add "
            "`emperor-tyrant-nofollow = true` to run as the link's owner, or chown the target"
        )
        how = "the target's (stat() follows the link)"
        other_is = "the link's own"
    yield Finding(
        view.file_start,
        message,
        tuple(related),
        detail=f"This vassal is a symlink owned by {_owner_text(view, link)} to "
        f"{shown(points_to, 200)}, owned by {_owner_text(view, target)}: of the two owners "
        f"Tyrant mode uses {how}, and refuses a vassal owned by uid 0 or gid 0 (\"[emperor-"
        f"tyrant] invalid permissions for vassal {vassal_name(view.inst)}\"); "
        f"{other_is} owner would run it.",
    )


def _rooted(owner: tuple[int, int]) -> bool:
    return owner[0] == 0 or owner[1] == 0


# -- UW309: a Tyrant sub-Emperor started without root ----------------------------------


@rule(
    "UW309",
    "tyrant-sub-emperor-without-root",
    Severity.ERROR,
    "A vassal that runs an Emperor in Tyrant mode, started without root by its own Emperor: "
    "every vassal it starts fails.",
    on=Instances(needs=frozenset({"emperor-tyrant"})),
)
def check_sub_emperor(view: View) -> Iterator[Finding]:
    emperor = view.emperor  # (a vassal that governs has the role of an Emperor)
    if emperor is None or not view.governs():
        return
    mine = view.tyrant()
    if mine is None:
        return
    owner = view.deployed_owner
    parent = emperor.tyrant()
    if parent is not None:
        if owner is not None and _rooted(owner):
            return  # refused before it starts: UW303
        who = "its Emperor runs in Tyrant mode and starts it as the owner of this file"
        if owner is not None:
            who += f" ({_owner_text(view, owner)})"
        related = (Related("the Emperor that starts this one runs in Tyrant mode here",
                           parent.span),)
    else:
        drop = emperor.emperor_drop()
        if drop is None:
            return
        who = f"its Emperor drops root first (`{drop.key} = {shown(drop.effective)}`)"
        related = (Related("the Emperor that starts this one drops root here", drop.span),)
    yield Finding(
        mine.key_span,
        "this Emperor is a vassal started without root: its Tyrant mode fails for every "
        "vassal it starts; remove this line, or watch them from the root Emperor",
        related,
        detail=f"This config is a vassal that runs an Emperor of its own, and {who}. Tyrant "
        "mode needs root to give each of its vassals the owner of its file: each one exits "
        "before exec with \"setgid(): Operation not permitted\" (or \"setgroups(): Operation "
        "not permitted\" when its file has this Emperor's own group) and is respawned over "
        "and over (verified with uWSGI 2.0.31). Without `emperor-tyrant` here its vassals "
        "run as this Emperor's own user; to run each as the owner of its file, let the root "
        "Tyrant Emperor watch their directory itself.",
    )


# -- UW310: a Tyrant vassal's socket that needs a supplementary group ------------------


@rule(
    "UW310",
    "tyrant-vassal-socket-group",
    Severity.ERROR,
    "A Tyrant vassal binds a UNIX socket in a directory that only a supplementary group of "
    "its owner may write: Tyrant mode drops those groups.",
    on=Instances(),
)
def check_socket_group(view: View) -> Iterator[Finding]:
    tyrant = _tyrant_vassal(view)
    emperor = view.emperor
    if tyrant is None or emperor is None:
        return
    if emperor.flag("emperor-tyrant-initgroups") is not False:
        return  # uWSGI 2.1 keeps the owner's groups with it
    owner = view.deployed_owner
    if owner is None or _rooted(owner):
        return
    uid, gid = owner
    groups = view.supplementary_groups(uid)
    if not groups or not groups - {gid}:
        return
    alone, member = frozenset({gid}), frozenset({gid}) | groups
    for d in view.binds():
        if d.unresolved:
            continue
        a = address(d.effective)
        if a.kind != "unix" or not os.path.isabs(a.host):
            continue
        directory = os.path.dirname(os.path.normpath(a.host))
        if view.may_create_in(directory, uid, alone) is not False:
            continue
        if view.may_create_in(directory, uid, member) is not True:
            continue  # it fails with or without the groups: not this rule's case
        granting = _granting_group(view, directory, uid, alone, groups)
        through = f"group {_group(view, granting)}" if granting is not None else (
            "a supplementary group")
        yield Finding(
            d.value_span,
            f"Tyrant mode starts this vassal as uid {uid} without its supplementary groups: "
            f"bind() in {shown(directory, 60)} fails, writable through {through}; chgrp the "
            "file or the directory",
            _related_tyrant(tyrant),
            detail=f"The Emperor in Tyrant mode starts this vassal as the owner of its file, "
            f"{_owner_text(view, owner)}, and calls setgroups(0, NULL) first: the groups that "
            f"list {_user(view, uid)} as a member here are dropped, and only {through} may "
            f"create the socket in {shown(directory, 200)}. The vassal exits with \"bind(): "
            "Permission denied\" and is respawned over and over (verified with uWSGI 2.0.31). "
            "Give the vassal file that group (it then runs with it), or the directory the "
            "file's group; `emperor-tyrant-initgroups` (uWSGI 2.1) keeps the groups.",
        )


def _granting_group(view: View, directory: str, uid: int, alone: frozenset[int],
                    groups: frozenset[int]) -> int | None:
    """The supplementary group whose membership alone lets ``uid`` create a file in
    ``directory``."""
    for g in sorted(groups - alone):
        if view.may_create_in(directory, uid, alone | {g}) is True:
            return g
    return None

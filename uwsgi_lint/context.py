"""The Emperor tree: which configs are Emperors, which files they govern, and each
vassal read the way its Emperor starts it (``core/emperor.c``).

An Emperor's monitors are resolved like ``emperor_build_scanners()``; a directory monitor
takes the files ``uwsgi_emperor_is_valid()`` accepts and starts each one with the Emperor's
``vassals-include``/``vassals-inherit``/``vassal-set`` around it, in the vassal directory.
"""

from __future__ import annotations

import glob as globmod
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .catalog import Catalog, load_catalog
from .expand import Assumptions, Instance, Monitor, build_instance
from .model import Directive, Format, Origin
from .values import flag_is_on, occurrences

VASSAL_SUFFIXES = (".xml", ".ini", ".yml", ".yaml", ".js", ".json")
PLUGIN_MONITORS = {
    "pg": "emperor_pg",
    "zmq": "emperor_zeromq",
    "mongodb": "emperor_mongodb",
    "mongodb2": "emperor_mongodb",
    "amqp": "emperor_amqp",
}
LOADER_FLAG = {
    ".ini": Format.INI,
    ".xml": Format.XML,
    ".yml": Format.YAML,
    ".yaml": Format.YAML,
    ".js": Format.JSON,
    ".json": Format.JSON,
}
_GLOB_CHARS = frozenset("*?[")


def is_emperor(inst: Instance) -> bool:
    return any(d.key == "emperor" for d in inst.options)


def flag(inst: Instance, catalog: Catalog, name: str) -> bool:
    found = occurrences(inst, catalog, name)
    return bool(found) and flag_is_on(found[-1].effective)


def values(inst: Instance, catalog: Catalog, name: str) -> list[str]:
    return [d.effective for d in occurrences(inst, catalog, name)]


def map_into_tree(path: str, tree_dirs: Sequence[str], near: str) -> str | None:
    """An absolute directory that does not exist here, found by its trailing components
    among the directories being linted (``/etc/uwsgi/vassals`` -> ``repo/etc/uwsgi/vassals``).
    """
    parts = [p for p in path.split("/") if p]
    for k in range(len(parts), 0, -1):
        suffix = "/" + "/".join(parts[-k:])
        hits = [d for d in tree_dirs if d.endswith(suffix)]
        if hits:
            return max(hits, key=lambda d: len(os.path.commonpath([d, near])))
    return None


def resolve_monitors(emperor: Instance, catalog: Catalog, tree_dirs: Sequence[str]) -> None:
    """Fill ``emperor.monitors`` (and their vassal files)."""
    extra = tuple(
        v
        for name in ("emperor-extra-extension",)
        for value in values(emperor, catalog, name)
        for v in value.split()
    )
    nofollow = flag(emperor, catalog, "emperor-nofollow")
    near = os.path.dirname(emperor.root.path)
    for d in (d for d in emperor.options if d.key == "emperor"):
        emperor.monitors.append(_monitor(d, emperor.cwd, tree_dirs, near, extra, nofollow))


def _monitor(
    d: Directive,
    cwd: str,
    tree_dirs: Sequence[str],
    near: str,
    extra: tuple[str, ...],
    nofollow: bool,
) -> Monitor:
    value = d.effective
    scheme = value.partition("://")[0] if "://" in value else None
    if scheme in PLUGIN_MONITORS:
        return Monitor(d, scheme, value, exists=False)
    if scheme in ("dir", "glob"):
        value = value.split("://", 1)[1]
    path = value if os.path.isabs(value) else os.path.join(cwd, value)
    kind = "glob" if scheme == "glob" or _GLOB_CHARS & set(value) else "dir"
    if scheme == "dir":
        kind = "dir"
    elif kind == "dir" and os.path.isfile(path):
        kind = "glob"  # glob() of an existing file names that file: the glob monitor
    mapped_from = None
    base, rest = (path, "") if kind == "dir" else _split_glob(path)
    if not os.path.isdir(base) and os.path.isabs(value):
        mapped = map_into_tree(base, tree_dirs, near)
        if mapped is not None:
            mapped_from = base
            path = mapped if kind == "dir" else os.path.join(mapped, rest)
    ignored: list[str] = []
    if kind == "dir":
        exists = os.path.isdir(path)
        files = _directory_vassals(path, extra, nofollow, ignored) if exists else []
    else:
        files = [p for p in sorted(globmod.glob(path)) if _valid(p, extra, nofollow)]
        exists = bool(files)
    return Monitor(d, kind, path, exists, mapped_from, files, ignored)


def _split_glob(pattern: str) -> tuple[str, str]:
    """``/etc/uwsgi/vassals/*/*.ini`` -> (``/etc/uwsgi/vassals``, ``*/*.ini``)."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            return "/".join(parts[:i]) or "/", "/".join(parts[i:])
    return os.path.dirname(pattern), os.path.basename(pattern)


def _valid(path: str, extra: tuple[str, ...], nofollow: bool) -> bool:
    name = os.path.basename(path)
    if not (name.endswith(VASSAL_SUFFIXES) or (extra and name.endswith(extra))):
        return False
    if len(path if "/" in path else name) >= 0xFF:
        return False
    try:
        st = os.lstat(path) if nofollow else os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) or (nofollow and stat.S_ISLNK(st.st_mode))


def _directory_vassals(
    directory: str, extra: tuple[str, ...], nofollow: bool, ignored: list[str]
) -> list[str]:
    """The files a directory monitor starts; the other plain files go to ``ignored``."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = []
    for n in names:
        path = os.path.join(directory, n)
        if len(n) < 0xFF and _valid(path, extra, nofollow):
            found.append(path)
        elif os.path.isfile(path) or os.path.islink(path):
            ignored.append(path)
    return found


def _argv(emperor: Instance, catalog: Catalog, name: str, key: str) -> list[Directive]:
    """Emperor options that become a vassal's command line, as directives at their line."""
    out = []
    for d in occurrences(emperor, catalog, name):
        out.append(
            replace(
                d,
                key=key,
                value=d.effective,
                expanded=None,
                origin=(*d.origin, Origin(name, d.span, d.effective)),
                block=None,
            )
        )
    return out


def vassal(path: str, monitor: Monitor, emperor: Instance, assume: Assumptions) -> Instance:
    """``path`` started by ``emperor`` through ``monitor``, as ``uwsgi_emperor_spawn_vassal()``
    starts it: ``--inherit``/``--include``/``--set`` before, the file, then the rest."""
    catalog = load_catalog(assume.version)
    before = (
        _argv(emperor, catalog, "vassals-inherit-before", "inherit")
        + _argv(emperor, catalog, "vassals-include-before", "include")
        + _argv(emperor, catalog, "vassal-set", "set")
    )
    after = _argv(emperor, catalog, "vassals-inherit", "inherit") + _argv(
        emperor, catalog, "vassals-include", "include"
    )
    if monitor.kind == "dir":
        cwd, arg = monitor.target, os.path.basename(path)
    else:
        cwd, arg = emperor.cwd, path
    suffix = next((s for s in LOADER_FLAG if path.endswith(s)), None)
    fmt = LOADER_FLAG[suffix] if suffix else None
    inst = build_instance(
        path,
        replace(assume, cwd=cwd),
        config_arg=arg,
        fmt=fmt,
        before=before,
        after=after,
    )
    inst.role = "vassal"
    inst.emperor = emperor
    inst.monitor = monitor
    inst.owner = _owner(path, emperor, catalog)
    if os.path.islink(path):
        try:
            st = os.lstat(path)
            inst.link_owner = (st.st_uid, st.st_gid)
        except OSError:
            pass
    return inst


def _owner(path: str, emperor: Instance, catalog: Catalog) -> tuple[int, int] | None:
    tyrant_nofollow = flag(emperor, catalog, "emperor-tyrant") and flag(
        emperor, catalog, "emperor-tyrant-nofollow"
    )
    lstat = flag(emperor, catalog, "emperor-nofollow") or tyrant_nofollow
    try:
        st = os.lstat(path) if lstat else os.stat(path)
    except OSError:
        return None
    return st.st_uid, st.st_gid


def tree_dirs(paths: Iterable[str]) -> list[str]:
    """Every directory (absolute) that holds one of ``paths``, with its ancestors."""
    dirs: set[str] = set()
    for p in paths:
        d = os.path.dirname(os.path.abspath(p))
        while d not in dirs and d != "/":
            dirs.add(d)
            d = os.path.dirname(d)
    return sorted(dirs)


def assemble(
    paths: Sequence[str],
    assume: Assumptions,
    errors: list[str] | None = None,
    explicit: frozenset[str] = frozenset(),
) -> list[Instance]:
    """Instances for ``paths``: Emperors with their vassals attached, every vassal read as
    its Emperor starts it, and the other files on their own -- except snippets: a file
    that another instance includes is checked as part of it, not alone, unless it is in
    ``explicit`` (named on the command line).  A bug met while reading one file is
    recorded in ``errors`` and that file is left out."""
    catalog = load_catalog(assume.version)
    errors = errors if errors is not None else []
    own: dict[str, Instance] = {}  # realpath\0path -> the file read on its own
    for p in paths:
        real = os.path.realpath(p if os.path.exists(p) else p.rsplit(":", 1)[0])
        try:
            own.setdefault(real + "\0" + p, build_instance(p, assume))
        except Exception as exc:  # contain any bug to the file it happened on
            errors.append(f"{p}: internal error: {type(exc).__name__}: {exc}")
    dirs = tree_dirs(paths)
    governed: set[str] = set()
    started: list[Instance] = []
    todo = [i for i in own.values() if is_emperor(i)]
    while todo and len(started) < 1_000_000:
        emperor = todo.pop(0)
        emperor.role = "emperor"
        resolve_monitors(emperor, catalog, dirs)
        itself = os.path.realpath(emperor.root.path)
        for monitor in emperor.monitors:
            for path in monitor.vassals:
                real = os.path.realpath(path)
                if real == itself:
                    continue  # an Emperor that watches its own file: not read twice
                try:
                    v = vassal(path, monitor, emperor, assume)
                except Exception as exc:  # contain any bug to the file it happened on
                    errors.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
                    continue
                emperor.vassals.append(v)
                started.append(v)
                governed.add(real)
                if is_emperor(v) and not _governs_itself(v):
                    todo.append(v)
    # a file that an Emperor starts is checked as its Emperor starts it, not on its own;
    # a snippet is checked in the instances that include it
    included = {
        real
        for i in [*own.values(), *started]
        for f in i.files[1:]
        if (real := os.path.realpath(f.path)) != os.path.realpath(i.root.path)
    } - {os.path.realpath(i.root.path) for i in own.values() if i.role == "emperor"}
    dropped = {
        id(i)
        for k, i in own.items()
        if k.split("\0")[0] in governed
        or (k.split("\0")[0] in included and k.split("\0", 1)[1] not in explicit)
    }
    kept = [i for i in own.values() if id(i) not in dropped]
    for v in started:
        if v.emperor is not None and id(v.emperor) in dropped:
            dropped.add(id(v))
        else:
            kept.append(v)
    return kept


def _governs_itself(v: Instance) -> bool:
    """A vassal that is an Emperor of its own ancestors would loop."""
    seen, e = {os.path.realpath(v.root.path)}, v.emperor
    while e is not None:
        real = os.path.realpath(e.root.path)
        if real in seen:
            return True
        seen.add(real)
        e = e.emperor
    return False

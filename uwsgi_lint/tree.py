"""The Emperor tree: which configs are Emperors, which files they govern, and each
vassal read the way its Emperor starts it (``core/emperor.c``); and, for a run over a few
named files (pre-commit, an editor), the search above them for the Emperor that starts
them (:func:`context_emperors`).

An Emperor's monitors are resolved like ``emperor_build_scanners()``; a directory monitor
takes the files ``uwsgi_emperor_is_valid()`` accepts and starts each one with the Emperor's
``vassals-include``/``vassals-inherit``/``vassal-set`` around it, in the vassal directory.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from . import fs
from .budget import BUDGET_REACHED
from .budget import current as current_budget
from .catalog import Catalog, load_catalog
from .discover import HEAD_BYTES, SKIP_DIRS, looks_like_uwsgi
from .facts import candidate_entries, flag_state
from .instance import AssumeFor, Assumptions, per_file
from .instance.build import build_instance
from .instance.loader import split_target
from .model import Directive, Format, Instance, Monitor, Origin, Problem, Role, Unread

VASSAL_SUFFIXES = (".xml", ".ini", ".yml", ".yaml", ".js", ".json")
# where an Emperor above a linted vassal may be written: a uwsgiconf module too, by the
# name uwsgiconf gives it (`uwsgiconf compile` and its Django integration look for it):
# other Python files near a vassal (an application, its tests) are not read for context
CONTEXT_SUFFIXES = (*VASSAL_SUFFIXES, "/uwsgicfg.py")
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


def occurrences(inst: Instance, catalog: Catalog, name: str) -> list[Directive]:
    """The entries that set ``name`` or an alias of it, in order: what the tree builder
    reads of an Emperor before any :class:`~uwsgi_lint.facts.View` exists (the rules
    ask their View)."""
    names = catalog.same_option(name)
    return [d for d in inst.options if d.key in names]


def flag(inst: Instance, catalog: Catalog, name: str) -> bool:
    """Whether a flag is surely on, as :meth:`~uwsgi_lint.facts.View.flag` answers it
    (:func:`~uwsgi_lint.facts.flag_state`: the last entry applied wins): what the tree
    builder reads of an Emperor before any View exists.  It must choose, so a flag that
    undecided conditions or an unresolved value leave open counts as off."""
    names = catalog.same_option(name)
    found = [i for i, d in enumerate(inst.options) if d.key in names]
    return flag_state(candidate_entries(inst, found)) is True


def values(inst: Instance, catalog: Catalog, name: str) -> list[str]:
    return [d.effective for d in occurrences(inst, catalog, name)]


def map_into_tree(path: str, tree_dirs: Sequence[str], near: str) -> str | None:
    """An absolute directory that does not exist here, found by its trailing components
    among the directories being linted (``/etc/uwsgi/vassals`` -> ``repo/etc/uwsgi/vassals``),
    only where that is not ambiguous: the one directory whose tail matches, or among
    several the one nearest the Emperor's directory ``near`` (the longest path shared with
    it, then the longest tail).  With two equally near (a monorepo whose projects each
    have a `vassals` directory, the Emperor in neither), none: an unrelated project's
    Emperor is never attached."""
    parts = [p for p in path.split("/") if p]
    ranked: list[tuple[tuple[int, int], str]] = []
    for d in dict.fromkeys(tree_dirs):
        names = d.split("/")
        tail = 0
        while tail < min(len(parts), len(names)) and names[-1 - tail] == parts[-1 - tail]:
            tail += 1
        if tail:
            ranked.append(((len(os.path.commonpath([d, near]).split("/")), tail), d))
    ranked.sort(reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


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
        away: list[str] = []
        m = _monitor(d, emperor.cwd, tree_dirs, near, extra, nofollow, away)
        emperor.monitors.append(m)
        if m.outside and not _server_path(d):
            # written relative (or with %d) yet leaving the tree: the linter could look,
            # and does not (an absolute server path stays silent, as one not on this
            # machine always has)
            emperor.unread.append(Unread(d, m.target, fs.OUTSIDE))
        for path in away:
            emperor.unread.append(Unread(d, path, LINK_OUTSIDE))


# a vassal in the tree that is a symlink to a file outside it
LINK_OUTSIDE = (
    "deployment-only: a symlink out of the linted tree (--allow-read PATH to read it here)"
)


def _server_path(d: Directive) -> bool:
    """A monitor written as an absolute path (``/etc/uwsgi/vassals``): the server's."""
    raw = d.raw_value.strip().strip("\"'")
    for scheme in ("dir://", "glob://"):
        raw = raw.removeprefix(scheme)
    return raw.startswith("/")


def _monitor(
    d: Directive,
    cwd: str,
    tree_dirs: Sequence[str],
    near: str,
    extra: tuple[str, ...],
    nofollow: bool,
    away: list[str],
) -> Monitor:
    """One monitor; the vassals it would start that are symlinks out of the linted tree
    go to ``away`` (not read).  A directory or pattern outside the tree (once an
    absolute path has been looked for inside it) is not listed: ``Monitor.outside``."""
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
    elif kind == "dir" and fs.inside(path) and os.path.isfile(path):
        kind = "glob"  # glob() of an existing file names that file: the glob monitor
    mapped_from = None
    base, rest = (path, "") if kind == "dir" else _split_glob(path)
    if os.path.isabs(value) and not fs.is_dir(base):
        mapped = map_into_tree(base, tree_dirs, near)
        if mapped is not None:
            mapped_from = base
            path, base = (mapped if kind == "dir" else os.path.join(mapped, rest)), mapped
    if not fs.inside(base):
        return Monitor(d, kind, path, False, outside=True)
    ignored: list[str] = []
    if kind == "dir":
        exists = os.path.isdir(path)
        files = _directory_vassals(path, extra, nofollow, ignored, away) if exists else []
    else:
        hits = fs.glob(path, cwd)
        if hits is None:
            return Monitor(d, kind, path, False, mapped_from, outside=True)
        files = []
        for p in hits:
            if not fs.inside(p):  # a symlink out of the tree: not looked at
                if _vassal_name(os.path.basename(p), extra):
                    away.append(p)
            elif _valid(p, extra, nofollow):
                files.append(p)
            elif os.path.islink(p) or os.path.isfile(p):
                ignored.append(p)  # filtered by suffix as a directory monitor filters
        exists = bool(files)
    return Monitor(d, kind, path, exists, mapped_from, files, ignored)


def emperor_name(path: str, monitor: Monitor, cwd: str) -> str:
    """The name the Emperor knows the vassal ``path`` by (``emperor_get()``, ``emperor_add()``):
    the bare file name under a directory monitor (``readdir()``), the path as ``glob()``
    returns it under a glob monitor (relative to the Emperor's working directory ``cwd``
    when the pattern is, the server's path when an absolute one was mapped into the tree)."""
    if monitor.kind != "glob":
        return os.path.basename(path)
    pattern = monitor.directive.effective.removeprefix("glob://")
    if not os.path.isabs(pattern):
        return os.path.relpath(path, cwd)
    if monitor.mapped_from is not None:
        base = _split_glob(monitor.target)[0]
        return monitor.mapped_from + path[len(base):]
    return path


def _split_glob(pattern: str) -> tuple[str, str]:
    """``/etc/uwsgi/vassals/*/*.ini`` -> (``/etc/uwsgi/vassals``, ``*/*.ini``)."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            return "/".join(parts[:i]) or "/", "/".join(parts[i:])
    return os.path.dirname(pattern), os.path.basename(pattern)


def _vassal_name(name: str, extra: tuple[str, ...]) -> bool:
    return name.endswith(VASSAL_SUFFIXES) or bool(extra and name.endswith(extra))


def _valid(path: str, extra: tuple[str, ...], nofollow: bool) -> bool:
    name = os.path.basename(path)
    if not _vassal_name(name, extra):
        return False
    if len(path if "/" in path else name) >= 0xFF:
        return False
    try:
        st = os.lstat(path) if nofollow else os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) or (nofollow and stat.S_ISLNK(st.st_mode))


def _directory_vassals(
    directory: str,
    extra: tuple[str, ...],
    nofollow: bool,
    ignored: list[str],
    away: list[str],
) -> list[str]:
    """The files a directory monitor starts; the other plain files go to ``ignored``,
    and the vassals that are symlinks out of the linted tree to ``away`` (not read, and
    their targets not looked at)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = []
    for n in names:
        path = os.path.join(directory, n)
        if os.path.islink(path) and not fs.inside(path):  # the directory itself is inside
            (away if len(n) < 0xFF and _vassal_name(n, extra) else ignored).append(path)
        elif len(n) < 0xFF and _valid(path, extra, nofollow):
            found.append(path)
        elif os.path.islink(path) or os.path.isfile(path):
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
    inst.role = Role.VASSAL
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
    assume: Assumptions | AssumeFor,
    errors: list[str] | None = None,
    explicit: frozenset[str] = frozenset(),
) -> list[Instance]:
    """Instances for ``paths``: Emperors with their vassals attached, every vassal read as
    its Emperor starts it, and the other files on their own -- except snippets: a file
    that another instance includes is checked as part of it, not alone, unless it is in
    ``explicit`` (named on the command line).  A bug met while reading one file is
    recorded in ``errors`` and that file is left out.  (Reading runs in this process:
    sending instances back from worker processes costs a third of reading them, so
    ``--jobs`` spreads only the checking: :mod:`uwsgi_lint.parallel`.)  Each file is
    read with ``assume`` of its own path (its closest settings), a vassal too."""
    assume_for = per_file(assume)
    errors = errors if errors is not None else []
    own: dict[str, Instance] = {}  # realpath\0path -> the file read on its own
    for p in paths:
        real = os.path.realpath(p if os.path.exists(p) else p.rsplit(":", 1)[0])
        try:
            own.setdefault(real + "\0" + p, build_instance(p, assume_for(p)))
        except Exception as exc:  # contain any bug to the file it happened on
            errors.append(f"{p}: internal error: {type(exc).__name__}: {exc}")
    dirs = tree_dirs(paths)
    emperors = [i for i in own.values() if is_emperor(i)]
    for e in emperors:
        e.role = Role.EMPEROR
        resolve_monitors(e, load_catalog(assume_for(e.root.path).version), dirs)
    governed: set[str] = set()  # the files an Emperor starts
    started: list[Instance] = []
    roots: set[int] = set()
    # each Emperor file is expanded once per run: as the root of its tree (an Emperor that
    # no other one given starts comes first) or as the vassal of the first Emperor that
    # starts it -- Emperors that start each other cost their number, not their orderings
    expanded: set[str] = set()
    for root in _roots_first(emperors):
        if os.path.realpath(root.root.path) in expanded:
            continue  # already started, and expanded, by an Emperor of an earlier tree
        roots.add(id(root))
        expanded.add(os.path.realpath(root.root.path))
        todo = deque([root])
        while todo:
            emperor = todo.popleft()
            for v in _start_vassals(emperor, assume_for, expanded, errors):
                started.append(v)
                governed.add(os.path.realpath(v.root.path))
                if is_emperor(v):
                    v.role = Role.EMPEROR
                    resolve_monitors(v, load_catalog(assume_for(v.root.path).version), dirs)
                    todo.append(v)
    # a file that an Emperor starts is checked as its Emperor starts it, not on its own
    dropped = {id(i) for k, i in own.items()
               if id(i) not in roots and k.split("\0")[0] in governed}
    dropped |= _snippets(own, started, roots, dropped, explicit)
    kept = [i for i in own.values() if id(i) not in dropped]
    for v in started:
        if v.emperor is not None and id(v.emperor) in dropped:
            dropped.add(id(v))
        else:
            kept.append(v)
    return kept


def _includes(inst: Instance) -> set[str]:
    """The real paths of the files ``inst`` reads besides its own."""
    own = os.path.realpath(inst.root.path)
    return {real for f in inst.files[1:] if (real := os.path.realpath(f.path)) != own}


def _snippets(
    own: dict[str, Instance],
    started: list[Instance],
    roots: set[int],
    dropped: set[int],
    explicit: frozenset[str],
) -> set[int]:
    """The files read on their own (``own``, keyed ``realpath\\0path``) that are snippets: a
    file that a checked instance includes is checked as part of it, not alone (unless it
    is named on the command line, or is the root of an Emperor tree).  Files that only
    include each other (a cycle that nothing checked includes) would all be snippets:
    the first of them in the order given is checked on its own, and reports the cycle
    (UW021) once, as linting that file alone does; the others are its snippets."""
    included = set().union(*map(_includes, [*own.values(), *started]))
    pending = {id(i): i for k, i in own.items()
               if id(i) not in roots and id(i) not in dropped
               and k.split("\0")[0] in included and k.split("\0", 1)[1] not in explicit}
    reached: set[str] = set()  # what a checked instance includes
    for i in [*started, *own.values()]:
        if id(i) not in pending and id(i) not in dropped:
            reached |= _includes(i)
    snippets: set[int] = set()
    while pending:
        for key, i in list(pending.items()):
            if os.path.realpath(i.root.path) in reached:
                snippets.add(key)
                del pending[key]
        if pending:
            first = pending.pop(next(iter(pending)))
            reached |= _includes(first)
    return snippets


def _roots_first(emperors: list[Instance]) -> list[Instance]:
    """``emperors`` with those that no other one of them starts first (the roots of
    their trees), then the others, each group in the order given."""
    starters: dict[str, set[int]] = {}
    for e in emperors:
        for m in e.monitors:
            for v in m.vassals:
                starters.setdefault(os.path.realpath(v), set()).add(id(e))
    started = {
        id(e) for e in emperors
        if starters.get(os.path.realpath(e.root.path), set()) - {id(e)}
    }
    return [e for e in emperors if id(e) not in started] + [
        e for e in emperors if id(e) in started
    ]


def _start_vassals(
    emperor: Instance, assume_for: AssumeFor, expanded: set[str], errors: list[str]
) -> Iterator[Instance]:
    """The vassals ``emperor`` starts, each charged to the run's budget; an Emperor file
    already expanded in this run (itself, an ancestor, one of another tree) is not
    started again.  The vassals that are Emperors join ``expanded``."""
    budget = current_budget()
    for monitor in emperor.monitors:
        for path in monitor.vassals:
            real = os.path.realpath(path)
            if real in expanded:
                continue
            if not budget.start():
                emperor.problems.append(Problem(
                    BUDGET_REACHED,
                    f"uwsgi-lint stopped starting vassals here: {budget.reason('instances')}",
                    monitor.directive.span,
                    "The vassals of this monitor from here on, and of the Emperor's later "
                    "monitors, were not checked."))
                return
            try:
                v = vassal(path, monitor, emperor, assume_for(path))
            except Exception as exc:  # contain any bug to the file it happened on
                errors.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
                continue
            emperor.vassals.append(v)
            if is_emperor(v):
                expanded.add(real)
            yield v


# --- context for partial runs ---------------------------------------------------------
# pre-commit (and an editor) passes only the changed vassals: the Emperor that starts them
# is looked for above them, read for context, and its own findings left out.

CONTEXT_LEVELS = 3  # directories above a checked file's own directory that are searched
CONTEXT_MAX_BYTES = 1024 * 1024  # a larger file is not considered as an Emperor


def context_emperors(
    files: Sequence[str], checked: set[str], assume: Assumptions | AssumeFor
) -> list[str]:
    """The Emperors that start one of ``files`` (files named on the command line), found
    in the directories above them -- the file's own directory and up to
    :data:`CONTEXT_LEVELS` above it, never above the git work tree it lies in -- and in
    the immediate subdirectories of those.  ``checked`` holds the real paths of every file
    being checked already (an Emperor among them needs no search).  Each directory is
    listed once per run and only configs that mention ``emperor`` are read, so the cost
    grows with the number of directories, not with the size of the tree."""
    wanted = {os.path.realpath(split_target(f)[0]) for f in files}
    if not wanted:
        return []
    candidates: list[str] = []
    listed: set[str] = set()
    for f in sorted(wanted):
        for level, d in enumerate(_ancestors(os.path.dirname(f))):
            # siblings of the file's directory and of its parent: `emperor/` next to `vassals/`
            for sub in [d, *(_subdirs(d) if level in (1, 2) else [])]:
                if sub not in listed:
                    listed.add(sub)
                    candidates.extend(_emperor_files(sub))
    assume_for = per_file(assume)
    found: list[str] = []
    for path in dict.fromkeys(candidates):
        if os.path.realpath(path) in checked:
            continue
        try:
            own = assume_for(path)
            inst = build_instance(path, own)
            if not is_emperor(inst):
                continue
            dirs = [*tree_dirs([*files, path]), *_nearby(path)]
            resolve_monitors(inst, load_catalog(own.version), dirs)
        except Exception:  # a broken candidate is no context; it is not being checked
            continue
        # a monitor on a directory that exists only on the server (`/etc/uwsgi/vassals`)
        # is mapped into the tree by its trailing names: trusted only inside the git work
        # tree the candidate lies in, not among unrelated directories that happen to
        # share a name
        top = fs.work_tree(os.path.dirname(os.path.realpath(path)))
        starts = set()
        for m in inst.monitors:
            for v in m.vassals:
                real = os.path.realpath(v)
                if m.mapped_from is None or (top is not None and real.startswith(top + os.sep)):
                    starts.add(real)
        if starts & wanted:
            found.append(path)
    return found


NEARBY_LEVELS = 3  # directory levels below the Emperor's parent listed for mapping
NEARBY_MAX = 256  # directories listed for mapping, per candidate Emperor


def _nearby(emperor: str) -> list[str]:
    """The directories below the parent of a candidate Emperor's directory (its own
    directory when that is the top of its git work tree), :data:`NEARBY_LEVELS` deep, at
    most :data:`NEARBY_MAX`: where its own vassals directory would be, so that an absolute
    monitor (``/etc/uwsgi/vassals``) is mapped to it rather than to the directory of the
    file being checked, and not mapped at all when two are equally near
    (:func:`map_into_tree`)."""
    own = os.path.dirname(os.path.realpath(emperor))
    top = os.path.dirname(own)
    if os.path.exists(os.path.join(own, ".git")) or _shared(top) or not fs.inside(top):
        top = own
    out: list[str] = []
    level = [top]
    for _ in range(NEARBY_LEVELS):
        level = [sub for d in level for sub in _subdirs(d)][: NEARBY_MAX - len(out)]
        out.extend(level)
    return out


def _ancestors(directory: str) -> list[str]:
    """``directory`` and up to :data:`CONTEXT_LEVELS` directories above it, stopping at
    the root of the git work tree it lies in, and before the run's boundary, ``/``, the
    home directory and a shared directory such as ``/tmp`` (world-writable and sticky:
    other people's files)."""
    out: list[str] = []
    d = directory
    for _ in range(CONTEXT_LEVELS + 1):
        if _shared(d) or not fs.inside(d):
            break
        out.append(d)
        parent = os.path.dirname(d)
        if os.path.exists(os.path.join(d, ".git")) or parent == d:
            break
        d = parent
    return out


def _shared(directory: str) -> bool:
    """``/``, the home directory, a directory anyone may write to (:func:`fs.shared`) or
    one that cannot be looked at: the context search does not go there."""
    return (directory in ("/", os.path.expanduser("~")) or not os.path.isdir(directory)
            or fs.shared(directory))


def _subdirs(directory: str) -> list[str]:
    try:
        with os.scandir(directory) as it:
            return sorted(
                e.path for e in it
                if not e.name.startswith(".") and e.name not in SKIP_DIRS
                and fs.inside(e.path) and e.is_dir()
            )
    except OSError:
        return []


def _emperor_files(directory: str) -> list[str]:
    """The configs directly in ``directory`` that may run an Emperor (a look at the first
    bytes of each file with one of uWSGI's suffixes or a ``uwsgicfg.py``, read once for the run by
    :func:`uwsgi_lint.fs.read_regular`: inside the boundary, regular files only)."""
    out = []
    try:
        with os.scandir(directory) as it:
            entries = sorted(
                (e for e in it if e.path.endswith(CONTEXT_SUFFIXES) and e.is_file()),
                key=lambda e: e.name,
            )
    except OSError:
        return []
    for e in entries:
        try:
            if not fs.inside(e.path) or e.stat().st_size > CONTEXT_MAX_BYTES:
                continue
            head = fs.read_regular(e.path)[:HEAD_BYTES]
        except (OSError, fs.Unreadable):
            continue
        if b"emperor" in head and looks_like_uwsgi(e.path, head) is not None:
            out.append(e.path)
    return out


def for_checked(
    instances: list[Instance], checked: set[str], context: list[str]
) -> tuple[list[Instance], set[str]]:
    """The instances to report on when Emperors were added for context: all but those
    Emperors and the vassals they start that are not being checked; and the real paths
    of the files those instances read (their includes, what their Emperor adds to them).
    """
    extra = {os.path.realpath(c) for c in context} - checked

    def context_only(i: Instance) -> bool:
        if os.path.realpath(i.root.path) in checked:
            return False
        e: Instance | None = i
        while e is not None:
            if os.path.realpath(e.root.path) in extra:
                return True
            e = e.emperor
        return False

    kept = [i for i in instances if not context_only(i)]
    allowed = {os.path.realpath(c.path) for i in kept for c in i.files} | checked
    return kept, allowed

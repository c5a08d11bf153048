"""Every read of a file goes through here: one opener, and the boundary of a run.

The opener (:func:`read_regular`) opens only regular files, never blocks (``O_NONBLOCK``:
a FIFO, ``/dev/tty`` or ``/dev/stdin`` is refused before any read), re-checks the type on
the open descriptor (a file swapped for a FIFO after ``stat`` cannot block), follows no
symlink in its last component once the path has been resolved, and reads at most a cap.

The boundary (:class:`Boundary`, one per run: :mod:`uwsgi_lint.session`) holds the
roots a run was given: the paths on the command
line widened to the git work tree they lie in, plus ``--allow-read`` paths (and the
``allow-read`` of a settings file outside the tree: see ``engine.boundary_roots``).  While
a boundary is active, :func:`inside` tells whether a path (resolved through its symlinks)
lies under one of those roots, and not in a ``.git`` directory; what lies outside is
never read, listed (:func:`glob`) or looked at: the expander records it as
deployment-only (it exists on the server, not here) and the rules treat its value as
unknown, as they do for ``$(ENV)``.  With no boundary active (library use, tests of a
reader) every path is inside.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import session

# A file larger than this is not read (uWSGI would read it, but no sane config is this big)
MAX_BYTES = 256 * 1024 * 1024

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


# Why a path outside the boundary is not read (a value that exists on the server, not here)
OUTSIDE = "deployment-only: it lies outside the linted tree (--allow-read PATH to read it here)"


class Unreadable(Exception):
    """A file that is not read, with the reason as its message."""


@dataclass(slots=True)
class Boundary:
    """The real paths a run may read below, and the files it already read."""

    roots: tuple[str, ...]
    # real path -> bytes (or the reason it is unreadable): each file is read once per run
    cache: dict[tuple[str, int], bytes | Unreadable] = field(default_factory=dict)

    def contains(self, path: str) -> bool:
        """Whether ``path``, resolved through its symlinks, lies under a root -- and not
        in a ``.git`` directory below it (git's own files, such as the credentials that
        ``actions/checkout`` keeps in ``.git/config``, are no part of the linted tree)."""
        return self.holds(os.path.realpath(path))

    def holds(self, real: str) -> bool:
        """:meth:`contains` for a path already resolved (``os.path.realpath``)."""
        for r in self.roots:
            if real == r:
                return True
            top = r.rstrip(os.sep) + os.sep
            if real.startswith(top) and ".git" not in real[len(top):].split(os.sep):
                return True
        return False


_ACTIVE: list[Boundary] = []


def work_tree(directory: str) -> str | None:
    """The git work tree ``directory`` lies in (the nearest directory above holding
    ``.git``), if any."""
    d = directory
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def shared(directory: str | os.PathLike[str]) -> bool:
    """Whether anyone may write to ``directory`` (world-writable, or sticky like
    ``/tmp``): what lies in it or above it is other people's files, never this project's
    settings or Emperors.  False when it cannot be looked at."""
    try:
        mode = os.stat(directory).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IWOTH | stat.S_ISVTX))


def roots_for(paths: Iterable[str], allow: Iterable[str] = ()) -> tuple[str, ...]:
    """The roots of a run over ``paths``: each path (a directory, or a file's directory)
    widened to the git work tree it lies in, and each ``allow`` path as it is; all as
    real paths, without duplicates.  A file is placed by the directory that holds it,
    not by what it links to: a symlink named on the command line (pre-commit passes the
    files a commit changes, symlinks among them) does not widen the roots to its target.
    """
    out: list[str] = []
    for p in paths:
        absolute = os.path.abspath(p)
        if os.path.isdir(absolute):
            base = os.path.realpath(absolute)
        else:
            base = os.path.realpath(os.path.dirname(absolute))
        out.append(work_tree(base) or base)
    out.extend(os.path.realpath(a) for a in allow)
    return tuple(dict.fromkeys(out))


def current() -> Boundary | None:
    """The boundary of the run in progress, if any (:mod:`uwsgi_lint.session`)."""
    active = session.current()
    return active.boundary if active is not None else None


def inside(path: str) -> bool:
    """Whether ``path`` may be read in this run (always, when no boundary is active)."""
    active = current()
    return active is None or active.contains(path)


def read_regular(path: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; raises
    :class:`Unreadable` with the reason (not found, not a regular file, too large,
    outside the linted tree).  Within a :func:`boundary`, each file is read once."""
    real = os.path.realpath(path)
    active = current()
    if active is not None and not active.holds(real):
        raise Unreadable(OUTSIDE)
    key = (real, limit)
    if active is not None:
        hit = active.cache.get(key)
        if isinstance(hit, Unreadable):
            raise hit
        if hit is not None:
            return hit
    try:
        data = _read(real, limit)
    except Unreadable as exc:
        if active is not None:
            active.cache[key] = exc
        raise
    if active is not None:
        active.cache[key] = data
    return data


def _read(real: str, limit: int) -> bytes:
    try:
        st = os.stat(real)
        if stat.S_ISDIR(st.st_mode):
            raise Unreadable("is a directory, not a config file")
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device could block forever
            raise Unreadable("not a regular file; not read")
        if st.st_size > limit:
            raise Unreadable(f"file larger than {limit} bytes")
        fd = os.open(real, _FLAGS | _NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Unreadable("not a regular file; not read")
            data = fh.read(limit + 1)  # a file that grows meanwhile is read up to the cap
        if len(data) > limit:
            raise Unreadable(f"file larger than {limit} bytes")
        return data
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None


def read_unbounded(path: str, limit: int) -> bytes:
    """:func:`read_regular` for a file that may lie above the roots (a settings file,
    which the settings search trusts by its own rules): the same checks, no boundary."""
    return _read(os.path.realpath(path), limit)


def is_dir(path: str) -> bool:
    """``os.path.isdir``, without looking at what lies outside the boundary (False)."""
    return inside(path) and os.path.isdir(path)


def glob(pattern: str, cwd: str) -> list[str] | None:
    """The paths ``pattern`` matches, as ``glob.glob(pattern, root_dir=cwd)`` gives them
    (relative when the pattern is), sorted -- or ``None`` when matching it would list or
    look at a directory outside the boundary (``for-glob /root/*``, a symlink leaving the
    tree): the answer is then unknown here, and no name of what lies outside is learnt.
    Components are matched with :func:`fnmatch.fnmatchcase` (no backtracking blow-up);
    a leading ``.`` must be matched explicitly, as in glibc's ``glob()`` without
    ``GLOB_PERIOD``."""
    import fnmatch

    parts = pattern.split("/")
    start = os.sep if pattern.startswith("/") else ""
    found = [start]  # matched so far, as shown (relative to cwd unless absolute)
    for i, part in enumerate(parts):
        if part == "":
            continue
        last = all(p == "" for p in parts[i + 1 :])
        step: list[str] = []
        for shown in found:
            if not any(c in part for c in "*?["):
                path = os.path.join(shown, part)  # passed through, not listed
                if last:
                    full = os.path.join(cwd, path)
                    if not inside(full):
                        return None
                    if os.path.lexists(full):
                        step.append(path)
                else:
                    step.append(path)
                continue
            here = os.path.join(cwd, shown) if shown else cwd
            if not inside(here):
                return None
            try:
                with os.scandir(here) as it:
                    names = sorted(e.name for e in it)
            except OSError:
                continue
            hidden = part.startswith(".")
            for name in names:
                if (hidden or not name.startswith(".")) and fnmatch.fnmatchcase(name, part):
                    path = os.path.join(shown, name)
                    full = os.path.join(cwd, path)
                    if last:
                        step.append(path)
                    elif not inside(full):
                        return None  # a symlink out of the tree, to be looked into
                    elif os.path.isdir(full):
                        step.append(path)
        found = step
    if pattern.endswith("/"):
        found = [f + "/" for f in found if is_dir(os.path.join(cwd, f))]
    return sorted(p for p in found if p)

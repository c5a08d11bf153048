"""Every read of a file goes through here: one opener, and the boundary of a run.

The opener (:func:`read_regular`) opens only regular files, never blocks (``O_NONBLOCK``:
a FIFO, ``/dev/tty`` or ``/dev/stdin`` is refused before any read), re-checks the type on
the open descriptor (a file swapped for a FIFO after ``stat`` cannot block), follows no
symlink in its last component once the path has been resolved, and reads at most a cap.

The boundary (:func:`boundary`) holds the roots a run was given: the paths on the command
line widened to the git work tree they lie in, plus ``--allow-read`` paths and the
settings files the user named.  While a boundary is active, :func:`inside` tells whether
a path (resolved through its symlinks) lies under one of those roots; what lies outside is
never read: the expander records it as deployment-only (it exists on the server, not
here) and the rules treat its value as unknown, as they do for ``$(ENV)``.  With no
boundary active (library use, tests of a reader) every path is inside.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# A file larger than this is not read (uWSGI would read it, but no sane config is this big)
MAX_BYTES = 256 * 1024 * 1024

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Unreadable(Exception):
    """A file that is not read, with the reason as its message."""


@dataclass(slots=True)
class Boundary:
    """The real paths a run may read below, and the files it already read."""

    roots: tuple[str, ...]
    # real path -> bytes (or the reason it is unreadable): each file is read once per run
    cache: dict[tuple[str, int], bytes | Unreadable] = field(default_factory=dict)

    def contains(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)


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


def roots_for(paths: Iterable[str], allow: Iterable[str] = ()) -> tuple[str, ...]:
    """The roots of a run over ``paths``: each path (a directory, or a file's directory)
    widened to the git work tree it lies in, and each ``allow`` path as it is; all as
    real paths, without duplicates."""
    out: list[str] = []
    for p in paths:
        real = os.path.realpath(p)
        base = real if os.path.isdir(real) else os.path.dirname(real)
        out.append(work_tree(base) or base)
    out.extend(os.path.realpath(a) for a in allow)
    return tuple(dict.fromkeys(out))


@contextmanager
def boundary(roots: Iterable[str]) -> Iterator[Boundary]:
    """While active, :func:`inside` answers for ``roots`` (real paths) and
    :func:`read_regular` reads each file once."""
    active = Boundary(tuple(dict.fromkeys(os.path.realpath(r) for r in roots)))
    _ACTIVE.append(active)
    try:
        yield active
    finally:
        _ACTIVE.remove(active)


def current() -> Boundary | None:
    """The boundary of the run in progress, if any."""
    return _ACTIVE[-1] if _ACTIVE else None


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
    if active is not None and not active.contains(real):
        raise Unreadable("outside the linted tree; not read")
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

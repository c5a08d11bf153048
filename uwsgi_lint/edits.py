"""Every change uwsgi-lint makes to a linted file goes through here (``--add-noqa``,
``--fix``).

A file is changed only when it is a regular file inside the roots of the run (the paths
on the command line widened to their git work tree, :func:`uwsgi_lint.fs.roots_for`,
never a ``.git`` directory), reached through no symlink that leaves them, and not
read-only (no write bit in its mode, whoever runs the command: root too).  The new bytes
are built from the bytes read on the descriptor that writes them, checked (for
``--add-noqa``, :func:`comments_only`: read again, the file says to uWSGI what it said
before), then written in place.  The file keeps its inode, and with it its owner, group,
mode, ACLs and extended attributes; its hard links and the symlinks to it still point at
it.  Anything else is a :class:`Refused` with the reason, and the file is left as it was.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence

from . import fs
from .model import ConfigFile, Format

_FLAGS = (
    os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOFOLLOW", 0)
)


class Refused(Exception):
    """A file that is not changed, with the reason as its message."""


def rewrite(
    path: str,
    roots: Sequence[str],
    change: Callable[[bytes], bytes],
    check: Callable[[bytes, bytes], str | None],
) -> bool:
    """Replace the content of ``path`` with ``change(content)``, in place; whether it
    changed.  ``check(old, new)`` says what is wrong with the new bytes (``None``: they
    may be written).  Raises :class:`Refused` when the file may not or cannot be changed.
    """
    real = os.path.realpath(path)
    if not fs.Boundary(tuple(os.path.realpath(r) for r in roots)).contains(real):
        raise Refused(f"it lies outside the linted tree (at {real}); nothing is written there")
    try:
        before = os.lstat(real)
    except OSError as exc:
        raise Refused(f"cannot write it: {exc.strerror}") from None
    if not stat.S_ISREG(before.st_mode):
        raise Refused("not a regular file")
    if not before.st_mode & 0o222:
        raise Refused(
            f"it is read-only (mode {stat.S_IMODE(before.st_mode):04o}); make it writable "
            "to add comments to it"
        )
    try:
        fd = os.open(real, _FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused("it became a symlink while being written") from None
        raise Refused(f"cannot write it: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (
            before.st_dev, before.st_ino
        ) or not _is_at(fd, real):
            raise Refused("it was replaced while being written")
        old = _read_all(fd)
        new = change(old)
        if new == old:
            return False
        problem = check(old, new)
        if problem is not None:
            raise Refused(problem)
        try:
            _write_all(fd, new)
        except OSError as exc:
            _write_all(fd, old)  # put back: the old bytes fit where they were
            raise Refused(f"cannot write it: {exc.strerror}; left as it was") from None
    except OSError as exc:
        raise Refused(f"cannot write it: {exc.strerror}") from None
    finally:
        os.close(fd)
    return True


def _is_at(fd: int, real: str) -> bool:
    """Whether the open ``fd`` is the file at ``real`` (Linux tells through ``/proc``: a
    directory swapped for a symlink between resolving and opening is caught)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == real
    except OSError:
        return True  # no /proc: the device and inode check stands alone


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(fd, 1 << 20):
        size += len(chunk)
        if size > fs.MAX_BYTES:
            raise Refused(f"file larger than {fs.MAX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    done = 0
    while done < len(data):
        done += os.pwrite(fd, data[done:], done)
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def comments_only(path: str) -> Callable[[bytes, bytes], str | None]:
    """A ``check`` for :func:`rewrite`: the new bytes, read as uWSGI reads ``path``, give
    the same sections, options and values, and the same reading problems, as the old
    ones: only comments were added."""

    def check(old: bytes, new: bytes) -> str | None:
        from .readers import file_format

        fmt = file_format(path, old)
        if _said(path, fmt, old) == _said(path, fmt, new):
            return None
        return (
            "adding the comments would change what uWSGI reads from it (a bug in "
            "uwsgi-lint: please report it); not written"
        )

    return check


def _said(path: str, fmt: Format, data: bytes) -> object:
    from .readers import read_file

    cfg: ConfigFile = read_file(path, openers=frozenset(), fmt=fmt, data=data)
    return (
        [(s.name, [(d.key, d.value) for d in s.directives()]) for s in cfg.sections],
        sorted(p.code for p in cfg.problems),
        cfg.stopped.code if cfg.stopped else None,
    )


def readable_as_before(path: str) -> Callable[[bytes, bytes], str | None]:
    """A ``check`` for :func:`rewrite` (``--fix``): the new bytes, read as uWSGI reads
    ``path``, have no reading problem that the old ones did not have (a fix never makes
    a file that uWSGI refuses, or reads only in part)."""
    from .fix import READING_ERRORS

    def check(old: bytes, new: bytes) -> str | None:
        from .readers import file_format

        fmt = file_format(path, old)
        before, after = _reading_errors(path, fmt, old), _reading_errors(path, fmt, new)
        added = sorted((after - before) & READING_ERRORS)
        if not added:
            return None
        return (f"the fixes would make uWSGI read it differently than they say "
                f"({', '.join(added)}: a bug in uwsgi-lint, please report it); not written")

    return check


def _reading_errors(path: str, fmt: Format, data: bytes) -> set[str]:
    from .readers import read_file

    cfg: ConfigFile = read_file(path, openers=frozenset(), fmt=fmt, data=data)
    return {p.code for p in cfg.problems} | ({cfg.stopped.code} if cfg.stopped else set())

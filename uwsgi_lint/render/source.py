"""What several renderers need: where the repository is, the text of a line, and a
fingerprint of a finding that survives lines moving up or down."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from urllib.parse import quote

from .. import fs
from ..diagnostics import Diagnostic
from ..untrusted import clean, mask


def project_root() -> str:
    """The git work tree the working directory lies in, else the working directory."""
    cwd = os.path.abspath(os.getcwd())
    return fs.work_tree(cwd) or cwd


def relative(path: str) -> str | None:
    """``path`` relative to :func:`project_root` with ``/`` separators, None when outside."""
    root = project_root()
    try:
        rel = os.path.relpath(os.path.abspath(path), root)
    except ValueError:
        return None
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel.replace(os.sep, "/")


def repo_path(path: str) -> str:
    """The path a code-scanning service shows: relative to the repository when inside it."""
    return relative(path) or os.path.abspath(path).replace(os.sep, "/")


def uri(path: str) -> str:
    """A percent-encoded URI reference for a repository-relative path: the bytes of the
    name (an undecodable byte of a non-UTF-8 name as ``%FF``), secrets masked."""
    return quote(os.fsencode(mask(path)), safe="/")


def file_uri(path: str) -> str:
    p = os.path.abspath(path).replace(os.sep, "/")
    return "file://" + uri(p if p.startswith("/") else "/" + p)


@cache
def _lines(path: str) -> tuple[str, ...] | None:
    try:  # the one opener: a FIFO or device is never opened, a huge file never read
        data = fs.read_regular(path)
    except (fs.Unreadable, ValueError):
        return None
    # the readers decode the same way, so columns line up (``source.decode``)
    return tuple(data.decode("utf-8", "surrogateescape").split("\n"))


def forget() -> None:
    """Drop the lines read so far (a new run may see edited files)."""
    _lines.cache_clear()


def line_text(path: str, line: int) -> str | None:
    """Line ``line`` (1-based) of a file without its line ending, None when unreadable."""
    lines = _lines(path)
    if lines is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].removesuffix("\r")


def fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """A stable hash per finding: code, repository path and the text of its line (not the
    line number), the path as printed and the line with its secrets masked (a hash of a
    secret's line could be matched against guesses); the nth identical finding gets ``n``
    mixed in so that none collide."""
    seen: dict[str, int] = {}
    out = []
    for d in diagnostics:
        text = mask((line_text(d.span.file, d.span.start.line) or "").strip())
        key = "\0".join((d.code, clean(repo_path(d.span.file), None), text))
        n = seen.get(key, 0)
        seen[key] = n + 1
        data = f"{key}\0{n}".encode("utf-8", "surrogatepass")
        out.append(hashlib.sha256(data).hexdigest()[:32])
    return out

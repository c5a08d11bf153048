"""What several renderers need: where the repository is, the text of a line, and
fingerprints of a finding that survive lines moving up or down (our own, and the line hash
GitHub code scanning matches alerts by)."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Mapping
from functools import cache
from operator import mul
from urllib.parse import quote

from .. import fs
from ..diagnostics import Diagnostic
from ..untrusted import MASK, clean, mask, secret_spans


def project_root() -> str:
    """The git work tree the working directory lies in, else the working directory."""
    cwd = os.path.abspath(os.getcwd())
    return fs.work_tree(cwd) or cwd


def _below(path: str, root: str) -> str | None:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return None
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel.replace(os.sep, "/")


def relative(path: str) -> str | None:
    """``path`` relative to :func:`project_root` with ``/`` separators, None when outside;
    a symlink (or a path through one) as its real path when that lies inside the root too:
    a code-scanning service shows the file, not the link."""
    root = project_root()
    real = _below(os.path.realpath(path), os.path.realpath(root))
    return real if real is not None else _below(os.path.abspath(path), root)


def repo_path(path: str) -> str:
    """The path a code-scanning service shows: relative to the repository when inside it."""
    return relative(path) or os.path.abspath(path).replace(os.sep, "/")


def _link_path(path: str) -> str:
    """``path`` as named (symlinks not followed), relative to the repository when inside."""
    return _below(os.path.abspath(path), project_root()) or os.path.abspath(path).replace(
        os.sep, "/")


def uri(path: str) -> str:
    """A percent-encoded URI reference for a repository-relative path: the bytes of the
    name (an undecodable byte of a non-UTF-8 name as ``%FF``), secrets masked."""
    return quote(os.fsencode(mask(path)), safe="/")


def file_uri(path: str) -> str:
    p = os.path.abspath(path).replace(os.sep, "/")
    return "file://" + uri(p if p.startswith("/") else "/" + p)


# buffers linted in place of their files (standard input with --stdin-filename): the text
# quoted for a finding in them is theirs, not the file's on disk (``forget``)
_BUFFERS: dict[str, bytes] = {}


def file_bytes(path: str) -> bytes | None:
    """The bytes of ``path`` as the outputs quote them: its buffer (standard input) when one
    stands for it, else the file, None when it cannot be read."""
    data = _BUFFERS.get(os.path.abspath(path))
    if data is not None:
        return data
    try:  # the one opener: a FIFO or device is never opened, a huge file never read
        return fs.read_regular(path)
    except (fs.Unreadable, ValueError):
        return None


@cache
def _lines(path: str) -> tuple[str, ...] | None:
    data = file_bytes(path)
    if data is None:
        return None
    # the readers decode the same way, so columns line up (``source.decode``)
    return tuple(data.decode("utf-8", "surrogateescape").split("\n"))


def forget(buffers: Mapping[str, bytes] | None = None) -> None:
    """Drop the lines read so far (a new run may see edited files); ``buffers`` (path ->
    bytes) stand for their files from now on."""
    _BUFFERS.clear()
    _BUFFERS.update({os.path.abspath(k): v for k, v in (buffers or {}).items()})
    _lines.cache_clear()
    _line_hashes.cache_clear()


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
    mixed in so that none collide.  The path is the one named, a symlink not followed, so
    that these stay what they were before :func:`relative` followed symlinks."""
    seen: dict[str, int] = {}
    out = []
    for d in diagnostics:
        text = mask((line_text(d.span.file, d.span.start.line) or "").strip())
        key = "\0".join((d.code, clean(_link_path(d.span.file), None), text))
        n = seen.get(key, 0)
        seen[key] = n + 1
        data = f"{key}\0{n}".encode("utf-8", "surrogatepass")
        out.append(hashlib.sha256(data).hexdigest()[:32])
    return out


# -- GitHub's line hash ------------------------------------------------------------------
# What github/codeql-action computes (``src/fingerprints.ts``) when a result has no
# ``partialFingerprints.primaryLocationLineHash``: for each line, a polynomial hash (base
# 37, modulo 2**64) of the UTF-16 code units of the next 100 characters from the start of
# the line, blanks and tabs left out, line ends (CR, LF, CRLF) read as one LF, an end
# mark (U+FFFF) after the last character and zeros after that; in hex, then ``:`` and how
# many lines so far had that hash.  Here it is computed over the file with its secrets
# masked, so the hash cannot be matched against guesses of a secret.

_WINDOW = 100
_EOF = "\uffff"
_BLANKS = str.maketrans("", "", " \t")
_POWERS = tuple(pow(37, _WINDOW - 1 - i, 1 << 64) for i in range(_WINDOW))
_BREAKS = re.compile(r"(\r\n|\r|\n)")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _masked(text: str) -> str:
    """``text`` with each secret (``untrusted.secret_spans``) masked and its line breaks
    kept: a secret over several lines (a PEM block) leaves each of its lines masked."""
    out: list[str] = []
    pos = 0
    for s, e in secret_spans(text):
        out.append(text[pos:s])
        parts = _BREAKS.split(text[s:e])
        out.extend(p if i % 2 or not p else MASK for i, p in enumerate(parts))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _surrogates(m: re.Match[str]) -> str:
    """A character beyond U+FFFF as its two UTF-16 code units (JavaScript's charCodeAt)."""
    n = ord(m.group()) - 0x10000
    return chr(0xD800 + (n >> 10)) + chr(0xDC00 + (n & 0x3FF))


class LineHashes:
    """GitHub's ``primaryLocationLineHash`` of each line of a text, each computed when
    asked for (``hashes(n)``, line ``n`` 1-based); ``len(hashes)`` lines.  The occurrence
    counter counts earlier lines with the same 100 code units (the same hash)."""

    def __init__(self, text: str) -> None:
        stream = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BLANKS) + _EOF
        self._units = _ASTRAL.sub(_surrogates, stream)
        self._starts = [0]
        at = self._units.find("\n")
        while at != -1:
            self._starts.append(at + 1)
            at = self._units.find("\n", at + 1)
        seen: Counter[str] = Counter()
        self._occurrence = []
        for start in self._starts:
            window = self._units[start:start + _WINDOW]
            seen[window] += 1
            self._occurrence.append(seen[window])

    def __len__(self) -> int:
        return len(self._starts)

    def __call__(self, line: int) -> str:
        start = self._starts[line - 1]
        units = map(ord, self._units[start:start + _WINDOW])
        value = sum(map(mul, units, _POWERS)) & 0xFFFF_FFFF_FFFF_FFFF
        return f"{value:x}:{self._occurrence[line - 1]}"


@cache
def _line_hashes(path: str) -> LineHashes | None:
    lines = _lines(path)
    if lines is None:
        return None
    # the bytes as read, decoded as the upload action does (a bad byte is U+FFFD)
    text = "\n".join(lines).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return LineHashes(_masked(text))


def line_hash(path: str, line: int) -> str | None:
    """GitHub's line hash of line ``line`` (1-based) of a file, its secrets masked; None
    when the file cannot be read."""
    hashes = _line_hashes(path)
    if hashes is None or not 1 <= line <= len(hashes):
        return None
    return hashes(line)

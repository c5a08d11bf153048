"""Magic variables: the ``%X`` text substitution uWSGI applies to a file before parsing it.

Mirrors ``core/utils.c: magic_sub()`` and ``core/uwsgi.c: config_magic_table_fill()``:
every ``%`` followed by any character is replaced by that character's table entry, which is
the empty string for letters uWSGI does not define (so ``%Y`` vanishes and a ``%`` at the end
of a line swallows the newline).  Values that depend on the machine uWSGI will run on
(hostname, time, uid ...) are only known when the caller says so; otherwise the token is
kept as written and recorded as unresolved.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache

from .inject import Joined, Part
from .source import Expanded, Segment, identity

UWSGI_VERSION = "2.0.31"


@dataclass(frozen=True, slots=True)
class Host:
    """What uWSGI knows about the machine it runs on; ``None`` means unknown here."""

    cwd: str | None = None  # %v
    hostname: str | None = None  # %h
    cpus: str | None = None  # %k
    uid: str | None = None  # %u
    user: str | None = None  # %U
    gid: str | None = None  # %g
    group: str | None = None  # %G
    binary: str | None = None  # %b
    version: str = UWSGI_VERSION  # %V


@lru_cache(maxsize=1024)
def _realdir(directory: str) -> str:
    return os.path.realpath(directory)


def _djb33x(data: bytes) -> str:
    h = 5381
    for b in data:  # uWSGI XORs a signed char
        h = ((h * 33) ^ (b - 256 if b > 127 else b)) & 0xFFFFFFFF
    # uWSGI hex-dumps the 4 bytes of the hash in memory order (little endian), in upper case
    return h.to_bytes(4, "little").hex().upper()


@dataclass(slots=True)
class MagicTable:
    """The substitution table for one file (``None`` entries are unknown here)."""

    values: dict[str, str | None] = field(default_factory=dict)

    def lookup(self, ch: str) -> tuple[str, bool]:
        """The replacement for ``%ch`` and whether it is known."""
        if ch in self.values:
            v = self.values[ch]
            return ("", False) if v is None else (v, True)
        return "", True  # unknown letters vanish


def file_table(
    config_arg: str,
    path: str,
    section: str,
    host: Host,
    first: MagicTable | None = None,
) -> MagicTable:
    """The table uWSGI builds when it opens ``path`` (given as ``config_arg``).

    ``first`` is the table of the first file loaded with an explicit loader, whose values
    the upper-case variables keep; ``None`` means this file is that first file.
    """
    t: dict[str, str | None] = {
        "%": "%",
        "(": "%(",
        "[": "\x1b",
        "o": config_arg,
        "v": host.cwd,
        "h": host.hostname,
        "t": None,
        "T": None,
        "V": host.version,
        "k": host.cpus,
        "u": host.uid,
        "U": host.user,
        "g": host.gid,
        "G": host.group,
        "b": host.binary,
    }
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):  # uWSGI does not resolve the link
        full = path if path.startswith("/") else (host.cwd or os.getcwd()) + "/" + path
    else:
        head, tail = os.path.split(os.path.abspath(path))
        full = os.path.join(_realdir(head), tail)
    t["p"] = full
    t["j"] = _djb33x(full.encode("utf-8", "surrogateescape"))
    t["i"] = str(st.st_ino) if st is not None else ""
    base = full.rsplit("/", 1)[-1]
    t["s"] = base
    d = full[: len(full) - len(base)]
    t["d"] = d
    trimmed = d[:-1] if d.endswith("/") else d
    t["c"] = trimmed.rsplit("/", 1)[-1] if "/" in trimmed else ""
    parts = [p for p in trimmed.split("/") if p]
    for i in range(10):
        t[str(i)] = parts[i] if i < len(parts) else ""
    if "." in base:
        t["n"], t["e"] = base.rsplit(".", 1)
    else:
        t["n"], t["e"] = base, ""
    t["x"] = section
    src = t if first is None else first.values
    for ch in "odspcenxij":
        t[ch.upper()] = src.get(ch, "")
    return MagicTable(t)


def substitute(
    source: str, table: MagicTable, path: str, parts: tuple[Part, ...] = (), own: int = 0
) -> Expanded:
    """Apply the table to ``source`` and return the text mapped to its source.

    A variable whose value is unknown here keeps its text and is listed in
    ``Expanded.unresolved`` as ``(offset in the expanded text, "%X")``.
    A ``%`` as the very last character is followed by uWSGI's terminating NUL and vanishes.
    ``parts`` are the files ``source`` joins (``inject-before``/``inject-after`` around the
    config file, ``parts[own]``): positions then point into each of them.
    """
    if "%" not in source:
        if parts:
            return Joined(source, source, [Segment(0, 0, len(source), True)], path, None,
                          parts, own)
        return identity(source, path)
    out: list[str] = []
    segs: list[Segment] = []
    unresolved: list[tuple[int, str]] = []
    pos = 0
    olen = 0
    n = len(source)
    find = source.find
    while True:
        i = find("%", pos)
        if i == -1:
            break
        if i > pos:
            segs.append(Segment(olen, pos, i - pos, True))
            out.append(source[pos:i])
            olen += i - pos
        ch = source[i + 1] if i + 1 < n else "\0"
        rep, known = table.lookup(ch)
        if ch > "\x7f":  # uWSGI eats one byte: the rest of a multi-byte character stays
            rep = ch.encode("utf-8", "surrogateescape")[1:].decode("utf-8", "surrogateescape")
        if not known:
            rep = "%" + ch
            unresolved.append((olen, rep))
        consumed = 2 if i + 1 < n else 1
        segs.append(Segment(olen, i, consumed, False))
        out.append(rep)
        olen += len(rep)
        pos = i + consumed
    if pos < n:
        segs.append(Segment(olen, pos, n - pos, True))
        out.append(source[pos:])
    if parts:
        return Joined("".join(out), source, segs, path, unresolved, parts, own)
    return Expanded("".join(out), source, segs, path, unresolved)

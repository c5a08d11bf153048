"""Reading one config file: bytes, magic substitution, then the format's own reader.

Reader modules are imported only when a file of their format is met, so a run over INI
files never loads the XML, JSON or YAML code.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from .. import session
from ..fs import MAX_BYTES, Unreadable, read_regular
from ..inject import Joined, join, rebase
from ..magic import Host, MagicTable, file_table, substitute
from ..model import ConfigFile, Format, Position, Problem, Span
from ..source import Expanded, decode

SUFFIXES: dict[str, Format] = {
    ".ini": Format.INI,
    ".xml": Format.XML,
    ".yml": Format.YAML,
    ".yaml": Format.YAML,
    ".json": Format.JSON,
    ".js": Format.JSON,
}

UPPER = "OPSNEDCXIJ"  # magic variables frozen at the first file: they differ per instance
_UPPER = re.compile(b"%[" + UPPER.encode() + b"]")
def buffer_for(path: str) -> bytes | None:
    """The bytes that stand for ``path`` in this run, if any (standard input linted as if
    it were a file: ``uwsgi-lint - --stdin-filename PATH``; :mod:`uwsgi_lint.session`)."""
    active = session.current()
    if active is None or not active.buffers:
        return None
    return active.buffers.get(os.path.abspath(path))


class Reader(Protocol):
    def __call__(self, exp: Expanded, openers: frozenset[str], section: str) -> ConfigFile: ...


def format_for(path: str) -> Format | None:
    """The format uWSGI's suffix dispatch picks for ``path`` (case-sensitive), if any."""
    for suffix, fmt in SUFFIXES.items():
        if path.endswith(suffix):
            return fmt
    return None


def config_format(path: str) -> Format | None:
    """The format a linted ``path`` is read in by its name: uWSGI's suffix dispatch, or a
    uwsgiconf module for ``.py`` (uWSGI is given the INI text it prints)."""
    return format_for(path) or (Format.PYTHON if path.endswith(".py") else None)


def file_format(path: str, data: bytes) -> Format:
    """The format ``path`` is read in: by its name, else a guess from ``data``."""
    return config_format(path) or sniff(data)


def sniff(data: bytes) -> Format:
    """A best guess for a file with no recognised suffix."""
    head = data[:4096].lstrip()
    if head.startswith(b"<"):
        return Format.XML
    if head.startswith(b"{"):
        return Format.JSON
    if b"[uwsgi]" in data[:65536] or b"[" in head[:1]:
        return Format.INI
    if b"uwsgi:" in data[:65536]:
        return Format.YAML
    return Format.INI


def _reader(fmt: Format, yaml_reader: str) -> Reader:
    if fmt is Format.YAML and yaml_reader == "libyaml":
        name, func = "yaml", "parse_libyaml"
    else:
        name, func = fmt.value, "parse"
    module = importlib.import_module(f"{__name__}.{name}")
    reader: Reader = getattr(module, func)
    return reader


def unreadable(path: str, fmt: Format, message: str) -> ConfigFile:
    span = Span(path, Position(1, 1), Position(1, 1))
    return ConfigFile(path=path, format=fmt, problems=[Problem("UW001", message, span)])


def read_file(
    path: str,
    *,
    openers: frozenset[str],
    config_arg: str | None = None,
    section: str = "uwsgi",
    explicit_section: str = "",
    host: Host | None = None,
    first: MagicTable | None = None,
    fmt: Format | None = None,
    yaml_reader: str = "embedded",
    on_table: Callable[[MagicTable], None] | None = None,
    cache: bool = False,
    data: bytes | None = None,
    inject: tuple[Sequence[tuple[str, bytes]], Sequence[tuple[str, bytes]]] = ((), ()),
) -> ConfigFile:
    """Read ``path`` as uWSGI would; never raises.

    ``config_arg`` is the name the file was given by, without ``:section`` (``%o``: the
    loader cuts it off before it reads the file), ``explicit_section`` the
    section named in it (``%x``, empty when none was named), ``first`` the magic table of
    the first file loaded (for the upper-case variables), ``on_table`` receives this
    file's magic table.  With ``cache``, a file read again the same way (a snippet that
    many vassals include) is parsed once per run; callers must not change what it
    returns.  ``data`` is read instead of the file (as is a buffer of the run:
    :func:`buffer_for`).  ``inject`` is the ``(path, bytes)`` of the files ``inject-before``
    and ``inject-after`` name: their text is joined around the file's before it is read.
    """
    fmt = fmt or config_format(path)
    if data is None:
        data = buffer_for(path)
    if data is not None:
        cache = False
        if len(data) > MAX_BYTES:
            return unreadable(path, fmt or Format.INI, f"file larger than {MAX_BYTES} bytes")
    else:
        try:
            data = read_regular(path)
        except Unreadable as exc:
            return unreadable(path, fmt or Format.INI, str(exc))
    fmt = fmt or sniff(data)
    before, after = inject
    if before or after:
        cache = False
    table = file_table(config_arg or path, path, explicit_section, host or Host(), first)
    if on_table is not None:
        on_table(table)
    key: tuple[object, ...] | None = None
    parsed = active.parsed if cache and (active := session.current()) is not None else None
    if parsed is not None:
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None:
            upper = tuple(table.values.get(c) for c in UPPER) if _UPPER.search(data) else None
            key = (path, st.st_mtime_ns, st.st_size, config_arg, section, explicit_section,
                   fmt, yaml_reader, host, openers, upper)
            hit = parsed.get(key)
            if hit is not None:
                parsed.move_to_end(key)
                return hit
    if fmt is Format.PYTHON:  # a uwsgiconf module: substituted once rendered
        from .python import parse as parse_python

        return parse_python(decode(data), path, table, openers, section)
    if before or after:
        source, parts = join([(p, decode(b)) for p, b in (*before, (path, data), *after)])
        exp = substitute(source, table, os.fspath(path), parts, len(before))
    else:
        source = decode(data)
        exp = substitute(source, table, os.fspath(path))
    if fmt is Format.XML and explicit_section:  # `FILE:id` filters by id, even `:uwsgi`
        from .xml import parse as parse_xml

        cfg = parse_xml(exp, openers, section, explicit=True)
    else:
        cfg = _reader(fmt, yaml_reader)(exp, openers, section)
    if isinstance(exp, Joined):
        rebase(cfg, exp, len(before))
    if fmt in (Format.INI, Format.YAML) and not source.isascii() and not (before or after):
        _check_utf8(data, source, exp, cfg)
    if key is not None and parsed is not None:
        parsed[key] = cfg
        if len(parsed) > session.PARSED_CACHE_SIZE:
            parsed.popitem(last=False)
    return cfg


INVALID_UTF8 = "UW024"


def _check_utf8(data: bytes, source: str, exp: Expanded, cfg: ConfigFile) -> None:
    """A problem at the first byte that is not UTF-8 (INI and YAML readers go on: uWSGI
    passes the bytes through; the XML and JSON readers refuse such files themselves)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = len(data[: exc.start].decode("utf-8", "surrogateescape"))
        span = Span(exp.path, exp.lines.position(at), exp.lines.position(at + 1))
        cfg.problems.append(Problem(
            INVALID_UTF8,
            f"invalid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x}): uWSGI "
            "passes the bytes through unchanged, but editors and tools may not show them as "
            "written; save the file as UTF-8",
            span,
        ))

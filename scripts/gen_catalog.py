#!/usr/bin/env python3
"""Regenerate the uWSGI option catalog from the uWSGI source (the ``uwsgi`` sdist on PyPI).

Usage::

    python scripts/gen_catalog.py [--version 2.0.31] [--sdist PATH_TO_TARBALL_OR_DIR]
                                  [--output uwsgi_lint/catalog/uwsgi-2.0.31.json]
                                  [--compare shared/reference/options/uwsgi-2.0.31.json]
    python scripts/gen_catalog.py --from-reference PATH.json --output OUT.json
    python scripts/gen_catalog.py --releases [--output uwsgi_lint/catalog/releases-2.0.json]

Without ``--sdist`` the script reuses a tarball cached by an earlier run
(``$XDG_CACHE_HOME/uwsgi-lint/uwsgi-VERSION.tar.gz``, default ``~/.cache``) or runs
``python -m pip download --no-deps --no-binary :all: uwsgi==VERSION -d TMPDIR``, caches the
tarball and unpacks it (safe extraction: no absolute/``..`` paths, no links, no devices).

What it extracts
----------------
Every ``struct uwsgi_option NAME[] = { {...}, ... };`` array in ``core/uwsgi.c`` and in the
C/C++ sources of ``plugins/*/`` (``.c``, ``.cc``, ``.cpp``: the gridfs and v8 tables live in
``.cc`` files), core first, then plugins in sorted directory order.  Each entry
``{"name", required_argument|no_argument|optional_argument, 'c' or 0, "help", handler,
data, flags}`` becomes one row:

``name``; ``plugin`` (``core`` or the plugin directory); ``arg`` (required/none/optional);
``short`` (the short-option letter or null); ``handler``; ``flags`` (``UWSGI_OPT_*`` names in
source order); ``value_kind`` and ``repeatable`` (from the handler via ``HANDLER_KINDS``;
both null for handlers that parse their value in a bespoke way); ``aliases`` (the distinct
names of the other rows of the same plugin with the same handler and the same ``data``
target, in table order; ``uwsgi_opt_noop`` rows are never aliases); ``conditions`` (the
``#if``/``#ifdef``/``#ifndef``/``#else`` conditions around the entry *inside* the array,
outermost first; ``#else`` is rendered ``!(COND)``; file-level guards such as the
``#ifdef UWSGI_SSL`` around all of ``plugins/sslrouter/sslrouter.c`` are not recorded);
``default_build``.

``default_build`` is true when the owning plugin is embedded in the build that
``pip install uwsgi==VERSION`` makes under CPython (``setup.py`` -> ``buildconf/default.ini``,
``inherit = base``, ``main_plugin = python,gevent``; the resulting ``embedded_plugins`` list
is also written to the document) *and* the row's conditions hold on a default Linux build
with ssl (OpenSSL >= 1.1), pcre, libcap, zlib, xml, yaml and json
(``DEFAULT_LINUX_DEFINES``).

Comparison with ``shared/reference/options/uwsgi-2.0.31.json`` (``--compare``)
----------------------------------------------------------------------------
Same 1263 rows in the same order; name, plugin, arg, short, handler, flags, value_kind,
repeatable and conditions are identical on every row.  18 field differences remain, all
cases where the reference is wrong and the generator is right:

* ``default_build`` on 14 core rows.  The reference marks every core row true (it judged by
  plugin only); here the row's conditions are evaluated too, so these are false:
  ``jail``, ``jail-ip4``, ``jail-ip6``, ``jidfile``, ``jid-file`` (``__FreeBSD__`` or
  ``__GNU_kFreeBSD__``), ``jail2``, ``libjail``, ``jail-attach`` (plus
  ``UWSGI_HAS_FREEBSD_LIBJAIL``), ``ssl-sessions-use-cache``, ``ssl-session-use-cache``,
  ``ssl-sessions-timeout``, ``ssl-session-timeout`` (``UWSGI_SSL_SESSION_CACHE``, which
  ``uwsgi.h`` defines only for ``OPENSSL_VERSION_NUMBER < 0x10100000L``), and the first
  ``mimefile``/``mime-file`` pair (``__APPLE__``; the ``#else`` pair right after it is the
  Linux one and stays true).
* ``aliases`` on the four ``mimefile``/``mime-file`` rows: the reference lists the other
  name twice (``["mime-file", "mime-file"]``) because the ``#ifdef __APPLE__`` and ``#else``
  branches both declare the pair; here aliases are de-duplicated (``["mime-file"]``).

``--releases``: the other 2.0 releases, relative to this one
-------------------------------------------------------------
Parses the sdist of every release of ``uwsgi_lint.catalog.RELEASES`` (2.0.18 ... 2.0.31,
cached or downloaded as above) and writes ``releases-2.0.json``: ``since`` (each option of
``--version``'s table that an older release lacks -> the first release that has it) and
``changed`` (option -> ``[first, last, {field: value}]``: releases whose row differs in
those fields).  Every field but ``conditions`` is compared (conditions differ only in how
the same guards are spelled: ``defined(UWSGI_PCRE)`` became ``defined(UWSGI_PCRE) ||
defined(UWSGI_PCRE2)``; ``default_build``, their meaning on the pip build, is compared).
The script then rebuilds each release's table with ``uwsgi_lint.catalog.release_rows`` and
stops with an error unless it equals the parsed one, row by row; it also stops on what the
format cannot say (an option only an older release has, a different build profile).

``--from-reference`` reformats a reference table that cannot be generated from a PyPI sdist
(2.1-dev) and applies the same two normalisations (conditions-aware ``default_build``,
de-duplicated aliases), so both packaged catalogs mean the same thing.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "2.0.31"

ARG_KINDS = {
    "required_argument": "required",
    "no_argument": "none",
    "optional_argument": "optional",
}

# handler -> (value_kind, repeatable).  Handlers that are not listed parse their value in a
# bespoke way; they get value_kind = repeatable = null.
_LIST = ("list", True)
HANDLER_KINDS: dict[str, tuple[str, bool]] = {
    "uwsgi_opt_true": ("bool", False),
    "uwsgi_opt_false": ("bool-inverted", False),
    "uwsgi_opt_set_int": ("int", False),
    "uwsgi_opt_set_rawint": ("int", False),
    "uwsgi_opt_set_64bit": ("uint64", False),
    "uwsgi_opt_set_16bit": ("uint16", False),
    "uwsgi_opt_set_megabytes": ("megabytes", False),
    "uwsgi_opt_set_str": ("string", False),
    "uwsgi_opt_set_str_spaced": ("string", False),
    "uwsgi_opt_set_uid": ("user", False),
    "uwsgi_opt_set_immediate_uid": ("user", False),
    "uwsgi_opt_uid": ("user", False),
    "uwsgi_opt_set_gid": ("group", False),
    "uwsgi_opt_set_immediate_gid": ("group", False),
    "uwsgi_opt_gid": ("group", False),
    "uwsgi_opt_chmod_socket": ("octal3", False),
    "uwsgi_opt_logfile_chmod": ("octal3", False),
    "uwsgi_opt_set_umask": ("octal", False),
    "uwsgi_opt_logic": ("logic-open", True),
    "uwsgi_opt_noop": ("logic-close", True),
    "uwsgi_opt_load": ("include", True),
    "uwsgi_opt_load_config": ("include", True),
    "uwsgi_opt_load_ini": ("include", True),
    "uwsgi_opt_load_xml": ("include", True),
    "uwsgi_opt_load_yml": ("include", True),
    "uwsgi_opt_load_json": ("include", True),
    "uwsgi_opt_set_placeholder": ("assignment", True),
    "uwsgi_opt_add_custom_option": ("assignment", True),
    "uwsgi_opt_set_null": ("reset", True),
    # list-like: every occurrence appends
    "uwsgi_opt_add_string_list": _LIST,
    "uwsgi_opt_add_string_list_custom": _LIST,
    "uwsgi_opt_add_addr_list": _LIST,
    "uwsgi_opt_add_regexp_list": _LIST,
    "uwsgi_opt_add_regexp_custom_list": _LIST,
    "uwsgi_opt_add_dyn_dict": _LIST,
    "uwsgi_opt_add_regexp_dyn_dict": _LIST,
    "uwsgi_opt_add_socket": _LIST,
    "uwsgi_opt_add_socket_no_defer": _LIST,
    "uwsgi_opt_add_ssl_socket": _LIST,
    "uwsgi_opt_add_lazy_socket": _LIST,
    "uwsgi_opt_add_shared_socket": _LIST,
    "uwsgi_opt_add_daemon": _LIST,
    "uwsgi_opt_add_daemon2": _LIST,
    "uwsgi_opt_add_cron": _LIST,
    "uwsgi_opt_add_cron2": _LIST,
    "uwsgi_opt_add_unique_cron": _LIST,
    "uwsgi_opt_add_farm": _LIST,
    "uwsgi_opt_add_mule": _LIST,
    "uwsgi_opt_add_mules": _LIST,
    "uwsgi_opt_add_spooler": _LIST,
    "uwsgi_opt_add_route": _LIST,
    "uwsgi_opt_load_plugin": _LIST,
    "uwsgi_opt_set_env": _LIST,
    "uwsgi_opt_unset_env": _LIST,
    "uwsgi_opt_set_logger": _LIST,
    "uwsgi_opt_set_req_logger": _LIST,
    "uwsgi_opt_corerouter": _LIST,
    "uwsgi_opt_undeferred_corerouter": _LIST,
    "uwsgi_opt_https": _LIST,
    "uwsgi_opt_https2": _LIST,
    "uwsgi_opt_http_to_https": _LIST,
}

# Macros defined by a default ``pip install uwsgi`` build on Linux (CPython 3, OpenSSL >= 1.1,
# pcre, libcap, zlib, libxml2, yaml, jansson).  Anything else counts as undefined, notably
# __APPLE__, __FreeBSD__, __GNU_kFreeBSD__, __CYGWIN__, OBSOLETE_LINUX_KERNEL,
# UWSGI_HAS_FREEBSD_LIBJAIL and UWSGI_SSL_SESSION_CACHE (uwsgi.h defines it only when
# OPENSSL_VERSION_NUMBER < 0x10100000L).
DEFAULT_LINUX_DEFINES = frozenset(
    {
        "__linux__",
        "UWSGI_SSL",
        "UWSGI_PCRE",
        "UWSGI_PCRE2",
        "UWSGI_ROUTING",
        "UWSGI_CAP",
        "UWSGI_ZLIB",
        "UWSGI_XML",
        "UWSGI_YAML",
        "UWSGI_JSON",
        "MADV_MERGEABLE",
        "PYTHREE",
        "SSL_CTRL_SET_TLSEXT_HOSTNAME",
        "RTLD_NEXT",
    }
)

_ARRAY_RE = re.compile(r"struct\s+uwsgi_option\s+(\w+)\s*\[\s*\]\s*=\s*\{")
_DIRECTIVE_RE = re.compile(r"#\s*(\w+)\s*(.*)")
_CHAR_CAST_RE = re.compile(r"^\(\s*(?:const\s+)?char\s*\*\s*\)\s*")  # C++ sources: (char *)"x"
SOURCE_SUFFIXES = (".c", ".cc", ".cpp")


# --------------------------------------------------------------------------- C scanning


def strip_comments(text: str) -> str:
    """Blank out C comments (keeping newlines), leaving string/char literals intact."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":  # unterminated literal: stop at end of line
                    break
                j += 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_top_level(s: str, sep: str = ",") -> list[str]:
    """Split ``s`` on ``sep`` outside brackets and string/char literals."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in "\"'":
            j = i + 1
            while j < n and s[j] != c:
                j += 2 if s[j] == "\\" else 1
            cur.append(s[i : j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur).strip())
    return parts


def c_string(expr: str) -> str | None:
    """Value of a (possibly concatenated) C string literal, or None if it is not one."""
    expr = _CHAR_CAST_RE.sub("", expr.strip())
    pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', expr)
    if not pieces or re.sub(r'"((?:[^"\\]|\\.)*)"', "", expr).strip():
        return None
    return "".join(pieces)


@dataclass
class _CondFrame:
    expr: str
    in_else: bool = False

    def render(self) -> str:
        return f"!({self.expr})" if self.in_else else self.expr


@dataclass
class RawEntry:
    array: str
    fields: list[str]
    conditions: list[str] = field(default_factory=list)


def _normalize_expr(expr: str) -> str:
    return " ".join(expr.split())


def iter_option_entries(text: str) -> Iterator[RawEntry]:
    """Yield the raw entries of every ``struct uwsgi_option X[] = {...}`` array in ``text``."""
    text = strip_comments(text)
    # join backslash-continued lines (only matters for preprocessor directives)
    text = re.sub(r"\\\n", " ", text)
    for m in _ARRAY_RE.finditer(text):
        array = m.group(1)
        stack: list[_CondFrame] = []
        depth = 1
        i, n = m.end(), len(text)
        entry_start = -1
        entry_conds: list[str] = []
        at_line_start = False
        while i < n and depth > 0:
            c = text[i]
            if c == "\n":
                at_line_start = True
                i += 1
                continue
            if at_line_start and c in " \t":
                i += 1
                continue
            if at_line_start and c == "#":
                eol = text.find("\n", i)
                eol = n if eol < 0 else eol
                _apply_directive(stack, text[i:eol], array)
                i = eol
                continue
            at_line_start = False
            if c in "\"'":
                j = i + 1
                while j < n and text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
                continue
            if c == "{":
                depth += 1
                if depth == 2:
                    entry_start = i + 1
                    entry_conds = [f.render() for f in stack]
            elif c == "}":
                depth -= 1
                if depth == 1:
                    fields = split_top_level(text[entry_start:i])
                    yield RawEntry(array, fields, entry_conds)
            i += 1
        if stack:
            raise ValueError(f"unbalanced preprocessor conditionals in {array}")


def _apply_directive(stack: list[_CondFrame], line: str, array: str) -> None:
    dm = _DIRECTIVE_RE.match(line.strip())
    if not dm:
        return
    kw, rest = dm.group(1), _normalize_expr(dm.group(2))
    if kw == "ifdef":
        stack.append(_CondFrame(f"defined({rest})"))
    elif kw == "ifndef":
        stack.append(_CondFrame(f"!defined({rest})"))
    elif kw == "if":
        stack.append(_CondFrame(rest))
    elif kw == "elif":
        top = stack.pop()
        prev = top.render() if not top.in_else else top.expr
        stack.append(_CondFrame(f"!({prev}) && ({rest})"))
    elif kw == "else":
        stack[-1].in_else = True
    elif kw == "endif":
        stack.pop()
    elif kw in ("define", "undef", "include", "pragma", "error", "warning"):
        pass
    else:
        raise ValueError(f"unexpected preprocessor directive in {array}: {line!r}")


# --------------------------------------------------------------------------- rows


def entry_to_row(entry: RawEntry, plugin: str) -> dict[str, Any] | None:
    """Turn a raw entry into a catalog row (without aliases/default_build); None = terminator."""
    f = entry.fields
    name = c_string(f[0]) if f else None
    if name is None:
        if f and f[0] in ("0", "NULL", ""):
            return None  # the {0, 0, 0, 0} terminator
        raise ValueError(f"cannot parse option entry {f!r} in {entry.array}")
    if len(f) < 5:
        raise ValueError(f"option entry with too few fields: {f!r}")
    arg = ARG_KINDS.get(f[1])
    if arg is None:
        raise ValueError(f"unknown argument kind {f[1]!r} for {name}")
    short_m = re.fullmatch(r"'(.)'", f[2])
    short = short_m.group(1) if short_m else None
    if short is None and f[2] not in ("0", "NULL"):
        raise ValueError(f"unknown short option {f[2]!r} for {name}")
    handler = f[4]
    data = "".join(f[5].split()) if len(f) > 5 else "NULL"
    flags_expr = f[6] if len(f) > 6 else "0"
    flags = [x.strip("() \t") for x in flags_expr.split("|")]
    flags = [x for x in flags if x and x != "0"]
    for fl in flags:
        if not fl.startswith("UWSGI_OPT_"):
            raise ValueError(f"unknown flag {fl!r} for {name}")
    value_kind, repeatable = HANDLER_KINDS.get(handler, (None, None))
    return {
        "name": name,
        "plugin": plugin,
        "arg": arg,
        "short": short,
        "handler": handler,
        "flags": flags,
        "value_kind": value_kind,
        "repeatable": repeatable,
        "aliases": [],
        "conditions": list(entry.conditions),
        "default_build": False,
        "_data": data,
    }


def assign_aliases(rows: list[dict[str, Any]]) -> None:
    """Rows of one plugin with the same handler and the same data target are aliases."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if row["handler"] == "uwsgi_opt_noop":
            continue
        groups.setdefault((row["plugin"], row["handler"], row["_data"]), []).append(row)
    for members in groups.values():
        for row in members:
            seen: list[str] = []
            for other in members:
                if other is not row and other["name"] != row["name"] and other["name"] not in seen:
                    seen.append(other["name"])
            row["aliases"] = seen


# ------------------------------------------------------------------- default build


def _read_profile(root: Path, profile: str) -> dict[str, str]:
    """Read a buildconf profile the way uwsgiconfig.uConf does (inherit, interpolation)."""
    path = root / profile
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(path, encoding="utf-8")
    own = dict(cp["uwsgi"])
    inherit = own.get("inherit")
    if not inherit:
        return own
    if "/" not in inherit:
        inherit = f"buildconf/{inherit}"
    if not inherit.endswith(".ini"):
        inherit += ".ini"
    parent_cp = configparser.ConfigParser(
        defaults={k: v for k, v in own.items()},
        interpolation=configparser.BasicInterpolation(),
    )
    parent_cp.read(root / inherit, encoding="utf-8")
    merged = dict(own)
    for key in parent_cp.options("uwsgi"):
        if key not in own or not own[key] or own[key] == "false":
            merged[key] = parent_cp.get("uwsgi", key)
        elif own[key].startswith("+"):
            merged[key] = parent_cp.get("uwsgi", key) + own[key][1:]
    return merged


def pip_profile(root: Path) -> str:
    """The buildconf profile setup.py uses under CPython (``UWSGI_PROFILE`` unset)."""
    setup = (root / "setup.py").read_text(encoding="utf-8", errors="replace")
    m = re.search(
        r"else:\s*\n\s*profile\s*=\s*os\.environ\.get\('UWSGI_PROFILE',\s*'([^']+)'\)", setup
    )
    return m.group(1) if m else "buildconf/default.ini"


def embedded_plugins(root: Path) -> list[str]:
    conf = _read_profile(root, pip_profile(root))
    out: list[str] = []
    for item in conf.get("embedded_plugins", "").split(","):
        p = item.split("=")[0].strip()
        if p and p != "None" and p not in out:
            out.append(p)
    return out


def condition_holds(expr: str, defines: Iterable[str] = DEFAULT_LINUX_DEFINES) -> bool:
    """Evaluate a preprocessor condition (defined(), !, &&, ||, parentheses) for ``defines``."""
    defined = set(defines)
    py = re.sub(r"defined\s*\(\s*(\w+)\s*\)", lambda m: str(m.group(1) in defined), expr)
    py = re.sub(r"defined\s+(\w+)", lambda m: str(m.group(1) in defined), py)
    py = py.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py)
    if not re.fullmatch(r"[\sA-Za-z()]*", py) or set(re.findall(r"\w+", py)) - {
        "True",
        "False",
        "and",
        "or",
        "not",
    }:
        raise ValueError(f"cannot evaluate preprocessor condition {expr!r}")
    return bool(eval(py, {"__builtins__": {}}))


# --------------------------------------------------------------------------- driver


def source_files(root: Path) -> list[tuple[str, Path]]:
    files = [("core", root / "core" / "uwsgi.c")]
    for path in sorted((root / "plugins").glob("*/*")):
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            files.append((path.parent.name, path))
    return files


def parse_sdist(root: Path) -> list[dict[str, Any]]:
    """Parse an unpacked uWSGI source tree into the catalog rows (table order)."""
    root = Path(root)
    rows: list[dict[str, Any]] = []
    embedded = set(embedded_plugins(root)) | {"core"}
    for plugin, path in source_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "uwsgi_option" not in text:
            continue  # no option table (most plugin sources): no need to scan it
        for entry in iter_option_entries(text):
            row = entry_to_row(entry, plugin)
            if row is not None:
                rows.append(row)
    assign_aliases(rows)
    for row in rows:
        row["default_build"] = row["plugin"] in embedded and all(
            condition_holds(c) for c in row["conditions"]
        )
        del row["_data"]
    return rows


NOTE = (
    "option table extracted from the uWSGI source (struct uwsgi_option arrays in "
    "core/uwsgi.c and plugins/*); facts only, help texts omitted"
)


def build_document(
    rows: list[dict[str, Any]], version: str, embedded: list[str], note: str = NOTE
) -> dict[str, Any]:
    return {
        "uwsgi_version": version,
        "note": note,
        "embedded_plugins": embedded,
        "options": rows,
    }


def dumps_catalog(doc: dict[str, Any]) -> str:
    """Deterministic JSON: compact, one option per line."""

    def compact(obj: Any) -> str:
        return json.dumps(obj, indent=None, separators=(",", ":"), ensure_ascii=False)

    head = {k: v for k, v in doc.items() if k != "options"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"{compact(k)}:{compact(v)},")
    lines.append('"options":[')
    opts = doc["options"]
    for i, row in enumerate(opts):
        lines.append(compact(row) + ("," if i < len(opts) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def _needed(name: str) -> bool:
    """Whether an sdist member is read here: core/uwsgi.c, the plugin sources, setup.py
    and the build profiles (at the top of the sdist or below its one directory: the
    2.0.19 sdist has none)."""
    parts = name.split("/")
    for tail in (parts, parts[1:]):
        if tail in (["core", "uwsgi.c"], ["setup.py"]) or tail[:1] == ["buildconf"]:
            return True
        if len(tail) == 3 and tail[0] == "plugins" and tail[2].endswith(SOURCE_SUFFIXES):
            return True
    return False


def _safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    dest = dest.resolve()
    members = []
    for member in tar.getmembers():
        target = (dest / member.name).resolve()
        if not target.is_relative_to(dest):
            raise ValueError(f"unsafe path in sdist: {member.name}")
        if member.issym() or member.islnk():
            continue  # not needed for parsing; avoids link tricks
        if not (member.isfile() or member.isdir()) or not _needed(member.name):
            continue
        members.append(member)
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, members=members, filter="data")
    else:  # pragma: no cover - Python < 3.10.12
        tar.extractall(dest, members=members)


def cache_path(version: str) -> Path:
    """Where a downloaded sdist is kept between runs (also looked up by the tests)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "uwsgi-lint" / f"uwsgi-{version}.tar.gz"


def locate_source(sdist: Path | None, version: str, workdir: Path) -> Path:
    """Return the root of an unpacked uWSGI source tree, downloading/unpacking as needed."""
    if sdist is None and cache_path(version).is_file():
        sdist = cache_path(version)
    if sdist is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"uwsgi=={version}",
                "-d",
                str(workdir),
            ],
            check=True,
        )
        tarballs = sorted(workdir.glob("uwsgi-*.tar.gz")) + sorted(workdir.glob("uWSGI-*.tar.gz"))
        if not tarballs:
            raise FileNotFoundError(f"pip download produced no sdist in {workdir}")
        sdist = tarballs[0]
        try:
            cache_path(version).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sdist, cache_path(version))
        except OSError as exc:  # caching is best effort
            print(f"warning: cannot cache {sdist}: {exc}", file=sys.stderr)
    sdist = Path(sdist)
    if sdist.is_file():
        with tarfile.open(sdist) as tar:
            _safe_extract(tar, workdir / "src")
        sdist = workdir / "src"
    return find_root(sdist)


def find_root(path: Path) -> Path:
    if (path / "core" / "uwsgi.c").is_file():
        return path
    for child in sorted(path.iterdir()):
        if (child / "core" / "uwsgi.c").is_file():
            return child
    raise FileNotFoundError(f"no uWSGI source tree (core/uwsgi.c) under {path}")


# ------------------------------------------------------------------------ releases

# the row fields a release's table is compared on (every one but name and conditions)
RELEASE_FIELDS = (
    "plugin", "arg", "short", "handler", "flags", "value_kind", "repeatable", "aliases",
    "default_build",
)
RELEASES_NOTE = (
    "how each uWSGI 2.0 release's option table differs from the base one: since = the "
    "first release that has the option (older ones ignore it), changed = [first, last, "
    "fields] of releases whose row has other values (conditions not compared)"
)


def _lint_catalog() -> Any:
    """``uwsgi_lint.catalog`` of this checkout (its release list and table rebuilder)."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    import uwsgi_lint.catalog

    return uwsgi_lint.catalog


def _first_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out.setdefault(row["name"], row)
    return out


def _compared(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["name"], *(json.dumps(r[f]) for f in RELEASE_FIELDS)) for r in rows]


def release_delta(
    base: str, tables: dict[str, tuple[list[dict[str, Any]], list[str]]]
) -> dict[str, Any]:
    """The ``releases-2.0.json`` document: how the table of each release of ``tables``
    (release -> (rows, embedded plugins), oldest first) differs from ``base``'s."""
    release_rows = _lint_catalog().release_rows
    base_rows, base_embedded = tables[base]
    base_first = _first_rows(base_rows)
    releases = list(tables)
    since: dict[str, str] = {}
    runs: dict[str, list[list[Any]]] = {}
    for i, release in enumerate(releases):
        rows, embedded = tables[release]
        if embedded != base_embedded:
            raise ValueError(f"{release}: embedded plugins differ from {base}'s")
        first = _first_rows(rows)
        extra = sorted(set(first) - set(base_first))
        if extra:
            raise ValueError(f"{release} has options that {base} lacks: {', '.join(extra)}")
        for name, row in first.items():
            if i:
                since.setdefault(name, release)  # older releases lack it (checked below)
            diff = {f: row[f] for f in RELEASE_FIELDS if row[f] != base_first[name][f]}
            if not diff:
                continue
            prev = runs.setdefault(name, [])
            if prev and prev[-1][2] == diff and releases.index(prev[-1][1]) == i - 1:
                prev[-1][1] = release
            else:
                prev.append([release, release, diff])
    oldest = set(_first_rows(tables[releases[0]][0]))
    since = {name: first for name, first in since.items() if name not in oldest}
    doc = {
        "base": base,
        "releases": releases,
        "note": RELEASES_NOTE,
        "since": dict(sorted(since.items(), key=lambda kv: (releases.index(kv[1]), kv[0]))),
        "changed": dict(sorted(runs.items())),
    }
    for release in releases:
        rebuilt = _compared(release_rows(release, base_rows, doc))
        parsed = _compared(tables[release][0])
        if rebuilt != parsed:
            at = next(
                (i for i, (a, b) in enumerate(zip(rebuilt, parsed, strict=False)) if a != b),
                min(len(rebuilt), len(parsed)),
            )
            raise ValueError(
                f"{release}: the table rebuilt from {base}'s differs from the parsed one at "
                f"row {at} ({len(rebuilt)} rows rebuilt, {len(parsed)} parsed)"
            )
    return doc


def dumps_releases(doc: dict[str, Any]) -> str:
    """Deterministic JSON: compact, one option per line."""

    def compact(obj: Any) -> str:
        return json.dumps(obj, indent=None, separators=(",", ":"), ensure_ascii=False)

    lines = ["{"]
    for key, value in doc.items():
        if isinstance(value, dict):
            items = [f"{compact(k)}:{compact(v)}" for k, v in value.items()]
            lines.append(f"{compact(key)}:{{")
            lines.extend(item + ("," if i < len(items) - 1 else "") for i, item in enumerate(items))
            lines.append("},")
        else:
            lines.append(f"{compact(key)}:{compact(value)},")
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_releases(base: str, output: Path) -> dict[str, Any]:
    """Parse the sdist of each release (cached or downloaded) and write the document."""
    releases = _lint_catalog().RELEASES
    if base != releases[-1]:
        raise ValueError(f"--releases is relative to the newest release, {releases[-1]}")
    tables: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
    for release in releases:
        with tempfile.TemporaryDirectory(prefix="uwsgi-sdist-") as tmp:
            root = locate_source(None, release, Path(tmp))
            tables[release] = (parse_sdist(root), embedded_plugins(root))
    doc = release_delta(base, tables)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dumps_releases(doc), encoding="utf-8")
    return doc


def compare(rows: list[dict[str, Any]], reference: Path) -> list[str]:
    ref = json.loads(reference.read_text(encoding="utf-8"))["options"]
    out: list[str] = []
    if len(ref) != len(rows):
        out.append(f"row count: generated {len(rows)}, reference {len(ref)}")
    for i, (a, b) in enumerate(zip(rows, ref, strict=False)):
        if a["name"] != b["name"]:
            out.append(f"row {i}: name {a['name']!r} != reference {b['name']!r}")
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(f"row {i} {a['name']}: {key} {a.get(key)!r} != ref {b.get(key)!r}")
    return out


def normalize_reference(doc: dict[str, Any], embedded: list[str]) -> dict[str, Any]:
    """Reformat a reference table with this generator's default_build/aliases semantics."""
    rows: list[dict[str, Any]] = []
    keys = list(doc["options"][0]) if doc["options"] else []
    for src in doc["options"]:
        row = {k: src[k] for k in keys}
        row["aliases"] = list(dict.fromkeys(a for a in src["aliases"] if a != src["name"]))
        in_build = row["plugin"] == "core" or row["plugin"] in embedded
        if row["default_build"] and not in_build:
            raise ValueError(
                f"{row['name']}: default_build but plugin {row['plugin']} not embedded"
            )
        row["default_build"] = in_build and all(condition_holds(c) for c in row["conditions"])
        rows.append(row)
    return build_document(rows, doc["uwsgi_version"], embedded, doc.get("note", NOTE))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--version", default=DEFAULT_VERSION)
    ap.add_argument("--sdist", type=Path, help="uwsgi sdist tarball or unpacked directory")
    ap.add_argument("--output", type=Path, help="default: uwsgi_lint/catalog/uwsgi-VERSION.json")
    ap.add_argument("--compare", type=Path, help="reference JSON to diff against")
    ap.add_argument(
        "--from-reference",
        type=Path,
        help="reformat this reference JSON instead of parsing an sdist (for 2.1-dev)",
    )
    ap.add_argument(
        "--embedded-from",
        type=Path,
        help="with --from-reference: take embedded_plugins from this generated catalog",
    )
    ap.add_argument(
        "--releases",
        action="store_true",
        help="write releases-2.0.json: how the 2.0 releases from 2.0.18 on differ from "
        "--version (the newest)",
    )
    args = ap.parse_args(argv)
    if args.releases:
        if args.sdist or args.compare or args.from_reference:
            ap.error("--releases reads the cached or downloaded sdist of each release")
        output = args.output or Path(__file__).resolve().parents[1] / "uwsgi_lint" / "catalog" / (
            "releases-2.0.json"
        )
        doc = write_releases(args.version, output)
        print(
            f"wrote {len(doc['since'])} later options and {len(doc['changed'])} changed rows "
            f"of {len(doc['releases'])} releases to {output}",
            file=sys.stderr,
        )
        return 0
    if args.from_reference:
        if not args.output:
            ap.error("--from-reference needs --output")
        ref = json.loads(args.from_reference.read_text(encoding="utf-8"))
        embedded: list[str] = []
        if args.embedded_from:
            embedded = json.loads(args.embedded_from.read_text(encoding="utf-8"))[
                "embedded_plugins"
            ]
        else:
            embedded = sorted(
                {r["plugin"] for r in ref["options"] if r["default_build"]} - {"core"}
            )
        args.output.write_text(dumps_catalog(normalize_reference(ref, embedded)), encoding="utf-8")
        print(f"wrote {len(ref['options'])} options to {args.output}", file=sys.stderr)
        return 0
    output = args.output or (
        Path(__file__).resolve().parents[1]
        / "uwsgi_lint"
        / "catalog"
        / f"uwsgi-{args.version}.json"
    )
    with tempfile.TemporaryDirectory(prefix="uwsgi-sdist-") as tmp:
        root = locate_source(args.sdist, args.version, Path(tmp))
        rows = parse_sdist(root)
        embedded = embedded_plugins(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dumps_catalog(build_document(rows, args.version, embedded)), encoding="utf-8")
    print(f"wrote {len(rows)} options to {output}", file=sys.stderr)
    if args.compare:
        diffs = compare(rows, args.compare)
        for line in diffs:
            print(line)
        print(f"{len(diffs)} difference(s) from {args.compare}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

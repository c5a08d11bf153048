"""Finding the uWSGI configs under the paths a command line names.

Directories are walked recursively (sorted by name, depth first, symlinked directories
followed without ever looping, symlinks out of the run's boundary never: see
:mod:`uwsgi_lint.fs`); a file found there is kept only if its suffix is one a
config can have and its content looks like uWSGI's (:func:`looks_like_uwsgi`).  A file
named on the command line is always kept, whatever its content.  Special files (FIFOs,
sockets, devices) are never opened.  ``--exclude`` globs and, inside a git work tree,
``.gitignore`` (asked of git itself) prune the walk.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from . import fs
from .globs import Globs, compile_globs, relative
from .instance.loader import split_target
from .model import Format
from .readers import format_for

# what a config's name can end with: uWSGI's suffix dispatch, and common snippet names
# names; and Python modules that import uwsgiconf (uwsgicfg.py)
CANDIDATE_SUFFIXES = (
    ".ini", ".xml", ".yml", ".yaml", ".json", ".js", ".conf", ".cfg", ".skel", ".py"
)
# directories a walk never enters (a directory named on the command line is still walked)
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox"}
)

HEAD_BYTES = 64 * 1024  # at most this much of a file is read to recognise it
FIRST_BYTES = 4096  # most files decide within this; the rest is read only when needed
GIT_TIMEOUT = 10.0  # seconds for one `git check-ignore` batch
LINK_OUT = "a symlink out of the linted tree; not read"


@dataclass(frozen=True, slots=True)
class Walk:
    """How directories are walked (``--max-depth``, ``--exclude``, ``.gitignore``)."""

    max_depth: int | None = None
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True


@dataclass(frozen=True, slots=True)
class Found:
    path: str  # as it should be shown/read (joined from the user's path, not resolved)
    explicit: bool  # named on the command line (always checked, whatever its content)
    format: Format | None  # guessed from suffix/content, None if unknown


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str
    explicit: bool = False  # named on the command line (by pre-commit, say)


@dataclass(slots=True)
class Discovery:
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # command-line paths that do not exist
    # files that may be configs and directories that may hold some, which cannot be read
    # (permission denied ...): reported, never passed over in silence
    unreadable: list[Skipped] = field(default_factory=list)


# --- content recognition --------------------------------------------------------------

_INI_HEADER = re.compile(rb"^[ \t\r]*\[uwsgi\][ \t\r]*$", re.MULTILINE)
# a top-level `uwsgi:` key (uWSGI's embedded reader wants the colon right after the name)
_YAML_KEY = re.compile(rb"^(?:uwsgi|\"uwsgi\"|'uwsgi')[ \t]*:(?=[ \t\r\n]|$)", re.MULTILINE)
# what may come before the root element (alternatives start differently: no backtracking blowup)
_XML_PROLOG = re.compile(
    rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>)*", re.DOTALL | re.IGNORECASE
)
# a start or end tag at a `<` (attribute values are quoted; `<` cannot appear outside them)
_XML_TAG = re.compile(rb"<(/?)([^\s/<>!?]+)(?:[^<>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
_XML_SKIP = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">"))
# a string (an unterminated one runs to the end: linear on any input) or a structural byte
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[{}\[\]:]', re.DOTALL)
_BOM = b"\xef\xbb\xbf"
# a Python module that imports uwsgiconf (at any indentation: configurators import inside
# functions); recognised by its text, never parsed unless it matches
_UWSGICONF_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+uwsgiconf[. \t]|import[ \t]+uwsgiconf\b)",
                               re.MULTILINE)
# keys only a build profile has (buildconf/*.ini, read by uwsgiconfig.py when uWSGI is
# compiled: `main_plugin`, `embedded_plugins` ...): its `[uwsgi]` section is no runtime config
_BUILD_PROFILE = re.compile(
    rb"^[ \t]*(?:main_plugin|embedded_plugins|bin_name|plugin_build_dir|plugin_dir|"
    rb"malloc_implementation|as_shared_library|embed_config|embed_files)[ \t]*=",
    re.MULTILINE,
)


def looks_like_uwsgi(path: str, head: bytes) -> Format | None:
    """The format of ``head`` (a file's first bytes) if it looks like a uWSGI config.

    A file with one of uWSGI's suffixes is read as that format (uWSGI would read it so),
    and kept when its content looks like a uWSGI config in any format: an INI file named
    ``app.js`` is read as JSON, and its reader says uWSGI exits, as for a file named on
    the command line.  Any other file is read as whichever format its content suggests.
    A build profile (``buildconf/*.ini``: ``main_plugin``, ``embedded_plugins`` ... in its
    ``[uwsgi]`` section) is no config.  A ``.py`` file is a config when it imports
    uwsgiconf.
    """
    if path.endswith(".py"):
        return Format.PYTHON if _UWSGICONF_IMPORT.search(head) else None
    if b"uwsgi" not in head:
        return None
    head = head.removeprefix(_BOM)
    if _BUILD_PROFILE.search(head) and _is_ini(head):
        return None  # a build profile (uwsgiconfig.py --build PROFILE), not read at run time
    fmt = format_for(path)
    if fmt is not None:
        if _CHECKS[fmt](head) or any(_is_other(head, other) for other in _CHECKS if other != fmt):
            return fmt
        return None
    start = head.lstrip()[:1]
    if start == b"<":
        order: tuple[Format, ...] = (Format.XML,)
    elif start == b"{":
        order = (Format.JSON,)
    else:
        order = (Format.INI, Format.YAML)
    for fmt in order:
        if _CHECKS[fmt](head):
            return fmt
    return None


# the first line that is not blank, for content under another format's suffix: an INI or
# YAML file starts as one (a `[uwsgi]` in a YAML block scalar or a JS string is no config)
_FIRST_LINE = re.compile(rb"[ \t\r\n]*([^\r\n]*)")
_STARTS_AS = {
    Format.INI: re.compile(rb"[\[;#]"),
    Format.YAML: re.compile(rb"---|#|[\w\"'.-]+[ \t]*:"),
}
_INI_TOP = re.compile(rb"^\[uwsgi\][ \t\r]*$", re.MULTILINE)


def _is_other(head: bytes, fmt: Format) -> bool:
    """Whether a file named for another format holds a uWSGI config in ``fmt``: it starts
    as one, and an INI `[uwsgi]` header is not indented."""
    starts = _STARTS_AS.get(fmt)
    if starts is not None:
        first = _FIRST_LINE.match(head)
        if first is None or not starts.match(first.group(1)):
            return False
    if fmt is Format.INI:
        return _INI_TOP.search(head) is not None
    return _CHECKS[fmt](head)


def _is_ini(head: bytes) -> bool:
    # ini.c: a line stripped of spaces, tabs and CRs that is `[uwsgi]`
    return _INI_HEADER.search(head) is not None


# a `uwsgi:` key whose value is a YAML list (`- --master`): command-line arguments kept in
# a Helm values file or a compose file, which uWSGI's YAML reader never reads as options
_YAML_LIST_VALUE = re.compile(rb"[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*- ")


def _is_yaml(head: bytes) -> bool:
    return any(
        _YAML_LIST_VALUE.match(head, m.end()) is None for m in _YAML_KEY.finditer(head)
    )


def _local(name: bytes) -> bytes:
    return name.rpartition(b":")[2]  # libxml2 names elements without their prefix


def _is_xml(head: bytes) -> bool:
    # xmlconf.c: the root element is <uwsgi>, or one of the root's children is
    prolog = _XML_PROLOG.match(head)
    pos = i = prolog.end() if prolog else 0
    depth = 0
    while (lt := head.find(b"<", i)) >= 0:
        if depth == 0 and lt != pos:
            return False  # text before the root element, or after it: not a uWSGI document
        for opener, closer in _XML_SKIP:  # comment, CDATA, processing instruction, declaration
            if head.startswith(opener, lt):
                end = head.find(closer, lt + len(opener))
                if end < 0:
                    return False
                i = end + len(closer)
                break
        else:
            m = _XML_TAG.match(head, lt)
            if m is None:
                return False
            i = m.end()
            if m.group(1):  # an end tag
                depth -= 1
                if depth <= 0:
                    return False
            elif depth <= 1 and _local(m.group(2)) == b"uwsgi":
                return True
            elif not m.group(3):
                depth += 1
            elif depth == 0:
                return False  # an empty root element
    return False


def _is_json(head: bytes) -> bool:
    # json.c: json_object_get(root, "uwsgi") on the top-level object
    stripped = head.rstrip()
    if stripped.endswith(b"}") and len(head) < HEAD_BYTES:
        try:
            doc = json.loads(head)
        except (ValueError, RecursionError):
            pass  # broken or truncated: scan the tokens instead
        else:
            return isinstance(doc, dict) and "uwsgi" in doc
    depth = 0
    previous = b""
    for m in _JSON_TOKEN.finditer(head):
        tok = m.group()
        if depth == 0 and tok != b"{":
            return False
        if tok in (b"{", b"["):
            depth += 1
        elif tok in (b"}", b"]"):
            depth -= 1
            if depth <= 0:
                return False
        elif tok == b":" and depth == 1 and previous[:1] == b'"' and _json_key(previous):
            return True
        previous = tok
    return False


def _json_key(tok: bytes) -> bool:
    if tok == b'"uwsgi"':
        return True
    if b"\\" not in tok:
        return False
    try:
        return bool(json.loads(tok) == "uwsgi")
    except ValueError:
        return False


_CHECKS = {Format.INI: _is_ini, Format.XML: _is_xml, Format.YAML: _is_yaml, Format.JSON: _is_json}


# --- reading a file's head without ever blocking --------------------------------------

_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "directory"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "special file"


UNREADABLE = "cannot read: "
_NEAR_INI_HEADER = re.compile(rb"^[ \t]*\[[ \t]*uwsgi", re.MULTILINE | re.IGNORECASE)
_INI_TOP_KEY = re.compile(rb"^[ \t]*([A-Za-z0-9_-]+)[ \t]*=", re.MULTILINE)
_YAML_TOP_KEY = re.compile(rb"^([A-Za-z0-9_-]+)[ \t]*:(?=[ \t\r\n]|$)", re.MULTILINE)
NOT_A_CONFIG = "not a uWSGI config"


def _oserror(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return UNREADABLE + (exc.strerror or str(exc))


def _recognise(path: str) -> tuple[Format | None, str | None]:
    """(format, None) for a config, (None, reason) for anything else; never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, _oserror(exc)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced since it was listed
            return None, f"not a regular file ({_kind(st.st_mode)})"
        head = os.read(fd, FIRST_BYTES)
        fmt = looks_like_uwsgi(path, head)
        if fmt is None and len(head) == FIRST_BYTES and st.st_size != FIRST_BYTES:
            chunks = [head]
            size = len(head)
            while size < HEAD_BYTES:
                chunk = os.read(fd, HEAD_BYTES - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            fmt = looks_like_uwsgi(path, b"".join(chunks))
    except OSError as exc:
        return None, _oserror(exc)
    finally:
        os.close(fd)
    return (fmt, None) if fmt is not None else (None, NOT_A_CONFIG)


def _explicit(arg: str, name: str, section: str | None) -> Found | Skipped:
    """A named file: checked in the format of its suffix, else of its content -- unless
    it is a regular, readable file that is no uWSGI config (a Kubernetes manifest, a
    ``package.json`` that pre-commit passes because its path mentions uwsgi), which is
    skipped.  A near miss (``[UWSGI]``, ``UWSGI:``: uWSGI reads nothing from it, which is
    worth a finding) and a section named with ``file:section`` are checked.  A file that
    cannot be read, or is no regular file, is checked, so that it is reported."""
    fmt = format_for(name)
    try:
        regular = stat.S_ISREG(os.stat(name).st_mode)
    except OSError:
        regular = False
    if not regular or section is not None:
        return Found(arg, True, fmt)
    found, reason = _recognise(name)
    if found is not None or (reason or "").startswith(UNREADABLE) or _near_miss(name):
        return Found(arg, True, fmt or found)
    return Skipped(arg, reason or NOT_A_CONFIG, explicit=True)


def _near_miss(path: str) -> bool:
    """Whether ``path`` is nearly a uWSGI config -- a mistake uWSGI reads nothing from,
    worth its finding (UW002, UW004): an INI header that is nearly ``[uwsgi]`` (``[uWSGI]``,
    ``[uwsgi``, ``[ uwsgi ]``, ``[uwsgi] ; main``), the section in another letter case in
    any format (``UWSGI:``, ``<UWSGI>``), or YAML top-level keys or INI keys above any
    header that are all uWSGI options (two or more: the section forgotten)."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return False
    if _NEAR_INI_HEADER.search(head) or looks_like_uwsgi(path, head.lower()) is not None:
        return True
    fmt = format_for(path)
    if fmt is Format.YAML:
        keys = {m.group(1).decode("ascii") for m in _YAML_TOP_KEY.finditer(head)}
    elif fmt is Format.INI:  # keys above any header
        top = head.split(b"\n[", 1)[0] if not head.startswith(b"[") else b""
        keys = {m.group(1).decode("ascii") for m in _INI_TOP_KEY.finditer(top)}
    else:
        return False
    if len(keys) < 2:
        return False
    from .catalog import load_catalog

    catalog = load_catalog()
    return all(catalog.get(k) is not None for k in keys)


# --- --exclude globs --------------------------------------------------------------------


def _compile(globs: Sequence[str]) -> Globs | None:
    """``--exclude`` globs compiled (raises :class:`~uwsgi_lint.globs.GlobError`); None
    without any."""
    return compile_globs(globs) if globs else None


def _excluded(globs: Globs | None, cwd: str, path: str, is_dir: bool) -> str | None:
    """The ``--exclude`` glob that excludes an entry (``path``: absolute, not resolved),
    if one does: globs are relative to the working directory ``cwd``; the walk does not
    enter an excluded directory."""
    if globs is None:
        return None
    return globs.match(relative(path, cwd), is_dir=is_dir)


# --- git check-ignore -----------------------------------------------------------------

_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX")


def _git_ignored(base: str, rels: list[str]) -> set[str]:
    """Which of ``rels`` (relative to ``base``) git ignores; empty if git cannot tell."""
    if not rels:
        return set()
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    data = b"".join(os.fsencode(r) + b"\0" for r in rels)
    try:
        proc = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", base, "check-ignore", "-z", "--stdin"],
            input=data,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if proc.returncode != 0:  # 1: nothing ignored; 128: not a work tree, or an error
        return set()
    return {os.fsdecode(p) for p in proc.stdout.split(b"\0") if p}


# --- the walk -------------------------------------------------------------------------


@dataclass(slots=True)
class _Dir:
    shown: str  # as displayed: the user's path joined with names
    real: str  # realpath
    absdir: str  # absolute, not resolved (for --exclude globs)
    depth: int
    ancestors: frozenset[tuple[int, int]]  # (st_dev, st_ino) of it and the dirs above it
    base: int  # index of the git base this directory's files are checked against
    base_rel: str  # its path relative to that base
    entries: Iterator[os.DirEntry[str]]
    new_base: bool = False  # holds a .git: a repository of its own


@dataclass(slots=True)
class _Candidate:
    shown: str
    explicit: bool
    base: int
    base_rel: str


def _not_regular(entry: os.DirEntry[str]) -> str | None:
    """Why a listed file (followed if a symlink) is not a regular file, if it is not."""
    try:
        if entry.is_file():  # the type from the listing: no stat() for most files
            return None
        return f"not a regular file ({_kind(entry.stat().st_mode)})"
    except OSError as exc:
        return _oserror(exc)


class _Walker:
    def __init__(
        self,
        max_depth: int | None,
        exclude: Sequence[str],
        respect_gitignore: bool,
        explicit: set[tuple[str, str | None]],
    ) -> None:
        self.max_depth = max_depth
        self.globs = _compile(exclude)
        self.cwd = os.getcwd() if self.globs else ""
        self.gitignore = respect_gitignore
        self.explicit = explicit
        self.out = Discovery()
        self.seen: dict[tuple[str, str | None], str] = {}  # realpath, section -> shown path
        self.entered: dict[tuple[int, int], str] = {}  # directory (dev, ino) -> shown path

    def add_explicit(self, arg: str, name: str, section: str | None) -> None:
        key = (os.path.realpath(name), section)
        if key in self.seen:
            return  # already checked, under the first name it was reached by
        self.seen[key] = arg
        self._add(_explicit(arg, name, section))

    def _add(self, item: Found | Skipped) -> None:
        if isinstance(item, Found):
            self.out.found.append(item)
        else:
            self.out.skipped.append(item)

    def walk(self, root: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key in self.entered:
            self.out.skipped.append(Skipped(root, f"same directory as {self.entered[key]!r}"))
            return
        self.entered[key] = root
        bases: list[str] = [root]
        pending: list[_Candidate | Skipped] = []
        real, absdir = os.path.realpath(root), os.path.abspath(root)
        frame = self._open(root, real, absdir, 0, frozenset({key}), 0, "", pending)
        stack = [frame] if frame is not None else []
        while stack:
            d = stack[-1]
            entry = next(d.entries, None)
            if entry is None:
                stack.pop()
                continue
            name = entry.name
            shown = os.path.join(d.shown, name)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                sub = self._subdir(d, entry, shown, bases, pending)
                if sub is not None:
                    stack.append(sub)
                continue
            try:
                link = entry.is_symlink()
            except OSError:
                link = False
            real = os.path.realpath(entry.path) if link else os.path.join(d.real, name)
            fkey = (real, None)
            first = self.seen.get(fkey)
            if first is not None:
                pending.append(Skipped(shown, f"same file as {first!r}"))
                continue
            base_rel = f"{d.base_rel}/{name}" if d.base_rel else name
            if fkey in self.explicit:
                self.seen[fkey] = shown
                pending.append(_Candidate(shown, True, d.base, base_rel))
                continue
            if link and not fs.inside(real):
                pending.append(Skipped(shown, LINK_OUT))
                continue
            pattern = _excluded(self.globs, self.cwd, os.path.join(d.absdir, name), False)
            if pattern is not None:
                pending.append(Skipped(shown, f"excluded by --exclude {pattern!r}"))
                continue
            if not name.endswith(CANDIDATE_SUFFIXES):
                pending.append(Skipped(shown, NOT_A_CONFIG))
                continue
            reason = _not_regular(entry)
            if reason is not None:
                pending.append(Skipped(shown, reason))
                continue
            self.seen[fkey] = shown
            pending.append(_Candidate(shown, False, d.base, base_rel))
        self._settle(bases, pending)

    def _open(
        self,
        shown: str,
        real: str,
        absdir: str,
        depth: int,
        ancestors: frozenset[tuple[int, int]],
        base: int,
        base_rel: str,
        pending: list[_Candidate | Skipped],
    ) -> _Dir | None:
        try:
            with os.scandir(shown) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            reason = _oserror(exc)
            unreadable = reason.startswith(UNREADABLE)
            (self.out.unreadable if unreadable else pending).append(Skipped(shown, reason))
            return None
        d = _Dir(shown, real, absdir, depth, ancestors, base, base_rel, iter(entries))
        d.new_base = any(e.name == ".git" for e in entries)
        return d

    def _subdir(
        self,
        d: _Dir,
        entry: os.DirEntry[str],
        shown: str,
        bases: list[str],
        pending: list[_Candidate | Skipped],
    ) -> _Dir | None:
        name = entry.name
        if name in SKIP_DIRS:
            return None
        pattern = _excluded(self.globs, self.cwd, os.path.join(d.absdir, name), True)
        if pattern is not None:
            pending.append(Skipped(shown, f"excluded by --exclude {pattern!r}"))
            return None
        if self.max_depth is not None and d.depth >= self.max_depth:
            pending.append(Skipped(shown, "deeper than --max-depth"))
            return None
        try:
            link = entry.is_symlink()
            if link and not fs.inside(entry.path):
                pending.append(Skipped(shown, LINK_OUT))  # its target is not even looked at
                return None
            st = entry.stat()
        except OSError as exc:
            pending.append(Skipped(shown, _oserror(exc)))
            return None
        key = (st.st_dev, st.st_ino)
        if key in d.ancestors:
            pending.append(Skipped(shown, "symlink loop"))
            return None
        if key in self.entered:
            pending.append(Skipped(shown, f"same directory as {self.entered[key]!r}"))
            return None
        self.entered[key] = shown
        frame = self._open(
            shown,
            os.path.realpath(shown) if link else os.path.join(d.real, name),
            os.path.join(d.absdir, name),
            d.depth + 1,
            d.ancestors | {key},
            d.base,
            f"{d.base_rel}/{name}" if d.base_rel else name,
            pending,
        )
        # git cannot look past a symlink or into a nested repository: ask from there
        if frame is not None and (link or frame.new_base):
            frame.base = len(bases)
            frame.base_rel = ""
            bases.append(shown)
        return frame

    def _settle(self, bases: list[str], pending: list[_Candidate | Skipped]) -> None:
        ignored: set[tuple[int, str]] = set()
        if self.gitignore:
            per_base: dict[int, list[str]] = {}
            for item in pending:
                if isinstance(item, _Candidate) and not item.explicit:
                    per_base.setdefault(item.base, []).append(item.base_rel)
            for base, rels in per_base.items():
                ignored.update((base, r) for r in _git_ignored(bases[base], rels))
        out = self.out
        for item in pending:
            if isinstance(item, Skipped):
                out.skipped.append(item)
            elif item.explicit:
                self._add(_explicit(item.shown, item.shown, None))
            elif (item.base, item.base_rel) in ignored:
                out.skipped.append(Skipped(item.shown, "ignored by .gitignore"))
            else:
                fmt, reason = _recognise(item.shown)
                if fmt is not None:
                    out.found.append(Found(item.shown, False, fmt))
                elif (reason or "").startswith(UNREADABLE):
                    out.unreadable.append(Skipped(item.shown, reason or UNREADABLE))
                else:
                    out.skipped.append(Skipped(item.shown, reason or NOT_A_CONFIG))


def discover(
    paths: Sequence[str],
    *,
    max_depth: int | None = None,
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
) -> Discovery:
    """The configs to check under ``paths``, what was passed over and why, what is missing.

    ``max_depth`` is how many directory levels below a named directory are walked (None:
    all; 0: only the directory's own files).  ``exclude`` holds gitignore-style globs
    relative to the working directory (see :mod:`uwsgi_lint.globs`); they never exclude
    a file named in ``paths``.
    """
    # what each argument is, and the files named explicitly (kept however they are reached)
    plan: list[tuple[str, str, str | None, os.stat_result | None]] = []  # arg, name, section
    explicit: set[tuple[str, str | None]] = set()
    for arg in paths:
        name, section = split_target(arg)  # `a:b.ini` is a file's name when it exists
        if section is not None and os.path.lexists(name):
            plan.append((arg, name, section, None))  # `app.ini:prod`, as --ini reads it
            explicit.add((os.path.realpath(name), section))
            continue
        try:
            info = os.stat(arg)
        except (FileNotFoundError, NotADirectoryError):
            if not os.path.lexists(arg):
                plan.append((arg, "", None, None))  # missing
                continue
            info = None  # a dangling symlink: named, so checked (and reported)
        except OSError:
            info = None  # exists but cannot be looked at: checked, so that it is reported
        if info is not None and stat.S_ISDIR(info.st_mode):
            plan.append((arg, arg, None, info))
        else:
            plan.append((arg, arg, None, None))
            explicit.add((os.path.realpath(arg), None))
    walker = _Walker(max_depth, exclude, respect_gitignore, explicit)
    for arg, name, section, info in plan:
        if not name:
            walker.out.missing.append(arg)
        elif info is None:
            walker.add_explicit(arg, name, section)
        else:
            walker.walk(arg, info)
    return walker.out

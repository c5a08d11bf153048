"""Project settings: ``[tool.uwsgi-lint]`` in ``pyproject.toml`` or ``.uwsgi-lint.toml``.

The settings file closest to a checked file wins: the search goes upward from the file's
directory and stops at the repository root (the first directory holding ``.git``), the
home directory or the filesystem root, so a file gets the same settings from any working
directory.  It never looks in or above a directory anyone may write to (world-writable
or sticky: ``/tmp``), and it ignores, with a warning, a settings file owned by another
user than this one or root, or a symlink out of the directories searched.  In one
directory ``.uwsgi-lint.toml`` (top-level keys) beats ``pyproject.toml``; a
``pyproject.toml`` without a ``[tool.uwsgi-lint]`` table is passed over.

Selectors (``select``, ``extend-select``, ``ignore``, ``per-file-ignores``, the keys of
``severity``) are codes (``UW101``), code prefixes (``UW1``), rule names
(``unknown-option``), rule sets (``default``, ``hardening``, ``pedantic``) or ``all``;
without ``select`` the ``default`` set runs.  When both a selecting and an ignoring
selector match a rule, the more specific one wins (a name or full code beats a longer
prefix, which beats a shorter one, which beats a set or ``all``); on a tie the rule is
ignored.

Every problem in a settings file is a :class:`SettingsError` naming the file, the line and
column of the offending key or value, and what is wrong; globs (``per-file-ignores``,
``exclude``, ``extend-exclude``) are compiled when the file is read, so an invalid one is
such an error too.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import fs
from .catalog import RELEASES, TARGET_VERSIONS
from .diagnostics import Severity
from .globs import GlobError, check_glob, compile_globs, relative

if TYPE_CHECKING:
    from .instance import Assumptions

#: What runs when no ``select`` is set: the ``default`` rule set (see :data:`rules.GROUPS`).
DEFAULT_SELECT = ("default",)

PYPROJECT = "pyproject.toml"
DOTFILE = ".uwsgi-lint.toml"
TABLE = ("tool", "uwsgi-lint")

KEYS = frozenset({
    "select", "extend-select", "ignore", "fixable", "unfixable", "per-file-ignores",
    "severity", "target-version",
    "yaml-reader", "plugins", "context", "container", "exclude", "extend-exclude",
    "allow-read", "docs-url",
})
VERSIONS = TARGET_VERSIONS  # "2.0" (any 2.0 release from 2.0.18 on), "2.0.18" ... "2.0.31", "2.1"
YAML_READERS = ("embedded", "libyaml")
CONTEXTS = ("auto", "container", "host")  # see uwsgi_lint.deploy
MAX_BYTES = 1024 * 1024  # a larger settings file is an error, not read


class SettingsError(Exception):
    """A settings file that cannot be used; ``str()`` is ``path:line:column: message``."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings for one file; ``None`` for a key the settings file does not set."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # the rules whose fixes --fix may apply (None: all), and those it may not
    fixable: tuple[str, ...] | None = None
    unfixable: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, selectors)
    severity: tuple[tuple[str, Severity], ...] = ()  # (selector, severity)
    target_version: str | None = None
    yaml_reader: str | None = None
    plugins: tuple[str, ...] | None = None
    context: str | None = None
    container: bool | None = None  # deprecated: `context = "container"`
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    # paths (relative to the settings file) a run may read too: see engine.boundary_roots
    allow_read: tuple[str, ...] = ()
    # where the rule pages are published, ``{code}``/``{name}`` filled in (for the whole
    # run: taken from the settings of the working directory, see cli.py)
    docs_url: str | None = None
    source: str | None = None  # the settings file these came from; None: the defaults

    @property
    def root(self) -> str | None:
        """The directory that globs are relative to: the settings file's own."""
        return os.path.dirname(self.source) if self.source else None

    def assumptions(self, base: Assumptions) -> Assumptions:
        """``base`` with what these settings set (target-version, yaml-reader, plugins,
        context; the deprecated container when context is not set) put in; command-line
        options should be applied after this."""
        changes: dict[str, Any] = {}
        if self.target_version is not None:
            changes["version"] = self.target_version
        if self.yaml_reader is not None:
            changes["yaml_reader"] = self.yaml_reader
        if self.plugins is not None:
            changes["plugins"] = frozenset(self.plugins)
        if self.context is not None:
            changes["context"], changes["container"] = self.context, False
        elif self.container is not None:
            changes["container"] = self.container
        return replace(base, **changes) if changes else base


@dataclass(frozen=True, slots=True)
class Selection:
    """Rule selectors given for a whole run (``--select``, ``--extend-select``,
    ``--ignore``, ``--per-file-ignores``, ``--severity``), put over each file's settings:
    ``select`` starts the selection anew (the settings' own ``select``, ``extend-select``
    and ``ignore`` are dropped), the others add to the settings' own and win over them.
    ``per_file_ignores`` globs are relative to ``cwd`` (the working directory)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fixable: tuple[str, ...] | None = None  # replaces the settings' own
    unfixable: tuple[str, ...] = ()
    cwd: str = ""

    def over(self, settings: Settings) -> Settings:
        if self.select is not None:
            settings = replace(settings, select=self.select, extend_select=(), ignore=())
        if self.fixable is not None:
            settings = replace(settings, fixable=self.fixable)
        return replace(
            settings,
            unfixable=settings.unfixable + self.unfixable,
            extend_select=settings.extend_select + self.extend_select,
            ignore=settings.ignore + self.ignore,
            per_file_ignores=settings.per_file_ignores + tuple(
                (self._rebased(glob, settings.root), rules)
                for glob, rules in self.per_file_ignores
            ),
            severity=settings.severity + self.severity,  # the last of equals wins
        )

    def _rebased(self, glob: str, root: str | None) -> str:
        """A glob relative to the working directory, made relative to ``root`` (the
        settings file's directory, which globs there are relative to): a glob without a
        ``/`` matches a file's name at any depth, as it did."""
        if root is None or "/" not in glob.rstrip("/"):
            return glob
        here = self.cwd or os.getcwd()
        rebased = relative(os.path.join(here, glob.lstrip("/")), root)  # as files are
        return rebased + ("/" if glob.endswith("/") else "")


def docs_url_problem(url: str) -> str | None:
    """What is wrong with a ``docs-url`` template, or None: an ``http(s)://`` URL naming
    ``{code}`` or ``{name}`` (or both), printable, with no other ``{...}`` field."""
    import string

    if not url.startswith(("https://", "http://")) or not url.isprintable() or " " in url:
        return f"expected an http:// or https:// URL without spaces, not {url!r}"
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(url) if f is not None}
    except ValueError:
        fields = {"?"}
    if not fields or not fields <= {"code", "name"}:
        return f"expected a URL with {{code}} or {{name}} in it, not {url!r}"
    return None


def parse_selectors(text: str) -> tuple[str, ...]:
    """``--select UW1,unknown-option``: the comma-separated selectors of one option, each
    a code, a code prefix, a rule name, a set name or ``all`` (``ValueError`` if not)."""
    items = tuple(s.strip() for s in text.split(",") if s.strip())
    for s in items:
        if not _known_selector(s):
            raise ValueError(f"unknown rule code, prefix, name or set {s!r}")
    return items


DEFAULT = Settings()


class RuleLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...


# --- finding settings files ---------------------------------------------------------


def _text(path: str) -> str:
    """A settings file's text: a regular file (never a FIFO or device), at most
    :data:`MAX_BYTES`; raises :class:`SettingsError`."""
    try:
        data = fs.read_unbounded(path, MAX_BYTES)
    except fs.Unreadable as exc:
        raise SettingsError(path, 1, 1, f"cannot read settings: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(path, 1, 1, f"settings are not UTF-8: {exc.reason}") from None


def _toml(path: str, text: str) -> dict[str, Any]:
    """``text`` read as TOML (:mod:`tomllib`, or ``tomli`` before Python 3.11, imported
    only when a settings file is read); a syntax error is a :class:`SettingsError` at
    its line and column."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column, message = _toml_error(exc, text)
        raise SettingsError(path, line, column, f"invalid TOML: {message}") from None
    except RecursionError:
        raise SettingsError(path, 1, 1, "invalid TOML: nested too deep") from None
    return doc


def _toml_error(exc: ValueError, text: str) -> tuple[int, int, str]:
    """The line, column and message of a TOML syntax error: its ``lineno``, ``colno`` and
    ``msg`` (Python 3.13 on), else what its text ends with: ``(at line X, column Y)`` or
    ``(at end of document)``."""
    line, column, message = (getattr(exc, a, None) for a in ("lineno", "colno", "msg"))
    if isinstance(line, int) and isinstance(column, int) and isinstance(message, str):
        return line, column, message
    found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(exc), re.DOTALL)
    if found:
        return int(found[2]), int(found[3]), found[1]
    end_line = text.count("\n") + 1
    end_column = len(text) - (text.rfind("\n") + 1) + 1
    return end_line, end_column, str(exc).removesuffix(" (at end of document)")


def _has_table(path: Path) -> bool:
    try:
        text = _text(str(path))
    except SettingsError:
        return False
    if "uwsgi-lint" not in text:
        return False
    try:
        doc = _toml(str(path), text)
    except SettingsError:
        return True  # malformed and meant for us: loading it reports where
    tool = doc.get("tool")
    return isinstance(tool, dict) and "uwsgi-lint" in tool


def _top(start: Path) -> Path | None:
    """The highest directory the settings search looks in: the git work tree's root, the
    home directory, or the directory below the first shared one (``None``: ``start``
    itself is shared)."""
    home = Path(os.path.expanduser("~"))
    d, top = start, None
    while not fs.shared(d):
        top = d
        if (d / ".git").exists() or d == home or d.parent == d:
            break
        d = d.parent
    return top


_WARNED: set[str] = set()


def _trusted(path: Path, top: Path) -> bool:
    """Whether a settings file found by the search may be used: owned by this user or by
    root, and (through its symlinks) inside the directories searched.  Else a warning on
    stderr, once per file."""
    try:
        st = path.stat()
        real = os.path.realpath(path)
    except OSError:
        return False
    uid = os.geteuid()
    if st.st_uid not in (uid, 0):
        why = f"it is owned by uid {st.st_uid}, not by you (uid {uid}) or root"
    elif not fs.Boundary((str(top.resolve()),)).contains(real):
        why = f"it leads out of {top} (to {real})"
    else:
        return True
    if str(path) not in _WARNED:
        _WARNED.add(str(path))
        from .untrusted import clean

        print(f"uwsgi-lint: warning: ignoring the settings file {clean(f'{path}: {why}')}",
              file=sys.stderr)
    return False


def find_settings(path: str) -> Path | None:
    """The settings file closest to ``path`` (a file or directory), or ``None``.

    The search goes up from ``path`` to the git work tree's root, the home directory or
    the filesystem root, and stops below a world-writable or sticky directory (``/tmp``:
    anyone may put a settings file there).  A settings file owned by another user than
    this one or root, or a symlink leading out of the directories searched, is ignored
    with a warning."""
    from .instance.loader import split_target

    p = Path(os.path.abspath(split_target(path)[0]))
    d = p if p.is_dir() else p.parent
    top = _top(d)
    if top is None:
        return None
    while True:
        dot = d / DOTFILE
        if dot.is_file() and _trusted(dot, top):
            return dot
        pyproject = d / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject) and _trusted(pyproject, top):
            return pyproject
        if d == top:
            return None
        d = d.parent


_CACHE: dict[str, tuple[tuple[int, int], Settings]] = {}


def load_settings(path: Path) -> Settings:
    """The settings in ``path`` (cached by path and modification time)."""
    full = os.path.abspath(path)
    try:
        st = os.stat(full)
    except OSError as exc:
        raise SettingsError(str(path), 1, 1, f"cannot read settings: {exc.strerror}") from None
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(full)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    settings = _load(full)
    _CACHE[full] = (stamp, settings)
    return settings


def settings_for(file: str, *, config: str | None = None, isolated: bool = False) -> Settings:
    """The settings that govern ``file``: ``config`` (``--config PATH``) for every file when
    given, none at all when ``isolated``, else the closest settings file's."""
    if isolated:
        return DEFAULT
    if config is not None:
        return load_settings(Path(config))
    found = find_settings(file)
    return load_settings(found) if found is not None else DEFAULT


# --- selection ----------------------------------------------------------------------


def _specificity(selector: str, code: str, name: str) -> int | None:
    """How specifically ``selector`` names the rule: ``all`` and its set (``default``,
    ``hardening``, ``pedantic``) 0, a code prefix its length, the code or name 100."""
    if selector.lower() == "all":
        return 0
    if selector == name or selector.upper() == code:
        return 100
    if selector.lower() in _groups():
        return 0 if code in _groups()[selector.lower()] else None
    if code.startswith(selector.upper()):
        return len(selector)
    return None


@cache
def _groups() -> dict[str, frozenset[str]]:
    """The codes of each rule set."""
    from .rules import GROUPS, all_rules

    return {g: frozenset(r.code for r in all_rules() if r.group == g) for g in GROUPS}


def _best(selectors: tuple[str, ...], code: str, name: str) -> int | None:
    found = [s for s in (_specificity(x, code, name) for x in selectors) if s is not None]
    return max(found) if found else None


def enabled(settings: Settings, code: str, name: str) -> bool:
    """Whether the rule ``code``/``name`` runs under ``settings`` (per-file ignores aside)."""
    chosen = settings.select if settings.select is not None else DEFAULT_SELECT
    sel = _best(chosen + settings.extend_select, code, name)
    if sel is None:
        return False
    ign = _best(settings.ignore, code, name)
    return ign is None or sel > ign


def fix_allowed(settings: Settings, code: str, name: str) -> bool:
    """Whether ``--fix`` may apply the fixes of rule ``code``/``name`` (``fixable`` and
    ``unfixable``, the more specific selector winning as for ``select``/``ignore``)."""
    chosen = settings.fixable if settings.fixable is not None else ("all",)
    sel = _best(chosen, code, name)
    if sel is None:
        return False
    no = _best(settings.unfixable, code, name)
    return no is None or sel > no


def ignored_in(settings: Settings, file: str, code: str, name: str) -> bool:
    """Whether a ``per-file-ignores`` entry of ``settings`` silences ``code`` in ``file``
    (globs relative to the settings file's directory; without a settings file, only the
    command line gives them: relative to the working directory)."""
    if not settings.per_file_ignores:
        return False
    rel = relative(file, settings.root or os.getcwd())
    for pattern, selectors in settings.per_file_ignores:
        if glob_match(pattern, rel) and _best(selectors, code, name) is not None:
            return True
    return False


def enabled_for(settings: Settings, file: str, code: str, name: str) -> bool:
    return enabled(settings, code, name) and not ignored_in(settings, file, code, name)


def severity_of(settings: Settings, rule: RuleLike) -> Severity:
    """The rule's severity: the most specific ``severity`` entry, else its own."""
    best: tuple[int, Severity] | None = None
    for selector, sev in settings.severity:
        s = _specificity(selector, rule.code, rule.name)
        if s is not None and (best is None or s >= best[0]):
            best = (s, sev)
    return best[1] if best is not None else rule.severity


def excluded(settings: Settings, file: str) -> bool:
    """Whether ``exclude``/``extend-exclude`` of ``settings`` leave ``file`` out (in
    that order, as the lines of a ``.gitignore`` in the settings file's directory)."""
    globs = settings.exclude + settings.extend_exclude
    if not globs or settings.root is None:
        return False
    return compile_globs(globs).excluding(relative(file, settings.root)) is not None


def glob_match(pattern: str, path: str) -> bool:
    """Whether the gitignore-style ``pattern`` (see :mod:`uwsgi_lint.globs`) matches the
    file ``path`` (``/``-separated, relative to the directory the glob is relative to) or
    a directory above it; matched without backtracking."""
    return compile_globs((pattern,)).excluding(path) is not None


# --- reading and checking -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    line: int
    key_col: int
    offset: int  # where the value starts in the text
    key_offset: int


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEYPART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER = re.compile(rf"\s*\[(\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEYLINE = re.compile(rf"(\s*)({_DOTTED})\s*=\s*")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(rf"{_BARE}|{_QUOTED}", dotted)
    out = []
    for p in parts:
        out.append(p[1:-1] if p[0] in "\"'" else p)
    return tuple(out)


def _starts(dotted: str, base: int) -> list[int]:
    """The column (0-based, from ``base``) where each part of a dotted key starts."""
    return [base + m.start() for m in re.finditer(rf"{_BARE}|{_QUOTED}", dotted)]


def _depth_change(text: str, start: int, end: int, state: list[int]) -> None:
    """Track ``[``/``{`` nesting over ``text[start:end]``, skipping strings and comments.
    ``state`` is ``[depth, in_multiline_string_quote (0 or ord)]``."""
    i = start
    while i < end:
        if state[1]:
            q = chr(state[1]) * 3
            j = text.find(q, i, end)
            if j == -1:
                return
            state[1] = 0
            i = j + 3
            continue
        c = text[i]
        if c == "#":
            return
        if c in "\"'":
            if text.startswith(c * 3, i):
                state[1] = ord(c)
                i += 3
                continue
            j = i + 1
            while j < end and text[j] != c:
                j += 2 if (c == '"' and text[j] == "\\") else 1
            i = j + 1
            continue
        if c in "[{":
            state[0] += 1
        elif c in "]}":
            state[0] -= 1
        i += 1


def _index(text: str) -> dict[tuple[str, ...], _Where]:
    """Where each key is written: full key path -> position (tables and plain keys)."""
    found: dict[tuple[str, ...], _Where] = {}
    table: tuple[str, ...] = ()
    state = [0, 0]
    offset = 0
    for lineno, line in enumerate(text.splitlines(keepends=True), 1):
        body_end = offset + len(line.rstrip("\r\n"))
        if state[0] == 0 and not state[1]:
            stripped = line.rstrip("\r\n")
            h = _HEADER.match(stripped)
            k = None if h else _KEYLINE.match(stripped)
            if h:
                table = _split_key(h.group(2))
                for n, col in enumerate(_starts(h.group(2), h.start(2)), 1):
                    where = _Where(lineno, col + 1, offset + h.end(), offset + col)
                    found.setdefault(table[:n], where)
            elif k:
                key = _split_key(k.group(2))
                for n, col in enumerate(_starts(k.group(2), k.start(2)), 1):
                    where = _Where(lineno, col + 1, offset + k.end(), offset + col)
                    if n < len(key):
                        found.setdefault(table + key[:n], where)
                    else:
                        found[table + key] = where
                _depth_change(text, offset + k.end(), body_end, state)
        else:
            _depth_change(text, offset, body_end, state)
        offset += len(line)
    return found


class _Checker:
    def __init__(self, path: str, text: str, base: tuple[str, ...]) -> None:
        self.path = path
        self.text = text
        self.base = base
        self.index = _index(text)

    def _pos(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, col

    def _find(self, keys: tuple[str, ...]) -> _Where | None:
        full = self.base + keys
        where = self.index.get(full)
        if where is not None:
            return where
        # an inline table: look for the key after its parent's value
        for n in range(len(full) - 1, 0, -1):
            parent = self.index.get(full[:n])
            if parent is None:
                continue
            start = parent.offset
            for part in full[n:]:
                m = re.compile(
                    rf'(?<![\w-])(?:{re.escape(part)}|"{re.escape(part)}"|\'{re.escape(part)}\')'
                    r"\s*="
                ).search(self.text, start)
                if m is None:
                    return parent
                start = m.end()
                key_offset = m.start()
            line, col = self._pos(key_offset)
            rest = re.compile(r"\s*").match(self.text, start)
            return _Where(line, col, rest.end() if rest else start, key_offset)
        return None

    def key_error(self, keys: tuple[str, ...], message: str) -> SettingsError:
        where = self._find(keys)
        if where is None:
            return SettingsError(self.path, 1, 1, message)
        return SettingsError(self.path, where.line, where.key_col, message)

    def value_error(
        self, keys: tuple[str, ...], message: str, item: str | None = None
    ) -> SettingsError:
        """At the value of ``keys``; with ``item``, at that string inside it (a list)."""
        where = self._find(keys)
        if where is None:
            return SettingsError(self.path, 1, 1, message)
        offset = where.offset
        if item is not None:
            for lit in (f'"{item}"', f"'{item}'", item):
                at = self.text.find(lit, where.offset)
                if at != -1:
                    offset = at
                    break
        line, col = self._pos(offset)
        return SettingsError(self.path, line, col, message)


def _known_selector(selector: str) -> bool:
    from .rules import all_rules

    if selector.lower() == "all" or selector.lower() in _groups():
        return True
    rules = all_rules()
    if any(r.name == selector for r in rules):
        return True
    if re.fullmatch(r"UW\d{0,3}", selector.upper()) and selector[:2].upper() == "UW":
        return any(r.code.startswith(selector.upper()) for r in rules)
    return False


def _load(path: str) -> Settings:
    text = _text(path)
    doc = _toml(path, text)
    base: tuple[str, ...] = ()
    table: Any = doc
    if os.path.basename(path) == PYPROJECT:
        base = TABLE
        tool = doc.get("tool")
        table = tool.get("uwsgi-lint", {}) if isinstance(tool, dict) else {}
    chk = _Checker(path, text, base)
    if not isinstance(table, dict):
        raise chk.value_error((), "[tool.uwsgi-lint] must be a table")
    return _settings(chk, table, path)


def _strings(chk: _Checker, key: str, value: object) -> tuple[str, ...]:
    return _strings_at(chk, (key,), value, key)


def _selectors(
    chk: _Checker, keys: tuple[str, ...], value: object, what: str
) -> tuple[str, ...]:
    items = _strings_at(chk, keys, value, what)
    for s in items:
        if not _known_selector(s):
            raise chk.value_error(
                keys, f"unknown rule code, prefix, name or set `{s}` in `{what}`", item=s
            )
    return items


def _strings_at(
    chk: _Checker, keys: tuple[str, ...], value: object, what: str
) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise chk.value_error(keys, f"`{what}` must be a list of strings")
    for v in value:
        if not isinstance(v, str):
            raise chk.value_error(keys, f"`{what}` must be a list of strings, not {v!r}")
    return tuple(value)


def _choice(chk: _Checker, key: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = ", ".join(f'"{c}"' for c in choices)
        raise chk.value_error((key,), f"`{key}` must be one of {shown}, not {_show(value)}")
    return value


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _settings(chk: _Checker, table: Mapping[str, Any], path: str) -> Settings:
    values: dict[str, Any] = {"source": path}
    for key, value in table.items():
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            raise chk.key_error((key,), f"unknown setting `{key}` (known: {known})")
        field = key.replace("-", "_")
        if key in ("select", "extend-select", "ignore", "fixable", "unfixable"):
            values[field] = _selectors(chk, (key,), value, key)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise chk.value_error((key,), "`per-file-ignores` must be a table of glob = list")
            for glob in value:
                _check_glob(chk, (key, glob), glob, key)
            values[field] = tuple(
                (glob, _selectors(chk, (key, glob), sel, f"per-file-ignores.{glob}"))
                for glob, sel in value.items()
            )
        elif key == "severity":
            if not isinstance(value, dict):
                raise chk.value_error((key,), "`severity` must be a table of code = severity")
            pairs = []
            for sel, sev in value.items():
                if not _known_selector(sel):
                    raise chk.key_error(
                        (key, sel), f"unknown rule code, prefix, name or set `{sel}` in `severity`"
                    )
                levels = tuple(s.value for s in Severity)
                if not isinstance(sev, str) or sev not in levels:
                    shown = ", ".join(f'"{c}"' for c in levels)
                    raise chk.value_error(
                        (key, sel), f"severity of `{sel}` must be one of {shown}, not {_show(sev)}"
                    )
                pairs.append((sel, Severity(sev)))
            values[field] = tuple(pairs)
        elif key == "target-version":
            if not isinstance(value, str) or value not in VERSIONS:
                raise chk.value_error((key,), (
                    f'`target-version` must be "2.0" (any 2.0 release from {RELEASES[0]} on), a '
                    f'release "{RELEASES[0]}" to "{RELEASES[-1]}", or "2.1", not {_show(value)}'
                ))
            values[field] = value
        elif key == "yaml-reader":
            values[field] = _choice(chk, key, value, YAML_READERS)
        elif key == "context":
            values[field] = _choice(chk, key, value, CONTEXTS)
        elif key == "docs-url":
            if not isinstance(value, str):
                raise chk.value_error((key,), f"`docs-url` must be a string, not {_show(value)}")
            problem = docs_url_problem(value)
            if problem is not None:
                raise chk.value_error((key,), f"`docs-url`: {problem}")
            values[field] = value
        elif key == "container":
            if not isinstance(value, bool):
                raise chk.value_error(
                    (key,), f"`container` must be true or false, not {_show(value)}"
                )
            values[field] = value
        else:  # plugins, exclude, extend-exclude, allow-read
            values[field] = _strings(chk, key, value)
            if key in ("exclude", "extend-exclude"):
                for glob in values[field]:
                    _check_glob(chk, (key,), glob, key, item=True)
    return Settings(**values)


def _check_glob(
    chk: _Checker, keys: tuple[str, ...], glob: str, what: str, *, item: bool = False
) -> None:
    """Check ``glob`` now (a key of ``keys``, or with ``item`` a string in its list); an
    invalid one is an error at the offending character when the string is written as is,
    else at the string.  Only a list of globs can re-include with ``!``."""
    try:
        check_glob(glob)
        if not item and glob.startswith("!"):
            raise GlobError("`!` re-includes what an earlier glob of a list excludes: here it "
                            "would match nothing (write `\\!` to match a `!`)", 0)
    except GlobError as exc:
        message = f"{exc} in the glob `{glob}` of `{what}`"
        where = chk._find(keys)
        if where is None:
            raise SettingsError(chk.path, 1, 1, message) from None
        at = where.key_offset
        if item:
            found = [chk.text.find(f"{q}{glob}{q}", where.offset) for q in "\"'"]
            at = min((f for f in found if f >= 0), default=where.offset)
        if chk.text[at : at + 1] in ("'", '"') and chk.text.startswith(glob, at + 1):
            at += 1 + exc.offset
        line, col = chk._pos(at)
        raise SettingsError(chk.path, line, col, message) from None

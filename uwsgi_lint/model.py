"""The directive tree: one model for every config format.

A :class:`ConfigFile` holds :class:`Section` objects, a section holds :class:`Directive`
objects (and :class:`Block` nodes for config logic).  Every node remembers the span of
text the user wrote; every directive also carries the value uWSGI sees after magic
substitution and, once an instance is expanded, after the ``$()``/``@()``/``%()`` passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .diagnostics import Related


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column; columns count characters, not bytes."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of text came from: a file and a start/end position (end exclusive)."""

    file: str
    start: Position
    end: Position


class Format(str, Enum):
    INI = "ini"
    XML = "xml"
    YAML = "yaml"
    JSON = "json"
    PYTHON = "python"  # a uwsgiconf module: uWSGI gets the INI text it prints


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Origin:
    """One step of how a directive reached an instance (an include, an inherit ...)."""

    kind: str  # "include", "ini", "inherit", "at-file", "logic" ...
    span: Span  # the directive that asked for it
    target: str  # what it named


class SpanSource(Protocol):
    """A text that maps its offsets back to the file the user wrote (``source.Expanded``)."""

    path: str

    def span(self, start: int, end: int) -> Span: ...

    def raw(self, start: int, end: int) -> str: ...


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a directive was written: offsets into the text uWSGI parsed.

    Positions are computed only when asked for, so reading stays cheap; the offsets are
    kept flat (one object per directive, not four: ``bench/`` counts the bytes).
    """

    text: SpanSource
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    whole_start: int
    whole_end: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.key_start, self.key_end)

    @property
    def value(self) -> tuple[int, int]:
        return (self.value_start, self.value_end)

    @property
    def whole(self) -> tuple[int, int]:
        return (self.whole_start, self.whole_end)


@dataclass(slots=True)
class Directive:
    """One ``key = value`` as uWSGI appends it to its option list.

    ``key``/``value`` are what uWSGI's parser produces (after magic ``%`` substitution
    and the format's own conversions, e.g. JSON ``true`` -> ``"1"``); ``raw_key`` and
    ``raw_value`` are the text exactly as written.  ``expanded`` is set when an instance
    is built: the value after ``$()``, ``@()`` and ``%()`` (``None`` for options that
    uWSGI applies immediately, which never see those passes).
    """

    key: str
    value: str
    loc: Loc
    format: Format
    section: str
    expanded: str | None = None
    unresolved: tuple[str, ...] = ()
    origin: tuple[Origin, ...] = ()
    block: Block | None = None
    # set by readers for values that a format converted (JSON true -> "1" ...)
    note: str = ""

    @property
    def file(self) -> str:
        return self.loc.text.path

    @property
    def span(self) -> Span:
        """The whole directive as written."""
        return self.loc.text.span(*self.loc.whole)

    @property
    def key_span(self) -> Span:
        return self.loc.text.span(*self.loc.key)

    @property
    def value_span(self) -> Span:
        return self.loc.text.span(*self.loc.value)

    @property
    def raw_key(self) -> str:
        """The key exactly as written (before magic substitution)."""
        return self.loc.text.raw(*self.loc.key)

    @property
    def raw_value(self) -> str:
        """The value exactly as written (before magic substitution)."""
        return self.loc.text.raw(*self.loc.value)

    @property
    def effective(self) -> str:
        """The value uWSGI's handler receives."""
        return self.value if self.expanded is None else self.expanded


@dataclass(slots=True)
class Block:
    """A config-logic block: ``if-env = X`` ... ``endif``, ``for = a b`` ... ``endfor``.

    ``closer`` is ``None`` when the block is left open at the end of the file (uWSGI then
    carries it on into the next config source).
    """

    opener: Directive
    body: list[Directive] = field(default_factory=list)
    closer: Directive | None = None

    @property
    def kind(self) -> str:
        return self.opener.key

    @property
    def argument(self) -> str:
        return self.opener.value


@dataclass(slots=True)
class Section:
    name: str
    span: Span | None  # the header; None for implicit sections (keys before any header)
    items: list[Directive | Block] = field(default_factory=list)

    def directives(self) -> list[Directive]:
        """All directives in file order, logic openers, bodies and closers included."""
        out: list[Directive] = []
        for item in self.items:
            if isinstance(item, Block):
                out.append(item.opener)
                out.extend(item.body)
                if item.closer is not None:
                    out.append(item.closer)
            else:
                out.append(item)
        return out


@dataclass(slots=True)
class ConfigFile:
    """One file as read: its sections (all of them), comments and reading problems."""

    path: str
    format: Format
    sections: list[Section] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    newline: str = "\n"
    # where a reader silently stopped (uWSGI's embedded YAML reader does): what and why
    stopped: Problem | None = None
    # the reader returned before the end of the file (the embedded YAML one does at the end
    # of its section): its loader then leaves `:section` cut off its own list entry
    ended_early: bool = False

    def section(self, name: str) -> Section | None:
        for sec in self.sections:
            if sec.name == name:
                return sec
        return None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader or the expander noticed; the engine turns it into a diagnostic
    (``message`` its one line, ``detail`` the longer explanation, ``fix`` its fix)."""

    code: str
    message: str
    span: Span
    detail: str = ""
    fix: Fix | None = None
    related: tuple[Related, ...] = ()  # other places that explain it


class Applicability(str, Enum):
    """How far a fix can be trusted (as ruff's): ``safe`` changes what uWSGI reads exactly
    as the finding's message says and nothing else; ``unsafe`` guesses the intent (a
    misspelt option renamed ...) and is applied only with ``--unsafe-fixes``."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of ``span`` (in the file as written: 1-based lines and columns in
    characters, end exclusive; an empty span inserts) with ``content``."""

    span: Span
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    """An automatic fix: what it does (``message``, one line), its edits (in one file,
    not overlapping) and how far it can be trusted."""

    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def applies(self, unsafe: bool) -> bool:
        """Whether ``--fix`` applies it: safe, or ``unsafe`` (``--unsafe-fixes``) given."""
        return unsafe or self.applicability is Applicability.SAFE


class Role(str, Enum):
    """What an instance is in the deployment."""

    STANDALONE = "standalone"  # started on its own (an init script, systemd, a container)
    EMPEROR = "emperor"
    VASSAL = "vassal"  # started by an Emperor


@dataclass(frozen=True, slots=True)
class Unread:
    """A config source the instance asks for but that was not read, and why."""

    directive: Directive
    target: str
    reason: str


@dataclass(slots=True)
class Monitor:
    """One ``emperor = ...`` value, resolved the way ``core/emperor.c`` resolves it."""

    directive: Directive
    kind: str  # "dir", "glob", or a plugin monitor's scheme ("pg", "zmq" ...)
    target: str  # the directory or pattern, as resolved here
    exists: bool  # the directory (dir) exists here; for glob: it matched something
    mapped_from: str | None = None  # an absolute path not on this machine, found in the tree
    vassals: list[str] = field(default_factory=list)
    # files in a watched directory that the Emperor never starts (suffix, case, type)
    ignored: list[str] = field(default_factory=list)
    # the directory or pattern lies outside the linted tree: not listed (deployment-only)
    outside: bool = False


@dataclass(slots=True)
class Instance:
    """One uWSGI instance: the files read and the option list they produce.

    A vassal knows its ``emperor``, the ``monitor`` that governs it and its file's
    ``owner`` (uid, gid); an Emperor knows its ``monitors`` and ``vassals``.  Built by
    :func:`uwsgi_lint.instance.build.build_instance`, placed in the Emperor tree by
    :mod:`uwsgi_lint.tree`.
    """

    root: ConfigFile
    files: list[ConfigFile] = field(default_factory=list)
    options: list[Directive] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    # option entries whose logic condition could not be decided here (kept, as if true)
    conditional: set[int] = field(default_factory=set)
    role: Role = Role.STANDALONE
    emperor: Instance | None = None
    monitor: Monitor | None = None
    owner: tuple[int, int] | None = None  # (uid, gid) the Emperor sees for the file
    link_owner: tuple[int, int] | None = None  # the symlink's own owner, when it is one
    monitors: list[Monitor] = field(default_factory=list)
    vassals: list[Instance] = field(default_factory=list)
    cwd: str = ""

    def first(self, key: str) -> Directive | None:
        return next((d for d in self.options if d.key == key), None)

"""The static reading of a uwsgiconf module with libcst: never imported, run or compiled.

:func:`evaluate` walks the module as Python would run it, as far as that can be known
without running it: names, constants and simple expressions are resolved, user functions
and Section subclasses are followed, ``if`` with a known test is folded and an undecided
one reads both branches (their calls carry the condition), loops over known items are
unrolled.  Every call that builds or changes a section is recorded (:class:`Call`) and
handed to the emitter (:mod:`.emit`); what reaches ``uwsgi_configuration`` is compiled
into configurations, as uwsgiconf would.  A value only running the file would give is an
:class:`Unknown`, never a guess; a construct not followed is a UW609 problem.

The file is hostile input: nesting, loops, calls, string sizes and emissions are capped
(:data:`LIMITS`); past a cap that part is not read and a UW609 problem says so.  This
module imports libcst: it is imported only when a Python file is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ..model import Comment, Position, Problem, Span
from . import api, emit
from .emit import SectionState
from .model import (
    Arg,
    Call,
    Compiled,
    CompiledConfiguration,
    ModuleFact,
    Obj,
    Unknown,
    unknown_text,
)

NOT_VALID = "UW600"  # uwsgiconf-syntax-error
NOT_FOLLOWED = "UW609"  # uwsgiconf-not-followed

LIMITS: dict[str, int] = {
    "nesting": 200,  # brackets and operator chains of one expression (libcst's parser
    # overflows the C stack from about 600: checked before parsing)
    "depth": 20,  # nested calls of user functions followed
    "iterations": 100,  # items of one loop unrolled
    "steps": 100_000,  # statements and expressions evaluated in one file
    "calls": 10_000,  # calls recorded
    "string": 64 * 1024,  # characters of one string value
    "items": 10_000,  # items of one computed list, dict or range
    "emissions": 20_000,  # options written (counted as the values handed to uwsgiconf)
    "int_bits": 65_536,  # bits of one integer
    "problems": 50,  # UW609 problems reported
}
TEXT_WIDTH = 200  # characters of an expression shown in an Unknown
WIDTH = 1000  # the widest field a format may ask for
PRESET_LINES = 16  # the most lines a Section constructor writes by itself (nice presets)

SECTION_KINDS = frozenset({"Section", "nice.Section", "PythonSection"})
CONFIG_ATTR = "uwsgi_configuration"  # what uwsgiconf's loader reads
OLD_CONFIG_ATTR = "configuration"  # what uwsgiconf < 0.11 read

# reasons shown with an Unknown
FUNCTION_RESULT = "a function's result"
ENVIRON = "os.environ"
FILESYSTEM = "the file system at compile time"
IMPORTED = "a name imported from another module"
PARAMETER = "a parameter"
UNDECIDED = "set under an undecided condition"
RUNTIME = "only known when the file runs"
TOO_BIG = "too large to read"


def evaluate(source: str, path: str) -> Compiled:
    """The static reading of the ``.py`` file ``path`` (``source`` its text); never raises."""
    compiled = Compiled(path=path, is_uwsgiconf=False)
    try:
        _read(source, path, compiled)
    except Exception as exc:  # hostile input: what was read is kept, never a traceback
        what = "nested too deeply" if isinstance(exc, RecursionError) else \
            f"internal error: {type(exc).__name__}"
        compiled.problems.append(_problem(
            path, 1, 1, f"uwsgi-lint stopped reading this file ({what}): what it builds "
            "after that point is not checked"))
    return compiled


def _read(source: str, path: str, compiled: Compiled) -> None:
    deep = _too_deep(source)
    if deep is not None:
        line, column = _line_column(source, deep)
        compiled.problems.append(_problem(
            path, line, column, f"an expression nested more than {LIMITS['nesting']} levels "
            "deep: uwsgi-lint does not read this file"))
        return
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        message = str(exc.message).splitlines()[0] if exc.message else "syntax error"
        # the token the parser stopped at, when it says (its raw position is the statement's)
        at = re.search(r"error at (\d+):(\d+)", message)
        line, column = exc.raw_line, max(exc.raw_column, 0) + 1
        if at is not None:
            line, column = int(at[1]), int(at[2]) + 1
        lines = source.split("\n")
        if line > len(lines) or not "".join(lines[line - 1:]).strip():  # at the end
            line = max((i for i, text in enumerate(lines, 1) if text.strip()), default=1)
            column = len(lines[line - 1].rstrip()) + 1
        message = re.sub(r"^(parser|tokenizer) error: (error at \d+:\d+: )?", "", message)
        compiled.problems.append(Problem(
            NOT_VALID, f"not valid Python: {message}",
            Span(path, Position(line, column), Position(line, column + 1))))
        return
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    compiled.module = wrapper.module
    imports = False
    for node, where in positions.items():
        if isinstance(node, cst.Comment):
            compiled.comments.append(Comment(node.value, _to_span(path, where)))
        elif isinstance(node, cst.Import | cst.ImportFrom) and not imports:
            imports = any(name == "uwsgiconf" or name.startswith("uwsgiconf.")
                          for name in _imported_modules(node))
    compiled.is_uwsgiconf = imports
    if imports:
        _Evaluator(path, wrapper.module, positions, compiled, source).run()


# --- the nesting guard --------------------------------------------------------------------

_SCAN = re.compile(
    r"""(?P<string>[rRbBuUfFtT]{0,3}(?:
          '''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)
        | \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:\"\"\"|\Z)
        | '[^'\\\n]*(?:\\.[^'\\\n]*)*'?
        | "[^"\\\n]*(?:\\.[^"\\\n]*)*"?))
    | (?P<comment>\#[^\n]*)
    | (?P<continuation>\\\r?\n)
    | (?P<newline>[\n;])
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<comma>,)
    | (?P<space>[ \t\f\r]+)
    | (?P<token>\w+|.)""",
    re.VERBOSE | re.DOTALL,
)


def _too_deep(source: str) -> int | None:
    """The offset where an expression gets deeper than ``LIMITS["nesting"]`` (None: it
    does not), before libcst parses it: its native parser overflows the C stack on deep
    nesting (a crash, not an exception).  The depth is bounded by the tokens of the
    brackets open at a point, each bracket level counting the tokens since its last comma
    (operator chains, unary chains, trailers and implicit string concatenation nest)."""
    limit = LIMITS["nesting"]
    runs = [0]
    total = 0
    for match in _SCAN.finditer(source):
        kind = match.lastgroup
        if kind in ("space", "comment", "continuation"):
            continue
        if kind == "newline":
            if len(runs) == 1:
                runs[0] = total = 0
            continue
        if kind == "comma":
            total -= runs[-1]
            runs[-1] = 0
            continue
        if kind == "close":
            if len(runs) > 1:
                total -= runs.pop()
            runs[-1] += 1
            total += 1
            continue
        runs[-1] += 1
        total += 1
        if kind == "open":
            runs.append(0)
        if total > limit:
            return match.start()
    return None


def _line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def _to_span(path: str, where: CodeRange) -> Span:
    return Span(path, Position(where.start.line, where.start.column + 1),
                Position(where.end.line, where.end.column + 1))


def _problem(path: str, line: int, column: int, message: str) -> Problem:
    return Problem(NOT_FOLLOWED, message,
                   Span(path, Position(line, column), Position(line, column + 1)))


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def _imported_modules(node: cst.Import | cst.ImportFrom) -> list[str]:
    if isinstance(node, cst.Import):
        return [_dotted(alias.name) for alias in node.names]
    if node.relative or node.module is None:
        return []
    return [_dotted(node.module)]


# --- values that are not plain Python values ----------------------------------------------


@dataclass(eq=False, slots=True)
class _Module:
    """An imported module: ``os``, ``os.path``, ``uwsgiconf.config``."""

    name: str


@dataclass(eq=False, slots=True)
class _Builtin:
    """A function the evaluator computes: ``range``, ``str``, ``os.path.join``,
    ``pathlib.Path``, ``configure_uwsgi`` ...; ``bound`` the value a method is bound to."""

    name: str
    bound: Any = None


@dataclass(eq=False, slots=True)
class _Const:
    """A class-level path below a section or a Section class (``networking.sockets``),
    resolved by :func:`api.constant` once used."""

    path: tuple[str, ...]
    section: Any = None  # the section a group's attribute was reached from


@dataclass(eq=False, slots=True)
class _Group:
    """``section.workers``: an options group of a section."""

    section: Any  # the SectionState or the _Instance it was reached from
    name: str


@dataclass(eq=False, slots=True)
class _Method:
    """A bound method of a section or a group: ``section.env``, ``self.workers.set_threads``."""

    section: Any
    path: tuple[str, ...]


@dataclass(eq=False, slots=True)
class _ClassMethod:
    """``Section.derive_from``, ``PythonSection.bootstrap``."""

    kind: str
    name: str


@dataclass(eq=False, slots=True)
class _Configuration:
    """A ``Configuration`` built in the file; compiled only when it reaches
    ``uwsgi_configuration`` (uwsgiconf formats it then, after every change to its sections)."""

    sections: list[SectionState]
    call: Call


@dataclass(eq=False, slots=True)
class _Scope:
    vars: dict[str, Any] = field(default_factory=dict)
    parent: _Scope | None = None
    is_class: bool = False
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


@dataclass(eq=False, slots=True)
class _Function:
    """A ``def`` or ``lambda`` of the file, with the scope it closes over."""

    node: cst.FunctionDef | cst.Lambda
    closure: _Scope
    name: str
    defaults: dict[str, Any]
    owner: _Class | None = None  # the class whose body defines it (for ``super()``)
    binding: str = ""  # "staticmethod" or "classmethod" when so decorated


@dataclass(eq=False, slots=True)
class _Class:
    """A class of the file; ``kind`` the uwsgiconf section class it derives from."""

    node: cst.ClassDef
    name: str
    bases: list[Any]
    namespace: dict[str, Any]
    kind: str | None

    def lookup(self, name: str) -> tuple[Any, _Class] | None:
        """A class attribute, searched as Python's MRO would for single inheritance."""
        if name in self.namespace:
            return self.namespace[name], self
        for base in self.bases:
            if isinstance(base, _Class):
                found = base.lookup(name)
                if found is not None:
                    return found
        return None


@dataclass(eq=False, slots=True)
class _Instance:
    """An instance of a class of the file; ``state`` the section it is (Section subclass)."""

    cls: _Class
    state: SectionState | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class _BoundFunction:
    function: _Function
    receiver: Any


@dataclass(eq=False, slots=True)
class _Super:
    """``super()`` inside a method of ``cls``."""

    cls: _Class
    receiver: Any


@dataclass(eq=False, slots=True)
class _Frame:
    function: _Function | None
    receiver: Any = None
    returns: list[tuple[str | None, Any]] = field(default_factory=list)


class _Stop(Exception):
    """A cap of :data:`LIMITS` is reached: reading the file stops."""


# control flow of a statement walk
NORMAL, RETURN, BREAK, CONTINUE = "normal", "return", "break", "continue"
_MISSING = object()

_PLAIN_SCALARS = (str, int, float, bool, type(None))
_BUILTIN_FUNCTIONS = frozenset({
    "range", "str", "int", "float", "bool", "len", "list", "tuple", "dict", "set",
    "frozenset", "sorted", "reversed", "enumerate", "zip", "min", "max", "abs", "repr",
    "print", "round", "sum",
})
_STDLIB = {
    "os.path.join", "os.path.dirname", "os.path.basename", "os.path.abspath",
    "os.path.realpath", "os.path.normpath", "os.path.splitext", "os.path.split",
    "os.path.isabs", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
    "pathlib.PurePosixPath",
}
_STR_METHODS = frozenset({
    "format", "split", "rsplit", "join", "upper", "lower", "strip", "lstrip", "rstrip",
    "replace", "startswith", "endswith", "title", "capitalize", "splitlines", "partition",
    "rpartition", "count", "find", "removeprefix", "removesuffix", "casefold", "isdigit",
    "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper",
})
_LIST_METHODS = frozenset({"append", "extend", "insert", "copy", "index", "count"})
_DICT_METHODS = frozenset({"get", "items", "keys", "values", "update", "copy", "setdefault"})
_PATH_METHODS = frozenset({"absolute", "resolve", "joinpath", "with_name", "with_suffix",
                           "as_posix", "is_absolute"})
_PATH_ATTRS = frozenset({"parent", "name", "stem", "suffix", "parts", "anchor"})
_FS_METHODS = frozenset({"exists", "is_file", "is_dir", "is_symlink", "read_text",
                         "read_bytes", "stat", "expanduser", "home", "cwd", "glob",
                         "iterdir", "owner", "group"})


def _plain(value: Any) -> bool:
    """A Python value the evaluator may compute with (no Unknown or object inside)."""
    if isinstance(value, (*_PLAIN_SCALARS, PurePath)):
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return isinstance(value, range)


def _truth(value: Any) -> bool | None:
    """Python truthiness; None when only running the file would tell."""
    if isinstance(value, Unknown):
        return None
    if _plain(value):
        return bool(value)
    return True  # sections, objects, functions, modules


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return bool(a == b)
    return type(a) is type(b) and _plain(a) and _plain(b) and bool(a == b)


def _leaves(value: Any) -> int:
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_leaves(item) for item in value)
    if isinstance(value, dict):
        return sum(_leaves(item) for item in value.values())
    return 1


def _section_of(value: Any) -> SectionState | None:
    if isinstance(value, SectionState):
        return value
    if isinstance(value, _Instance):
        return value.state
    return None


# --- the evaluator ------------------------------------------------------------------------


class _Evaluator:
    """One walk of a module, as Python would run it when uwsgiconf imports the file."""

    def __init__(self, path: str, module: cst.Module, positions: Any,
                 compiled: Compiled, source: str = "") -> None:
        self.path = path
        self.lines = source.split("\n") if source else []
        self.stopped = False  # a cap or the nesting stopped the walk
        self.module = module
        self.positions = positions
        self.compiled = compiled
        self.steps = 0
        self.weight = 0  # the emissions budget spent
        self.conditions: list[str] = []
        self.frames: list[_Frame] = []
        self.created: list[tuple[SectionState, Call]] = []
        self.reported: set[str] = set()
        self.assigned: dict[str, cst.Assign | cst.AnnAssign] = {}  # module-level
        self.kw_origins: dict[int, tuple[dict[str, Any], dict[str, cst.Arg]]] = {}
        self.made: dict[int, tuple[Obj, Call]] = {}  # Broodlord objects -> their call
        self.texts: dict[cst.CSTNode, str] = {}
        self.spans: dict[cst.CSTNode, Span] = {}
        self.scans: dict[cst.CSTNode, Any] = {}  # per-node results of _yields/_assigned_names
        stem = os.path.splitext(os.path.basename(path))[0]
        self.globals = _Scope({"__file__": path, "__name__": stem,
                               "__builtins__": Unknown("__builtins__", RUNTIME)})

    # -- the run -------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.block(self.module.body, self.globals)
        except _Stop:
            self.stopped = True  # the problem is reported
        except RecursionError:  # what was built so far is still handed over
            self.stopped = True
            self.report(self.module, "values or calls nested too deeply: uwsgi-lint stops "
                        "here; what follows is not checked")
        self.hand_over()

    def hand_over(self) -> None:
        """What uwsgiconf's loader finds in ``uwsgi_configuration``, compiled."""
        value = self.globals.vars.get(CONFIG_ATTR, _MISSING)
        assign = self.assigned.get(CONFIG_ATTR)
        configurations: list[_Configuration] = []
        if value is _MISSING:
            old = self.assigned.get(OLD_CONFIG_ATTR)
            if old is not None:
                self.fact("configuration-attribute", old)
            elif self.created and not self.stopped:
                call = self.created[0][1]
                self.compiled.facts.append(ModuleFact("no-configuration", call.span, call.node))
            return
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, _Configuration):
                configurations.append(item)
            elif _section_of(item) is not None and assign is not None:
                self.fact("section-assigned", assign)
                return
            elif isinstance(item, _Function | _BoundFunction) and assign is not None:
                self.fact("callable-assigned", assign)
                return
            else:
                where = assign if assign is not None else self.module
                self.report(where, f"`{CONFIG_ATTR}` holds a value uwsgi-lint cannot follow "
                            f"({self.describe(item)}): it is not checked")
        total = 0
        for configuration in configurations:
            compiled = self.contained(
                partial(emit.configuration, configuration.sections, configuration.call),
                configuration.call.node)
            if not isinstance(compiled, CompiledConfiguration):
                continue
            for section in compiled.sections:
                room = max(LIMITS["emissions"] - total, 0)
                if len(section.emissions) > room:
                    del section.emissions[room:]
                    self.report(configuration.call.node, "more than "
                                f"{LIMITS['emissions']} options: the rest is not checked")
                total += len(section.emissions)
            self.compiled.configurations.append(compiled)

    def fact(self, kind: str, node: cst.Assign | cst.AnnAssign) -> None:
        self.compiled.facts.append(ModuleFact(kind, self.span(node), node))

    # -- positions, texts, problems ----------------------------------------------------------

    def span(self, node: cst.CSTNode) -> Span:
        span = self.spans.get(node)
        if span is None:
            where = self.positions.get(node)
            span = self.spans[node] = Span(self.path, Position(1, 1), Position(1, 1)) \
                if where is None else _to_span(self.path, where)
        return span

    def text(self, node: cst.CSTNode) -> str:
        """The expression as written, on one line (shortened; each node rendered once)."""
        text = self.texts.get(node)
        if text is None:
            code = " ".join(self.module.code_for_node(node).split())
            text = code if len(code) <= TEXT_WIDTH else code[: TEXT_WIDTH - 1] + "…"
            self.texts[node] = text
        return text

    def mentions(self, node: cst.CSTNode, word: str) -> bool:
        """Whether the lines of ``node`` hold ``word`` (a cheap test before a walk)."""
        where = self.positions.get(node)
        if where is None or not self.lines:
            return True
        return any(word in line for line in self.lines[where.start.line - 1: where.end.line])

    def unknown(self, node: cst.CSTNode, reason: str) -> Unknown:
        return Unknown(self.text(node), reason)

    def report(self, node: cst.CSTNode, message: str) -> None:
        """A UW609 problem (each message once, at most ``LIMITS["problems"]``)."""
        if message in self.reported or len(self.reported) >= LIMITS["problems"]:
            return
        self.reported.add(message)
        self.compiled.problems.append(Problem(NOT_FOLLOWED, message, self.span(node)))

    def stop(self, node: cst.CSTNode, message: str) -> _Stop:
        self.report(node, message)
        return _Stop(message)

    def tick(self, node: cst.CSTNode) -> None:
        self.steps += 1
        if self.steps > LIMITS["steps"]:
            raise self.stop(node, f"reading this file takes more than {LIMITS['steps']} "
                            "steps: uwsgi-lint stops here; what follows is not checked")

    def describe(self, value: Any) -> str:
        if isinstance(value, Unknown):
            return f"`{value.text}`: {value.reason}" if value.reason else f"`{value.text}`"
        return type(value).__name__.lstrip("_").lower()

    def contained(self, work: Callable[[], Any], node: cst.CSTNode | None) -> Any:
        """``work()``, an internal error in the emitter reported instead of raised."""
        try:
            return work()
        except (_Stop, RecursionError):
            raise
        except Exception as exc:
            self.report(node or self.module, f"uwsgi-lint could not read this call "
                        f"(internal error: {type(exc).__name__}); it is not checked")
            return None

    # -- conditions ----------------------------------------------------------------------------

    @property
    def condition(self) -> str | None:
        return " and ".join(self.conditions) if self.conditions else None

    @contextmanager
    def under(self, text: str | None) -> Iterator[None]:
        if text is None:
            yield
            return
        self.conditions.append(text)
        try:
            yield
        finally:
            self.conditions.pop()

    # -- scopes ------------------------------------------------------------------------------

    def lookup(self, name: str, scope: _Scope, node: cst.CSTNode) -> Any:
        current: _Scope | None = scope
        first = True
        while current is not None:
            if (first or not current.is_class) and name in current.vars:
                return current.vars[name]
            first = False
            current = current.parent
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in _BUILTIN_FUNCTIONS:
            return _Builtin(name)
        if name in ("super", "staticmethod", "classmethod"):
            return _Builtin(name)
        return self.unknown(node, RUNTIME)

    def assign_name(self, name: str, value: Any, scope: _Scope) -> None:
        if name in scope.globals:
            self.globals.vars[name] = value
            return
        if name in scope.nonlocals:
            outer = scope.parent
            while outer is not None and (outer.is_class or name not in outer.vars):
                outer = outer.parent
            if outer is not None:
                outer.vars[name] = value
                return
        scope.vars[name] = value

    def assign(self, target: cst.BaseExpression, value: Any, scope: _Scope) -> None:
        if isinstance(target, cst.Name):
            self.assign_name(target.value, value, scope)
        elif isinstance(target, cst.Tuple | cst.List):
            elements = [element.value for element in target.elements]
            starred = [i for i, e in enumerate(target.elements)
                       if isinstance(e, cst.StarredElement)]
            items = list(value) if isinstance(value, list | tuple | str) else None
            if items is not None and not starred and len(items) == len(elements):
                for element, item in zip(elements, items, strict=True):
                    self.assign(element, item, scope)
            elif items is not None and len(starred) == 1 and len(items) >= len(elements) - 1:
                star = starred[0]
                after = len(elements) - star - 1
                rest = len(items) - after
                parts = [*items[:star], items[star:rest], *items[rest:]]
                for element, item in zip(elements, parts, strict=True):
                    self.assign(element, item, scope)
            else:
                for element in elements:
                    self.assign(element, Unknown(self.text(element), self.reason(value)), scope)
        elif isinstance(target, cst.Attribute):
            receiver = self.eval(target.value, scope)
            name = target.attr.value
            if isinstance(receiver, _Instance) and not (
                    receiver.state is not None and name == "name"):
                receiver.attrs[name] = value
            elif _section_of(receiver) is not None and name == "name":
                state = _section_of(receiver)
                assert state is not None
                state.name = value if isinstance(value, str) else f"<unknown: {self.text(target)}>"
        elif isinstance(target, cst.Subscript):
            receiver = self.eval(target.value, scope)
            key = self.subscript_key(target, scope)
            if isinstance(receiver, dict) and key is not _MISSING and _plain(key):
                with suppress(TypeError):
                    receiver[key] = value
            elif isinstance(receiver, list) and isinstance(key, int) and \
                    -len(receiver) <= key < len(receiver):
                receiver[key] = value
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, scope)

    def reason(self, value: Any) -> str:
        return value.reason if isinstance(value, Unknown) else RUNTIME

    # -- statements ------------------------------------------------------------------------

    def block(self, body: Any, scope: _Scope) -> str:
        """Walk statements in order; the flow they end with."""
        if isinstance(body, cst.IndentedBlock | cst.SimpleStatementSuite):
            body = body.body
        for statement in body:
            flow = self.statement(statement, scope)
            if flow != NORMAL:
                return flow
        return NORMAL

    def statement(self, node: cst.CSTNode, scope: _Scope) -> str:
        self.tick(node)
        if isinstance(node, cst.SimpleStatementLine):
            return self.block(node.body, scope)
        handler = getattr(self, "s_" + type(node).__name__, None)
        if handler is None:
            if isinstance(node, cst.Match):
                self.report(node, "a `match` statement: its cases are not read")
            return NORMAL
        flow: str = handler(node, scope)
        return flow

    def s_Expr(self, node: cst.Expr, scope: _Scope) -> str:
        self.eval(node.value, scope)
        return NORMAL

    def s_Assign(self, node: cst.Assign, scope: _Scope) -> str:
        value = self.eval(node.value, scope)
        for target in node.targets:
            self.assign(target.target, value, scope)
            if scope is self.globals and isinstance(target.target, cst.Name):
                self.assigned[target.target.value] = node
        return NORMAL

    def s_AnnAssign(self, node: cst.AnnAssign, scope: _Scope) -> str:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, scope), scope)
            if scope is self.globals and isinstance(node.target, cst.Name):
                self.assigned[node.target.value] = node
        return NORMAL

    def s_AugAssign(self, node: cst.AugAssign, scope: _Scope) -> str:
        current = self.eval(node.target, scope)
        operand = self.eval(node.value, scope)
        operator = type(node.operator).__name__.removesuffix("Assign")
        if isinstance(current, list) and operator == "Add" and isinstance(operand, list | tuple):
            if len(current) + len(operand) > LIMITS["items"]:
                value: Any = Unknown(self.text(node.target), TOO_BIG)
            else:
                current.extend(operand)  # in place, as Python's list +=
                return NORMAL
        else:
            value = self.binary(operator, current, operand, node)
        self.assign(node.target, value, scope)
        return NORMAL

    def s_Return(self, node: cst.Return, scope: _Scope) -> str:
        value = self.eval(node.value, scope) if node.value is not None else None
        if self.frames:
            self.frames[-1].returns.append((self.condition, value))
        return RETURN

    def s_Raise(self, node: cst.Raise, scope: _Scope) -> str:
        if self.frames:
            self.frames[-1].returns.append(
                (self.condition, Unknown(self.text(node), "raises an exception")))
        return RETURN

    def s_Pass(self, node: cst.Pass, scope: _Scope) -> str:
        return NORMAL

    def s_Break(self, node: cst.Break, scope: _Scope) -> str:
        return BREAK

    def s_Continue(self, node: cst.Continue, scope: _Scope) -> str:
        return CONTINUE

    def s_Global(self, node: cst.Global, scope: _Scope) -> str:
        scope.globals.update(item.name.value for item in node.names)
        return NORMAL

    def s_Nonlocal(self, node: cst.Nonlocal, scope: _Scope) -> str:
        scope.nonlocals.update(item.name.value for item in node.names)
        return NORMAL

    def s_Del(self, node: cst.Del, scope: _Scope) -> str:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for target in [e.value for e in targets] if targets else [node.target]:
            if isinstance(target, cst.Name):
                scope.vars.pop(target.value, None)
        return NORMAL

    def s_Import(self, node: cst.Import, scope: _Scope) -> str:
        for alias in node.names:
            name = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.assign_name(alias.asname.name.value, _Module(name), scope)
            else:
                top = name.split(".")[0]
                self.assign_name(top, _Module(top), scope)
        return NORMAL

    def s_ImportFrom(self, node: cst.ImportFrom, scope: _Scope) -> str:
        if isinstance(node.names, cst.ImportStar):
            return NORMAL
        module = "" if node.relative or node.module is None else _dotted(node.module)
        for alias in node.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None and isinstance(
                alias.asname.name, cst.Name) else name
            self.assign_name(local, self.module_attribute(module, name, alias), scope)
        return NORMAL

    def module_attribute(self, module: str, name: str, node: cst.CSTNode) -> Any:
        """``from MODULE import NAME`` / ``MODULE.NAME``."""
        dotted = f"{module}.{name}"
        if module == "uwsgiconf" or module.startswith("uwsgiconf."):
            found = api.imported(module, name)
            if isinstance(found, api.Kind):
                return found
            if found == "configure_uwsgi":
                return _Builtin("configure_uwsgi")
            if isinstance(found, str) and found.startswith("module:"):
                return _Module(found.removeprefix("module:"))
            if isinstance(found, str) and found.startswith("group:"):
                return _Const((found.removeprefix("group:"),))
            return Unknown(dotted, "not a name uwsgi-lint knows in uwsgiconf "
                           f"{api.version()}" if found is None else RUNTIME)
        if dotted in ("os.environ", "os.getenv", "os.environb"):
            return Unknown(dotted, ENVIRON)
        if dotted == "os.path":
            return _Module(dotted)
        if dotted in _STDLIB:
            return _Builtin(dotted)
        if dotted == "typing.TYPE_CHECKING":
            return False
        if dotted in ("sys.argv", "sys.version_info", "sys.executable", "sys.platform"):
            return Unknown(dotted, RUNTIME)
        return Unknown(dotted if module else name, IMPORTED)

    def s_FunctionDef(self, node: cst.FunctionDef, scope: _Scope) -> str:
        function = self.function(node, scope)
        for decorator in node.decorators:  # a decorated function is what its decorator returns
            decorated = self.eval(decorator.decorator, scope)
            if isinstance(decorated, _Builtin) and decorated.name in (
                    "staticmethod", "classmethod"):
                function.binding = decorated.name
            else:
                self.assign_name(node.name.value, self.unknown(node.name, FUNCTION_RESULT), scope)
                return NORMAL
        self.assign_name(node.name.value, function, scope)
        return NORMAL

    def function(self, node: cst.FunctionDef | cst.Lambda, scope: _Scope) -> _Function:
        closure = scope
        while closure.is_class and closure.parent is not None:
            closure = closure.parent
        defaults: dict[str, Any] = {}
        params = node.params
        for param in (*params.params, *params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, scope)
        for param in params.posonly_params:
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, scope)
        name = node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>"
        return _Function(node, closure, name, defaults)

    def s_ClassDef(self, node: cst.ClassDef, scope: _Scope) -> str:
        bases = [self.eval(arg.value, scope) for arg in node.bases if arg.keyword is None]
        kind: str | None = None
        for base in bases:
            if (isinstance(base, api.Kind) and base.kind in SECTION_KINDS) or \
                    isinstance(base, _Class):
                kind = base.kind
            if kind is not None:
                break
        cls = _Class(node, node.name.value, bases, {}, kind)
        body = _Scope(parent=scope, is_class=True)
        self.block(node.body, body)
        for name, value in body.vars.items():
            if isinstance(value, _Function) and value.owner is None:
                value.owner = cls
            cls.namespace[name] = value
        self.assign_name(node.name.value, cls, scope)
        return NORMAL

    def s_If(self, node: cst.If, scope: _Scope) -> str:
        test = self.eval(node.test, scope)
        truth = _truth(test)
        orelse = node.orelse
        if truth is True:
            return self.block(node.body, scope)
        if truth is False:
            if isinstance(orelse, cst.If):
                return self.s_If(orelse, scope)
            return self.block(orelse.body, scope) if orelse is not None else NORMAL
        text = self.text(node.test)
        before = dict(scope.vars)
        with self.under(text):
            first = self.block(node.body, scope)
        after_first = scope.vars
        scope.vars = dict(before)
        with self.under(f"not ({text})"):
            if isinstance(orelse, cst.If):
                second = self.s_If(orelse, scope)
            elif orelse is not None:
                second = self.block(orelse.body, scope)
            else:
                second = NORMAL
        scope.vars = self.merged(after_first, scope.vars, first, second, node)
        return RETURN if first == RETURN and second == RETURN else NORMAL

    def merged(self, first: dict[str, Any], second: dict[str, Any], flow_first: str,
               flow_second: str, node: cst.If) -> dict[str, Any]:
        """The names after an undecided ``if``: a branch that returned does not count;
        a name the branches leave different is Unknown."""
        if flow_first == RETURN and flow_second != RETURN:
            return second
        if flow_second == RETURN and flow_first != RETURN:
            return first
        out: dict[str, Any] = {}
        for name in {**first, **second}:
            a, b = first.get(name, _MISSING), second.get(name, _MISSING)
            if a is not _MISSING and b is not _MISSING and _same(a, b):
                out[name] = a
            else:
                out[name] = Unknown(name, f"{UNDECIDED} ({self.text(node.test)})")
        return out

    def s_For(self, node: cst.For, scope: _Scope) -> str:
        iterable = self.eval(node.iter, scope)
        count = len(iterable) if isinstance(
            iterable, list | tuple | str | dict | range | set | frozenset) else None
        items = self.items(iterable) if count is not None and \
            count <= LIMITS["iterations"] else None
        if items is not None:
            for item in items:
                self.tick(node)
                self.assign(node.target, item, scope)
                flow = self.block(node.body, scope)
                if flow == RETURN:
                    return RETURN
                if flow == BREAK:
                    return NORMAL
            return self.block(node.orelse.body, scope) if node.orelse is not None else NORMAL
        text = f"each item of {self.text(node.iter)}"
        if count is not None:
            self.report(node.iter, f"a loop over {count} items (more than "
                        f"{LIMITS['iterations']}): its body is read once, for an unknown item")
        self.forget_assigned(node.body, scope, text)
        self.assign(node.target, Unknown(self.text(node.target), text), scope)
        with self.under(text):
            flow = self.block(node.body, scope)
            if flow != RETURN and node.orelse is not None:
                self.block(node.orelse.body, scope)
        return NORMAL  # a return in a loop read once is a conditional one

    def s_While(self, node: cst.While, scope: _Scope) -> str:
        test = self.eval(node.test, scope)
        truth = _truth(test)
        if truth is False:
            return self.block(node.orelse.body, scope) if node.orelse is not None else NORMAL
        text = None if truth else f"while {self.text(node.test)}"
        self.forget_assigned(node.body, scope, text or "each round of the loop")
        with self.under(text):
            flow = self.block(node.body, scope)
        return RETURN if flow == RETURN and truth else NORMAL

    def forget_assigned(self, body: Any, scope: _Scope, reason: str) -> None:
        """Values a loop read once changes from round to round: Unknown from the start
        (objects such as sections stay: rebinding a name to the same object is common)."""
        names = self.scans.get(body)
        if names is None:
            names = self.scans[body] = _assigned_names(body)
        for name in names:
            if name in scope.vars and _plain(scope.vars[name]):
                scope.vars[name] = Unknown(name, f"changes in {reason}")

    def s_Try(self, node: cst.Try, scope: _Scope) -> str:
        flow = self.block(node.body, scope)
        if flow == NORMAL and node.orelse is not None:
            flow = self.block(node.orelse.body, scope)
        if node.finalbody is not None:
            final = self.block(node.finalbody.body, scope)
            if final != NORMAL:
                return final
        return flow

    s_TryStar = s_Try

    def s_With(self, node: cst.With, scope: _Scope) -> str:
        for item in node.items:
            self.eval(item.item, scope)
            if item.asname is not None:
                self.assign(item.asname.name, self.unknown(item.item, RUNTIME), scope)
        return self.block(node.body, scope)

    # -- expressions -----------------------------------------------------------------------

    def eval(self, node: cst.BaseExpression, scope: _Scope) -> Any:
        self.tick(node)
        handler = getattr(self, "e_" + type(node).__name__, None)
        if handler is None:
            return self.unknown(node, RUNTIME)
        return handler(node, scope)

    def checked(self, value: Any, node: cst.CSTNode) -> Any:
        """``value``, or an Unknown when it is larger than a value may be."""
        if value is _TOO_BIG:
            self.report(node, "a value larger than uwsgi-lint reads (strings of "
                        f"{LIMITS['string'] // 1024} KB, {LIMITS['items']} items, integers of "
                        f"{LIMITS['int_bits']} bits, widths of {WIDTH}): it is not read")
            return Unknown(self.text(node), TOO_BIG)
        if isinstance(value, str) and len(value) > LIMITS["string"]:
            self.report(node, f"a string longer than {LIMITS['string'] // 1024} KB: "
                        "its value is not read")
            return Unknown(self.text(node), TOO_BIG)
        if isinstance(value, int) and not isinstance(value, bool) and \
                value.bit_length() > LIMITS["int_bits"]:
            self.report(node, "an integer too large to read: its value is not read")
            return Unknown(self.text(node), TOO_BIG)
        if isinstance(value, list | tuple | dict | set | frozenset) and \
                len(value) > LIMITS["items"]:
            self.report(node, f"a collection of more than {LIMITS['items']} items: "
                        "its value is not read")
            return Unknown(self.text(node), TOO_BIG)
        return value

    def e_Name(self, node: cst.Name, scope: _Scope) -> Any:
        return self.lookup(node.value, scope, node)

    def e_Integer(self, node: cst.Integer, scope: _Scope) -> Any:
        if len(node.value) > 1000:
            self.report(node, "an integer too large to read: its value is not read")
            return Unknown(node.value[:40] + "…", TOO_BIG)
        return int(node.value, 0)

    def e_Float(self, node: cst.Float, scope: _Scope) -> Any:
        try:
            return float(node.value.replace("_", ""))
        except ValueError:
            return self.unknown(node, RUNTIME)

    def e_Imaginary(self, node: cst.Imaginary, scope: _Scope) -> Any:
        return self.unknown(node, RUNTIME)

    def e_SimpleString(self, node: cst.SimpleString, scope: _Scope) -> Any:
        if len(node.value) > LIMITS["string"] + 8:
            self.report(node, f"a string longer than {LIMITS['string'] // 1024} KB: "
                        "its value is not read")
            return Unknown(node.value[:40] + "…", TOO_BIG)
        value = _string(node)
        return self.unknown(node, "bytes") if value is None else value

    def e_ConcatenatedString(self, node: cst.ConcatenatedString, scope: _Scope) -> Any:
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return self.checked(left + right, node)
        return self.joined(node, [self.as_written(left, node.left),
                                  self.as_written(right, node.right)])

    def as_written(self, value: Any, node: cst.CSTNode) -> Any:
        """An unknown part shown as the expression written there (its known parts kept)."""
        if isinstance(value, Unknown) and not value.template:
            return Unknown(self.text(node), value.reason)
        return value

    def joined(self, node: cst.CSTNode, parts: list[Any]) -> Any:
        """Strings joined where some parts are unknown: an Unknown whose template shows the
        known parts (``shop-<unknown: settings.NAME>``)."""
        unknown = next((part for part in parts if isinstance(part, Unknown)), None)
        if unknown is None or not all(isinstance(part, str | Unknown) for part in parts):
            return self.unknown(node, self.reason(unknown))
        template = "".join(unknown_text(p) if isinstance(p, Unknown) else p for p in parts)
        if len(template) > LIMITS["string"]:
            return self.unknown(node, unknown.reason)
        return Unknown(self.text(node), unknown.reason, template)

    def e_FormattedString(self, node: cst.FormattedString, scope: _Scope) -> Any:
        raw = "r" in node.prefix.lower()
        out: list[str | Unknown] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = _fstring_text(part.value, raw)
                if text is None:
                    return self.unknown(node, RUNTIME)
                out.append(text)
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                return self.unknown(node, RUNTIME)
            value = self.formatted(part, scope, raw)
            out.append(self.as_written(value, part.expression))
            if sum(len(p) for p in out if isinstance(p, str)) > LIMITS["string"]:
                return self.checked(_TOO_BIG, node)
        if any(isinstance(p, Unknown) for p in out):
            return self.joined(node, list(out))
        return self.checked("".join(p for p in out if isinstance(p, str)), node)

    def formatted(self, part: cst.FormattedStringExpression, scope: _Scope,
                  raw: bool) -> str | Unknown:
        value = self.eval(part.expression, scope)
        if isinstance(value, Unknown):
            return value
        if part.equal is not None or not _plain(value):
            return self.unknown(part.expression, RUNTIME)
        if isinstance(value, PurePath):
            value = str(value)
        conversions: dict[str, Callable[[Any], str]] = {"r": repr, "s": str, "a": ascii}
        conversion = conversions.get(part.conversion or "")
        if conversion is not None:
            value = conversion(value)
        spec = ""
        if part.format_spec:
            pieces: list[str] = []
            for piece in part.format_spec:
                if isinstance(piece, cst.FormattedStringText):
                    pieces.append(piece.value)
                elif isinstance(piece, cst.FormattedStringExpression):
                    inner = self.formatted(piece, scope, raw)
                    if isinstance(inner, Unknown):
                        return inner
                    pieces.append(inner)
            spec = "".join(pieces)
        text = _format(value, spec)
        if isinstance(text, str):
            return text
        if text is _TOO_BIG:
            return Unknown(self.text(part), self.checked(text, part).reason)
        return self.unknown(part.expression, RUNTIME)

    def e_List(self, node: cst.List, scope: _Scope) -> Any:
        return self.checked(self.elements(node.elements, scope), node)

    def e_Tuple(self, node: cst.Tuple, scope: _Scope) -> Any:
        return self.checked(tuple(self.elements(node.elements, scope)), node)

    def e_Set(self, node: cst.Set, scope: _Scope) -> Any:
        items = self.elements(node.elements, scope)
        if not _plain(items):
            return self.unknown(node, RUNTIME)
        try:
            return set(items)
        except TypeError:
            return self.unknown(node, RUNTIME)

    def elements(self, elements: Any, scope: _Scope) -> list[Any]:
        out: list[Any] = []
        for element in elements:
            value = self.eval(element.value, scope)
            if isinstance(element, cst.StarredElement):
                items = self.items(value)
                if items is None:
                    out.append(Unknown(self.text(element), self.reason(value)))
                else:
                    out.extend(items)
            else:
                out.append(value)
        return out

    def e_Dict(self, node: cst.Dict, scope: _Scope) -> Any:
        out: dict[Any, Any] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                value = self.eval(element.value, scope)
                if not isinstance(value, dict):
                    return self.unknown(node, self.reason(value))
                out.update(value)
                continue
            key = self.eval(element.key, scope)
            value = self.eval(element.value, scope)
            if not _plain(key):
                return self.unknown(node, self.reason(key))
            try:
                out[key] = value
            except TypeError:
                return self.unknown(node, RUNTIME)
        return self.checked(out, node)

    def e_ListComp(self, node: cst.ListComp, scope: _Scope) -> Any:
        return self.comprehension(node, scope, lambda items: items)

    def e_GeneratorExp(self, node: cst.GeneratorExp, scope: _Scope) -> Any:
        return self.comprehension(node, scope, lambda items: items)

    def e_SetComp(self, node: cst.SetComp, scope: _Scope) -> Any:
        return self.comprehension(node, scope, lambda items: set(items) if _plain(items)
                                  else Unknown(self.text(node), RUNTIME))

    def e_DictComp(self, node: cst.DictComp, scope: _Scope) -> Any:
        return self.comprehension(node, scope, lambda items: dict(items) if all(
            _plain(k) for k, _ in items) else Unknown(self.text(node), RUNTIME))

    def comprehension(self, node: Any, scope: _Scope,
                      build: Callable[[list[Any]], Any]) -> Any:
        inner = _Scope(parent=scope)
        results: list[Any] = []

        def walk(clause: cst.CompFor | None) -> bool:
            if clause is None:
                if isinstance(node, cst.DictComp):
                    results.append((self.eval(node.key, inner), self.eval(node.value, inner)))
                else:
                    results.append(self.eval(node.elt, inner))
                return len(results) <= LIMITS["items"]
            items = self.items(self.eval(clause.iter, inner if results else scope))
            if items is None or len(items) > LIMITS["items"]:
                return False
            for item in items:
                self.tick(clause)
                self.assign(clause.target, item, inner)
                tests = [_truth(self.eval(test.test, inner)) for test in clause.ifs]
                if None in tests:
                    return False
                if all(tests) and not walk(clause.inner_for_in):
                    return False
            return True

        if not walk(node.for_in):
            return self.unknown(node, RUNTIME)
        return self.checked(build(results), node)

    def e_Attribute(self, node: cst.Attribute, scope: _Scope) -> Any:
        receiver = self.eval(node.value, scope)
        value = self.attribute(receiver, node.attr.value, node)
        if isinstance(value, _Const):  # a constant that is a plain value is used as one
            found = api.constant(value.path)
            if found is not None and not isinstance(found, api.Kind):
                return found
        return value

    def attribute(self, receiver: Any, name: str, node: cst.Attribute) -> Any:
        if isinstance(receiver, Unknown):
            return Unknown(self.text(node), receiver.reason)
        if isinstance(receiver, _Instance):
            return self.instance_attribute(receiver, name, node)
        if isinstance(receiver, SectionState):
            return self.section_attribute(receiver, receiver, name, node)
        if isinstance(receiver, _Group):
            if api.method(receiver.name, name) is not None:
                return _Method(receiver.section, (receiver.name, name))
            return _Const((receiver.name, name), receiver.section)
        if isinstance(receiver, api.Kind):
            return self.class_attribute(receiver.kind, name, node)
        if isinstance(receiver, _Const):
            return _Const((*receiver.path, name))
        if isinstance(receiver, _Module):
            return self.module_attribute(receiver.name, name, node)
        if isinstance(receiver, _Class):
            found = receiver.lookup(name)
            if found is not None:
                value = found[0]
                if isinstance(value, _Function) and value.binding == "classmethod":
                    return _BoundFunction(value, receiver)
                return value
            if receiver.kind is not None and name == "bootstrap":
                self.report(node, f"`{receiver.name}.bootstrap()` (a Section subclass): "
                            "uwsgi-lint does not follow it; the section is not checked")
                return self.unknown(node, RUNTIME)
            if receiver.kind is not None:
                return self.class_attribute(receiver.kind, name, node)
            return self.unknown(node, RUNTIME)
        if isinstance(receiver, _Super):
            return self.super_attribute(receiver, name, node)
        if isinstance(receiver, Obj):
            if api.method(receiver.kind, name) is not None or (
                    receiver.kind == "Broodlord" and name == "configure"):
                return _Builtin("object-method", (receiver, name))
            return self.unknown(node, RUNTIME)
        if isinstance(receiver, _Configuration):
            return _Builtin("configuration-method", (receiver, name))
        if isinstance(receiver, PurePath):
            if name in _PATH_ATTRS:
                return self.checked(getattr(receiver, name), node)
            if name in _PATH_METHODS or name in _FS_METHODS:
                return _Builtin("path." + name, receiver)
            return self.unknown(node, RUNTIME)
        if isinstance(receiver, str) and name in _STR_METHODS:
            return _Builtin("str." + name, receiver)
        if isinstance(receiver, list) and name in _LIST_METHODS:
            return _Builtin("list." + name, receiver)
        if isinstance(receiver, dict) and name in _DICT_METHODS:
            return _Builtin("dict." + name, receiver)
        return self.unknown(node, RUNTIME)

    def section_attribute(self, section: Any, state: SectionState, name: str,
                          node: cst.CSTNode) -> Any:
        """``section.NAME``: a group (touching it), a method, a constant or the name."""
        if name in api.groups():
            self.contained(lambda: state.touch(name, self.span(node), self.condition), node)
            return _Group(section, name)
        if name == "name":
            return state.name
        if name in ("derive_from", "bootstrap"):
            return _ClassMethod(state.kind, name)
        if api.method(state.kind, name) is not None:
            return _Method(section, (name,))
        if api.constant((name,)) is not None or name in ("vars", "embedded_plugins_presets"):
            return _Const((name,))
        return self.unknown(node, RUNTIME)

    def class_attribute(self, kind: str, name: str, node: cst.CSTNode) -> Any:
        """``Section.NAME``, ``Broodlord.NAME`` ... (on a class)."""
        if kind not in SECTION_KINDS:
            return _Const((*kind.split("."), name))
        spec = api.method(kind, name)
        if spec is not None and spec.is_classmethod:
            return _ClassMethod(kind, name)
        if name in api.groups() or name in ("vars", "embedded_plugins_presets"):
            return _Const((name,))
        return self.unknown(node, RUNTIME)

    def instance_attribute(self, instance: _Instance, name: str, node: cst.CSTNode) -> Any:
        if name in instance.attrs:
            return instance.attrs[name]
        found = instance.cls.lookup(name)
        if found is not None:
            value, _ = found
            if isinstance(value, _Function):
                return _bind_method(value, instance, instance.cls)
            return value
        if instance.state is not None:
            return self.section_attribute(instance, instance.state, name, node)
        return self.unknown(node, RUNTIME)

    def super_attribute(self, sup: _Super, name: str, node: cst.CSTNode) -> Any:
        for base in sup.cls.bases:
            if isinstance(base, _Class):
                found = base.lookup(name)
                if found is not None:
                    value = found[0]
                    if isinstance(value, _Function):
                        receiver = sup.receiver
                        return _bind_method(value, receiver, getattr(receiver, "cls", None))
                    return value
                if base.kind is not None:
                    break
        if name == "__init__" and sup.cls.kind is not None:
            return _Builtin("section-init", sup)
        state = _section_of(sup.receiver)
        if state is not None:
            return self.section_attribute(sup.receiver, state, name, node)
        return self.unknown(node, RUNTIME)

    def e_Subscript(self, node: cst.Subscript, scope: _Scope) -> Any:
        receiver = self.eval(node.value, scope)
        key = self.subscript_key(node, scope)
        if isinstance(receiver, Unknown):
            return Unknown(self.text(node), receiver.reason)
        if key is _MISSING or isinstance(key, Unknown):
            return self.unknown(node, self.reason(key))
        if isinstance(receiver, list | tuple | str | dict | range) and (
                _plain(key) or isinstance(key, slice)):
            try:
                return self.checked(receiver[key], node)
            except (IndexError, KeyError, TypeError, ValueError):
                return self.unknown(node, RUNTIME)
        return self.unknown(node, RUNTIME)

    def subscript_key(self, node: cst.Subscript, scope: _Scope) -> Any:
        if len(node.slice) != 1:
            return _MISSING
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return self.eval(index.value, scope)
        if isinstance(index, cst.Slice):
            parts = [self.eval(p, scope) if p is not None else None
                     for p in (index.lower, index.upper, index.step)]
            if all(p is None or isinstance(p, int) for p in parts):
                return slice(*parts)
        return _MISSING

    def e_UnaryOperation(self, node: cst.UnaryOperation, scope: _Scope) -> Any:
        value = self.eval(node.expression, scope)
        operator = type(node.operator).__name__
        if operator == "Not":
            truth = _truth(value)
            return self.unknown(node, self.reason(value)) if truth is None else not truth
        if not isinstance(value, int | float):
            return self.unknown(node, self.reason(value))
        if operator == "Minus":
            return -value
        if operator == "Plus":
            return +value
        if operator == "BitInvert" and isinstance(value, int):
            return ~value
        return self.unknown(node, RUNTIME)

    def e_BinaryOperation(self, node: cst.BinaryOperation, scope: _Scope) -> Any:
        left = self.as_written(self.eval(node.left, scope), node.left)
        right = self.as_written(self.eval(node.right, scope), node.right)
        return self.binary(type(node.operator).__name__, left, right, node)

    def binary(self, operator: str, left: Any, right: Any, node: cst.CSTNode) -> Any:
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            if operator == "Add" and (isinstance(left, str) or isinstance(right, str)):
                return self.joined(node, [left, right])
            return self.unknown(node, self.reason(left if isinstance(left, Unknown) else right))
        result = _binary(operator, left, right)
        if result is _MISSING:
            return self.unknown(node, RUNTIME)
        return self.checked(result, node)

    def e_BooleanOperation(self, node: cst.BooleanOperation, scope: _Scope) -> Any:
        left = self.eval(node.left, scope)
        truth = _truth(left)
        if truth is None:
            return self.unknown(node, self.reason(left))
        is_and = isinstance(node.operator, cst.And)
        if truth is not is_and:
            return left
        return self.eval(node.right, scope)

    def e_Comparison(self, node: cst.Comparison, scope: _Scope) -> Any:
        left = self.eval(node.left, scope)
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            result = _compare(type(target.operator).__name__, left, right)
            if result is None:
                return self.unknown(node, self.reason(
                    left if isinstance(left, Unknown) else right))
            if not result:
                return False
            left = right
        return True

    def e_IfExp(self, node: cst.IfExp, scope: _Scope) -> Any:
        test = self.eval(node.test, scope)
        truth = _truth(test)
        if truth is None:
            return self.unknown(node, self.reason(test))
        return self.eval(node.body if truth else node.orelse, scope)

    def e_Lambda(self, node: cst.Lambda, scope: _Scope) -> Any:
        return self.function(node, scope)

    def e_NamedExpr(self, node: cst.NamedExpr, scope: _Scope) -> Any:
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    def e_Await(self, node: cst.Await, scope: _Scope) -> Any:
        return self.unknown(node, "an awaited result")

    # -- calls -----------------------------------------------------------------------------

    def e_Call(self, node: cst.Call, scope: _Scope) -> Any:
        callee = self.eval(node.func, scope)
        args = [(arg, self.eval(arg.value, scope)) for arg in node.args]
        return self.call(callee, node, args, scope)

    def call(self, callee: Any, node: cst.Call, args: list[tuple[cst.Arg, Any]],
             scope: _Scope) -> Any:
        if isinstance(callee, _Method):
            return self.section_call(callee.section, callee.path, node, args)
        if isinstance(callee, _Group):
            return self.section_call(callee.section, (callee.name, "__call__"), node, args)
        if isinstance(callee, api.Kind):
            return self.construct(callee.kind, node, args)
        if isinstance(callee, _Const):
            found = api.constant(callee.path)
            if isinstance(found, api.Kind):
                return self.construct(found.kind, node, args)
            if callee.path[-2:] == ("sockets", "from_dsn"):
                return self.from_dsn(node, args)
            if callee.section is not None and len(callee.path) == 2:  # not a group method
                return self.section_call(callee.section, callee.path, node, args)
            return self.unknown(node, RUNTIME)
        if isinstance(callee, _ClassMethod):
            return self.class_method(callee, node, args)
        if isinstance(callee, _Function):
            return self.invoke(callee, None, node, args)
        if isinstance(callee, _BoundFunction):
            return self.invoke(callee.function, callee.receiver, node, args)
        if isinstance(callee, _Class):
            return self.instantiate(callee, node, args)
        if isinstance(callee, _Builtin):
            return self.builtin(callee, node, args, scope)
        # a call uwsgi-lint cannot see into: a section handed to it may change unseen
        for _, value in args:
            if _section_of(value) is not None:
                self.report(node, f"a section is handed to `{self.text(node.func)}`, which "
                            "uwsgi-lint cannot follow: what it changes is not checked")
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Attribute):
            group, method = node.func.value.attr.value, node.func.attr.value
            if group in api.groups() and api.method(group, method) is not None:
                self.report(node, f"`{self.text(node.func)}(...)`: uwsgi-lint cannot tell "
                            "which section this is; the call is not checked")
        return self.unknown(node, self.reason(callee) if isinstance(callee, Unknown)
                            and callee.reason in (ENVIRON, FILESYSTEM) else FUNCTION_RESULT)

    def model_args(self, args: list[tuple[cst.Arg, Any]]) -> tuple[Arg, ...]:
        """The arguments as the emitter takes them (``*``/``**`` of known values spread)."""
        out: list[Arg] = []
        for arg, value in args:
            span, value_span = self.span(arg), self.span(arg.value)
            keyword_span = self.span(arg.keyword) if arg.keyword is not None else None
            if arg.star == "*":
                items = self.items(value)
                if items is None:
                    out.append(Arg(None, Unknown(self.text(arg.value), self.reason(value)),
                                   span, value_span))
                else:
                    out.extend(Arg(None, self.export(item, arg.value), span, value_span)
                               for item in items)
            elif arg.star == "**":
                origin = self.kw_origins.get(id(value))
                if origin is not None and origin[0] is value:
                    for key, item in value.items():
                        written = origin[1].get(key)
                        if written is None:
                            out.append(Arg(key, self.export(item, arg.value), span, value_span,
                                           span))
                        else:
                            out.append(Arg(key, self.export(item, written.value),
                                           self.span(written), self.span(written.value),
                                           self.span(written.keyword)
                                           if written.keyword is not None else None))
                else:
                    exported = self.export(value, arg.value)
                    out.append(Arg("**", exported, span, value_span))
            else:
                keyword = arg.keyword.value if arg.keyword is not None else None
                out.append(Arg(keyword, self.export(value, arg.value), span, value_span,
                               keyword_span))
        return tuple(out)

    def export(self, value: Any, node: cst.CSTNode) -> Any:
        """A value as the emitter takes it: plain values, Unknown, Obj, SectionState,
        api.Kind (a class given as a value)."""
        if isinstance(value, (*_PLAIN_SCALARS, Unknown, Obj, SectionState, api.Kind)):
            return value
        if isinstance(value, PurePath):
            return str(value)
        if isinstance(value, _Instance):
            return value.state if value.state is not None else self.unknown(node, RUNTIME)
        if isinstance(value, list):
            return [self.export(item, node) for item in value]
        if isinstance(value, tuple):
            return tuple(self.export(item, node) for item in value)
        if isinstance(value, set | frozenset):
            return value
        if isinstance(value, range):
            return list(value) if len(value) <= LIMITS["items"] else self.checked(_TOO_BIG, node)
        if isinstance(value, dict):
            return {self.export(k, node): self.export(v, node) for k, v in value.items()}
        if isinstance(value, _Const):
            found = api.constant(value.path)
            if found is None:
                return self.unknown(node, RUNTIME)
            return found
        if isinstance(value, _Class) and value.kind is not None:
            return api.Kind(value.kind)
        return self.unknown(node, "not a value uwsgiconf writes")

    def record(self, path: tuple[str, ...], node: cst.Call,
               args: list[tuple[cst.Arg, Any]], name_node: cst.CSTNode | None = None) -> Call:
        if len(self.compiled.calls) >= LIMITS["calls"]:
            raise self.stop(node, f"more than {LIMITS['calls']} uwsgiconf calls: uwsgi-lint "
                            "stops here; what follows is not checked")
        name_node = name_node or (node.func.attr if isinstance(node.func, cst.Attribute)
                                  else node.func)
        call = Call(path, self.model_args(args), self.span(node), self.span(name_node),
                    self.condition, node)
        self.compiled.calls.append(call)
        # what the call may write: a line per value, a preset's own lines
        self.weight += 1 + sum(_leaves(arg.value) for arg in call.args)
        self.weight += PRESET_LINES if path[0] in SECTION_KINDS else 0
        if self.weight > LIMITS["emissions"]:
            raise self.stop(node, f"this file writes more than {LIMITS['emissions']} options: "
                            "uwsgi-lint stops here; what follows is not checked")
        return call

    def section_call(self, section: Any, path: tuple[str, ...], node: cst.Call,
                     args: list[tuple[cst.Arg, Any]]) -> Any:
        """A method of a section or of one of its groups."""
        state = _section_of(section)
        if state is None:
            return self.unknown(node, RUNTIME)
        if path == ("as_configuration",):
            call = self.record(path, node, args)
            return _Configuration([state], call)
        call = self.record(path, node, args)
        returns = self.contained(lambda: state.apply(call), node)
        if returns == "section":
            return section
        if returns == "":
            where = ".".join((*path[:-1], path[-1].replace("__call__", ""))).strip(".")
            self.report(node, f"`{where}` is not a uwsgiconf method: uwsgiconf fails on this "
                        "call (AttributeError); it is not checked")
        return Unknown(self.text(node), "a uwsgiconf method's result")

    def construct(self, kind: str, node: cst.Call, args: list[tuple[cst.Arg, Any]],
                  name_node: cst.CSTNode | None = None) -> Any:
        """``Kind(...)``: a section, a configuration or an object."""
        call = self.record((kind,), node, args, name_node)
        if kind in SECTION_KINDS:
            state = self.contained(lambda: SectionState(kind, call), node)
            if not isinstance(state, SectionState):
                return self.unknown(node, RUNTIME)
            self.created.append((state, call))
            return state
        if kind == "Configuration":
            return self.configuration(call, node)
        obj = Obj(kind, call.args, call.span)
        if kind == "Broodlord":
            self.made[id(obj)] = (obj, call)
        return obj

    def from_dsn(self, node: cst.Call, args: list[tuple[cst.Arg, Any]]) -> Any:
        """``sockets.from_dsn(dsn, allow_shared_sockets=None)``: the socket object the DSN
        names (its scheme the class, its query the arguments; a port below 1024 a shared
        socket when allowed, which depends on the compiling user when not said)."""
        from urllib.parse import parse_qs

        call = self.record(("networking.sockets", "from_dsn"), node, args)
        given = [arg for arg in call.args if arg.keyword in (None, "dsn")]
        allowed = next((a.value for a in call.args if a.keyword == "allow_shared_sockets"), None)
        if not given or not isinstance(given[0].value, str):
            return Unknown(self.text(node), self.reason(given[0].value if given else None))
        dsn = given[0]
        try:
            split = emit.split_dsn(dsn.value)
            port = split.port
        except ValueError:
            return self.unknown(node, RUNTIME)
        scheme = emit._DSN_SCHEMES.get(split.scheme)
        if scheme is None:
            self.report(node, f"`{split.scheme}` is not a socket type uwsgiconf knows: it fails "
                        "on this DSN (KeyError)")
            return self.unknown(node, RUNTIME)
        address: Any = split.netloc
        if port and port < 1024:
            allow = _truth(allowed)
            if allowed is None or allow is None:
                address = Unknown(dsn.value, emit.SHARED_BY_EUID)
            elif allow:
                address = Obj("networking.sockets.shared",
                              (Arg(None, split.netloc, dsn.span, dsn.value_span),), call.span)
        values = {"address": address, **{k: v[0] for k, v in parse_qs(split.query).items()}}
        return Obj(f"networking.sockets.{scheme}", tuple(
            Arg(key, value, dsn.span, dsn.value_span) for key, value in values.items()),
            call.span)

    def configuration(self, call: Call, node: cst.Call) -> Any:
        given = [arg for arg in call.args if arg.keyword in (None, "sections")]
        sections: list[SectionState] = []
        if given:
            value = given[0].value
            if not isinstance(value, list | tuple):
                if value is not None:
                    self.report(node, "the sections of this Configuration are not a list "
                                "uwsgi-lint can read: it is not checked")
                    return self.unknown(node, RUNTIME)
                value = []
            for item in value:
                if isinstance(item, SectionState):
                    sections.append(item)
                else:
                    self.report(node, "a section of this Configuration is not one uwsgi-lint "
                                "can follow: it is left out")
        return _Configuration(sections, call)

    def class_method(self, method: _ClassMethod, node: cst.Call,
                     args: list[tuple[cst.Arg, Any]]) -> Any:
        if method.name == "bootstrap":
            call = self.record((method.kind, "bootstrap"), node, args)
            state = self.contained(lambda: SectionState(method.kind, call), node)
            if not isinstance(state, SectionState):
                return self.unknown(node, RUNTIME)
            self.created.append((state, call))
            return state
        if method.name == "derive_from":
            call = self.record((method.kind, "derive_from"), node, args)
            source = _section_of(args[0][1]) if args and args[0][0].keyword is None else None
            keywords = {arg.keyword.value: value for arg, value in args if arg.keyword}
            source = source or _section_of(keywords.get("section"))
            if source is None:
                self.report(node, "derive_from() of a section uwsgi-lint cannot follow: "
                            "the new section is not checked")
                return self.unknown(node, RUNTIME)
            name = keywords.get("name")
            derived = self.contained(lambda: source.derive(
                call, name if isinstance(name, str) else None), node)
            if not isinstance(derived, SectionState):
                return self.unknown(node, RUNTIME)
            if isinstance(name, Unknown):
                derived.name = f"<unknown: {name.text}>"
            self.created.append((derived, call))
            return derived
        return self.unknown(node, RUNTIME)

    def object_method(self, obj: Obj, name: str, node: cst.Call,
                      args: list[tuple[cst.Arg, Any]]) -> Any:
        call = self.record((obj.kind, name), node, args)
        if obj.kind == "Broodlord" and name == "configure":
            made = self.made.get(id(obj))
            if made is None or made[0] is not obj:
                return self.unknown(node, RUNTIME)
            result = self.contained(lambda: emit.broodlord(made[1]), node)
            if not isinstance(result, tuple):
                return self.unknown(node, RUNTIME)
            for state in result:
                self.created.append((state, call))
            return result
        self.report(node, f"`{name}()` on a {obj.kind} object: uwsgi-lint does not follow "
                    "calls on uwsgiconf objects after they are built; it is not checked")
        return self.unknown(node, "a uwsgiconf method's result")

    def instantiate(self, cls: _Class, node: cst.Call, args: list[tuple[cst.Arg, Any]]) -> Any:
        """``MyClass(...)``: its ``__init__`` run on a new instance (a Section subclass
        builds its section at ``super().__init__(...)``)."""
        instance = _Instance(cls)
        found = cls.lookup("__init__")
        if found is not None and isinstance(found[0], _Function):
            self.invoke(found[0], instance, node, args)
        elif cls.kind is not None:
            state = self.construct(cls.kind, node, args)
            instance.state = state if isinstance(state, SectionState) else None
        if cls.kind is not None and instance.state is None:
            self.report(node, f"`{cls.name}` is a section class whose __init__ uwsgi-lint "
                        "cannot follow to Section.__init__: it is not checked")
            return self.unknown(node, RUNTIME)
        return instance

    def invoke(self, function: _Function, receiver: Any, node: cst.Call,
               args: list[tuple[cst.Arg, Any]]) -> Any:
        """Follow a call of a function of the file; its result (Unknown when it differs
        by undecided branches)."""
        returns = self.follow(function, receiver, node, args)
        if returns is None:
            if any(_section_of(value) is not None for _, value in args):
                self.report(node, f"a section is handed to `{function.name}`, which uwsgi-lint "
                            "does not follow: what it changes is not checked")
            return self.unknown(node, FUNCTION_RESULT)
        values = [value for _, value in returns]
        if all(_same(values[0], value) for value in values[1:]):
            return values[0]
        return self.unknown(node, f"{FUNCTION_RESULT}, which depends on an undecided condition")

    def follow(self, function: _Function, receiver: Any, node: cst.CSTNode,
               args: list[tuple[cst.Arg, Any]]) -> list[tuple[str | None, Any]] | None:
        """Walk ``function`` called with ``args``: the values it returns, each with the
        condition it is returned under (None: not followed)."""
        definition = function.node
        if isinstance(definition, cst.FunctionDef):
            generator = self.scans.get(definition)
            if generator is None:
                generator = self.scans[definition] = self.mentions(definition, "yield") and \
                    _yields(definition.body)
            if definition.asynchronous is not None or generator:
                return None
        if len(self.frames) >= LIMITS["depth"]:
            self.report(node, f"calls nested more than {LIMITS['depth']} deep: this one is "
                        "not followed")
            return None
        scope = _Scope(parent=function.closure)
        self.bind(function, receiver, args, scope)
        frame = _Frame(function, receiver)
        self.frames.append(frame)
        try:
            if isinstance(definition, cst.Lambda):
                frame.returns.append((self.condition, self.eval(definition.body, scope)))
            else:
                flow = self.block(definition.body, scope)
                if flow != RETURN:
                    frame.returns.append((self.condition, None))
        finally:
            self.frames.pop()
        return frame.returns

    def bind(self, function: _Function, receiver: Any, args: list[tuple[cst.Arg, Any]],
             scope: _Scope) -> None:
        params = function.node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        keyword_only = [p.name.value for p in params.kwonly_params]
        values: list[Any] = [] if receiver is None else [receiver]
        keywords: dict[str, Any] = {}
        origins: dict[str, cst.Arg] = {}
        unknown_spread: Unknown | None = None
        for arg, value in args:
            if arg.star == "*":
                items = self.items(value)
                if items is None:
                    unknown_spread = Unknown(self.text(arg.value), self.reason(value))
                else:
                    values.extend(items)
            elif arg.star == "**":
                if isinstance(value, dict):
                    keywords.update(value)
                    origin = self.kw_origins.get(id(value))
                    if origin is not None and origin[0] is value:
                        origins.update(origin[1])
                else:
                    unknown_spread = Unknown(self.text(arg.value), self.reason(value))
            elif arg.keyword is not None:
                keywords[arg.keyword.value] = value
                origins[arg.keyword.value] = arg
            else:
                values.append(value)
        for index, name in enumerate(positional):
            if index < len(values):
                scope.vars[name] = values[index]
            elif name in keywords:
                scope.vars[name] = keywords.pop(name)
            elif name in function.defaults and unknown_spread is None:
                scope.vars[name] = function.defaults[name]
            else:
                scope.vars[name] = unknown_spread or Unknown(name, PARAMETER)
        for name in keyword_only:
            if name in keywords:
                scope.vars[name] = keywords.pop(name)
            elif name in function.defaults and unknown_spread is None:
                scope.vars[name] = function.defaults[name]
            else:
                scope.vars[name] = unknown_spread or Unknown(name, PARAMETER)
        star = params.star_arg
        if isinstance(star, cst.Param):
            rest = values[len(positional):]
            scope.vars[star.name.value] = tuple(rest) if unknown_spread is None else \
                unknown_spread
        if params.star_kwarg is not None:
            extra = {k: v for k, v in keywords.items()}
            if unknown_spread is not None:
                scope.vars[params.star_kwarg.name.value] = unknown_spread
            else:
                scope.vars[params.star_kwarg.name.value] = extra
                self.kw_origins[id(extra)] = (extra, {k: origins[k] for k in extra
                                                      if k in origins})

    # -- builtins --------------------------------------------------------------------------

    def builtin(self, callee: _Builtin, node: cst.Call, args: list[tuple[cst.Arg, Any]],
                scope: _Scope) -> Any:
        name = callee.name
        if name == "configure_uwsgi":
            return self.configure_uwsgi(node, args)
        if name == "object-method":
            obj, method = callee.bound
            return self.object_method(obj, method, node, args)
        if name == "configuration-method":
            self.record(("Configuration", callee.bound[1]), node, args)
            return self.unknown(node, "a uwsgiconf method's result")
        if name == "super":
            frame = self.frames[-1] if self.frames else None
            if frame is None or frame.function is None or frame.function.owner is None:
                return self.unknown(node, RUNTIME)
            return _Super(frame.function.owner, frame.receiver)
        if name == "section-init":
            sup: _Super = callee.bound
            kind = sup.cls.kind
            assert kind is not None
            state = self.construct(kind, node, args)
            if isinstance(sup.receiver, _Instance) and isinstance(state, SectionState):
                sup.receiver.state = state
            return None
        if name in ("staticmethod", "classmethod"):
            return callee
        positional = [value for arg, value in args if arg.keyword is None and not arg.star]
        keywords = {arg.keyword.value: value for arg, value in args if arg.keyword is not None}
        mutation = name in ("list.append", "list.insert", "list.extend", "dict.update",
                            "dict.setdefault")
        if any(arg.star for arg, _ in args) or (not mutation and any(
                isinstance(v, Unknown) for v in (*positional, *keywords.values()))):
            unknown = next((v for v in (*positional, *keywords.values())
                            if isinstance(v, Unknown)), None)
            return self.unknown(node, self.reason(unknown) if unknown else RUNTIME)
        try:
            result = _call_builtin(name, callee.bound, positional, keywords)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError):
            return self.unknown(node, RUNTIME)
        if result is _MISSING:
            return self.unknown(node, FILESYSTEM if name.startswith("path.") else RUNTIME)
        return self.checked(result, node)

    def configure_uwsgi(self, node: cst.Call, args: list[tuple[cst.Arg, Any]]) -> Any:
        """``configure_uwsgi(f)``: uwsgiconf calls ``f()`` and keeps the sections and
        configurations it returns; called at module level, it sets ``uwsgi_configuration``."""
        target = args[0][1] if args else None
        if isinstance(target, _BoundFunction):
            returns = self.follow(target.function, target.receiver, node, [])
        elif isinstance(target, _Function):
            returns = self.follow(target, None, node, [])
        else:
            returns = None
        if not returns:
            self.report(node, "configure_uwsgi() is given a function uwsgi-lint cannot "
                        "follow: what it returns is not checked")
            if not self.frames:
                self.globals.vars[CONFIG_ATTR] = []
            return []
        result = returns[-1][1]
        if len(returns) > 1:
            self.report(node, "the function given to configure_uwsgi() returns different "
                        "values under undecided conditions: only its last return is checked")
        items = list(result) if isinstance(result, list | tuple) else [result]
        configurations: list[_Configuration] = []
        for item in items:
            state = _section_of(item)
            if state is not None:
                synthetic = Call(("as_configuration",), (), self.span(node),
                                 self.span(node.func), self.condition, None)
                configurations.append(_Configuration([state], synthetic))
            elif isinstance(item, _Configuration):
                configurations.append(item)
            elif isinstance(item, Unknown):
                self.report(node, f"configure_uwsgi() gets a value uwsgi-lint cannot follow "
                            f"({self.describe(item)}): it is not checked")
        if not configurations and not any(isinstance(i, Unknown) for i in items):
            self.report(node, "the function given to configure_uwsgi() returns no Section "
                        "or Configuration: uwsgiconf fails (ConfigurationError)")
        if not self.frames:
            self.globals.vars[CONFIG_ATTR] = configurations
            self.compiled.configured = True
        return configurations

    def items(self, value: Any) -> list[Any] | None:
        """The items iterating ``value`` gives (None: unknown)."""
        if isinstance(value, list | tuple | str):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, range):
            return list(value) if len(value) <= LIMITS["items"] else None
        if isinstance(value, set | frozenset) and _plain(value):
            try:
                return sorted(value)
            except TypeError:
                return None
        return None


# --- helpers without state ------------------------------------------------------------------

_TOO_BIG = object()


def _string(node: cst.SimpleString) -> str | None:
    """The value of a string literal (None: bytes, or escapes Python would reject)."""
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    body = node.raw_value
    if "r" in prefix or "\\" not in body:
        return body
    return _unescape(body)


def _unescape(text: str) -> str | None:
    """A string literal's escapes (``\\n``, ``\\x41``, ``\\N{...}`` ...) decoded."""
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return None


def _fstring_text(text: str, raw: bool) -> str | None:
    """The value of an f-string's literal part."""
    text = text.replace("{{", "{").replace("}}", "}")
    return text if raw or "\\" not in text else _unescape(text)


_WIDTH = re.compile(r"\d+")


def _format(value: Any, spec: str) -> Any:
    """``format(value, spec)`` with the width capped (None: not computed)."""
    if any(int(number) > WIDTH for number in _WIDTH.findall(spec)):
        return _TOO_BIG
    if not isinstance(value, _PLAIN_SCALARS):
        value = str(value) if not spec else None
        if value is None:
            return None
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return None


def _binary(operator: str, left: Any, right: Any) -> Any:
    """``left OP right`` for known values, sizes checked first (_MISSING: not computed)."""
    number = (int, float)
    limit, items = LIMITS["string"], LIMITS["items"]
    try:
        if operator == "Add":
            if isinstance(left, str) and isinstance(right, str):
                return left + right if len(left) + len(right) <= limit else _TOO_BIG
            if isinstance(left, list) and isinstance(right, list):
                return left + right if len(left) + len(right) <= items else _TOO_BIG
            if isinstance(left, tuple) and isinstance(right, tuple):
                return left + right if len(left) + len(right) <= items else _TOO_BIG
            if isinstance(left, number) and isinstance(right, number):
                return left + right
        elif operator == "Subtract" and isinstance(left, number) and isinstance(right, number):
            return left - right
        elif operator == "Multiply":
            if isinstance(left, int) and isinstance(right, str | list | tuple):
                left, right = right, left
            if isinstance(left, str | list | tuple) and isinstance(right, int):
                cap = limit if isinstance(left, str) else items
                return left * right if len(left) * max(right, 0) <= cap else _TOO_BIG
            if isinstance(left, number) and isinstance(right, number):
                if isinstance(left, int) and isinstance(right, int) and (
                        left.bit_length() + right.bit_length() > LIMITS["int_bits"]):
                    return _TOO_BIG
                return left * right
        elif operator in ("Divide", "FloorDivide", "Modulo") and \
                isinstance(left, number) and isinstance(right, number):
            if operator == "Divide":
                return left / right
            return left // right if operator == "FloorDivide" else left % right
        elif operator == "Modulo" and isinstance(left, str):
            return _percent(left, right)
        elif operator == "Power" and isinstance(left, number) and isinstance(right, number):
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and (
                    right > LIMITS["int_bits"]
                    or left.bit_length() * right > LIMITS["int_bits"]):
                return _TOO_BIG
            return left**right
        elif operator == "Divide" and isinstance(left, PurePath) and \
                isinstance(right, str | PurePath):
            return left / right
        elif operator == "Divide" and isinstance(left, str) and isinstance(right, PurePath):
            return PurePath(left) / right
        elif operator in ("LeftShift", "RightShift", "BitAnd", "BitOr", "BitXor") and \
                isinstance(left, int) and isinstance(right, int):
            if operator == "LeftShift":
                if right > LIMITS["int_bits"]:
                    return _TOO_BIG
                return left << right
            if operator == "RightShift":
                return left >> right
            return {"BitAnd": left & right, "BitOr": left | right,
                    "BitXor": left ^ right}[operator]
        elif operator == "BitOr" and isinstance(left, dict) and isinstance(right, dict):
            return {**left, **right}
    except (ArithmeticError, ValueError, TypeError):
        return _MISSING
    return _MISSING


_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d{4,})|%(\([^)]*\))?[-#0 +]*\d*\.(\*|\d{4,})")


def _percent(template: str, values: Any) -> Any:
    """``'%s' % x`` for known values, widths capped."""
    if _PERCENT.search(template):
        return _TOO_BIG
    if isinstance(values, PurePath):
        values = str(values)
    elif isinstance(values, tuple):
        values = tuple(str(v) if isinstance(v, PurePath) else v for v in values)
    if isinstance(values, tuple):
        if not all(isinstance(v, _PLAIN_SCALARS) for v in values):
            return _MISSING
    elif isinstance(values, dict):
        if not _plain(values):
            return _MISSING
    elif not isinstance(values, _PLAIN_SCALARS):
        return _MISSING
    try:
        result = template % values
    except (TypeError, ValueError, KeyError):
        return _MISSING
    return result if len(result) <= LIMITS["string"] else _TOO_BIG


def _compare(operator: str, left: Any, right: Any) -> bool | None:
    """``left OP right`` for known values (None: not known)."""
    if operator in ("Is", "IsNot"):
        if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                return None
            same = left is right
        elif _plain(left) or _plain(right) or isinstance(left, Unknown) or \
                isinstance(right, Unknown):
            return None
        else:
            same = left is right
        return same if operator == "Is" else not same
    if not (_plain(left) and _plain(right)):
        return None
    import operator as op

    compare: dict[str, Callable[[Any, Any], Any]] = {
        "Equal": op.eq, "NotEqual": op.ne, "LessThan": op.lt, "GreaterThan": op.gt,
        "LessThanEqual": op.le, "GreaterThanEqual": op.ge,
        "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b,
    }
    if operator not in compare:
        return None
    try:
        return bool(compare[operator](left, right))
    except TypeError:
        return None


_FIELD = re.compile(r"^\w*$")


def _str_format(template: str, positional: list[Any], keywords: dict[str, Any]) -> Any:
    """``template.format(...)``: plain fields only (no attribute or index), widths capped."""
    import string

    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return _MISSING
    for _, name, spec, _ in fields:
        if name is None:
            continue
        if not _FIELD.match(name) or (spec and "{" in spec):
            return _MISSING
        if spec and any(int(number) > WIDTH for number in _WIDTH.findall(spec)):
            return _TOO_BIG
    values = (*positional, *keywords.values())
    if not all(isinstance(v, (*_PLAIN_SCALARS, PurePath)) for v in values):
        return _MISSING
    result = template.format(*positional, **keywords)
    return result if len(result) <= LIMITS["string"] else _TOO_BIG


def _call_builtin(name: str, bound: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """A builtin, a stdlib function or a method of a known value, computed
    (_MISSING: not computed; _TOO_BIG: too large)."""
    items = LIMITS["items"]
    if name.startswith("str."):
        return _str_method(name[4:], bound, args, kwargs)
    if name.startswith("list."):
        method = name[5:]
        if method in ("append", "insert") and len(bound) >= items:
            return _TOO_BIG
        if method == "extend" and isinstance(args[0], list | tuple) and \
                len(bound) + len(args[0]) > items:
            return _TOO_BIG
        if method in ("index", "count") and not (_plain(bound) and _plain(args)):
            return _MISSING  # comparing objects (and an error message repr-ing them)
        return getattr(bound, method)(*args, **kwargs)
    if name.startswith("dict."):
        method = name[5:]
        if method in ("items", "keys", "values"):
            return list(getattr(bound, method)()) if method != "items" else \
                [tuple(pair) for pair in bound.items()]
        if not all(_plain(a) or isinstance(a, dict) for a in args):
            return _MISSING
        return getattr(bound, method)(*args, **kwargs)
    if name.startswith("path."):
        method = name[5:]
        if method in _FS_METHODS:
            return _MISSING
        if method in ("absolute", "resolve"):
            text = os.path.abspath(str(bound)) if method == "absolute" else \
                os.path.realpath(str(bound))
            return PurePath(text)
        if not all(isinstance(a, str | PurePath) for a in args):
            return _MISSING
        return getattr(bound, method)(*args)
    if name.startswith("pathlib."):
        if not all(isinstance(a, str | PurePath) for a in args) or kwargs:
            return _MISSING
        return PurePath(*args)
    if name.startswith("os.path."):
        if not all(isinstance(a, str | PurePath) for a in args) or kwargs:
            return _MISSING
        function = getattr(os.path, name[len("os.path."):])
        result = function(*args)
        return tuple(result) if isinstance(result, tuple) else result
    if name == "print":
        return None
    if name in ("str", "repr"):
        if not args:
            return ""
        if not _plain(args[0]) or kwargs:
            return _MISSING
        return str(args[0]) if name == "str" else repr(args[0])
    if name in ("int", "float", "bool"):
        if kwargs or len(args) > (2 if name == "int" else 1):
            return _MISSING
        if args and not isinstance(args[0], _PLAIN_SCALARS):
            return _MISSING
        if name == "int" and args and isinstance(args[0], str) and len(args[0]) > 100:
            return _TOO_BIG
        return {"int": int, "float": float, "bool": bool}[name](*args)
    if name == "range":
        if kwargs or not all(isinstance(a, int) for a in args):
            return _MISSING
        return range(*args)
    if name == "len":
        return len(args[0])
    if name in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "enumerate"):
        source = args[0] if args else []
        if isinstance(source, dict):
            source = list(source)
        if not isinstance(source, list | tuple | str | range | set | frozenset) or \
                len(source) > items or (name in ("set", "frozenset", "sorted")
                                        and not _plain(source)):
            return _MISSING
        if name == "sorted":
            return sorted(source, reverse=bool(kwargs.get("reverse", False)))
        if name == "reversed":
            return list(reversed(list(source)))
        if name == "enumerate":
            start = args[1] if len(args) > 1 else kwargs.get("start", 0)
            return [(start + i, item) for i, item in enumerate(source)] if isinstance(
                start, int) else _MISSING
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[name](source)
    if name == "dict":
        if len(args) > 1:
            return _MISSING
        base = args[0] if args else {}
        if isinstance(base, list | tuple):
            base = dict(base)
        if not isinstance(base, dict):
            return _MISSING
        return {**base, **kwargs}
    if name == "zip":
        if kwargs or not all(isinstance(a, list | tuple | str | range) for a in args):
            return _MISSING
        return [tuple(group) for group in zip(*args, strict=False)][:items]
    if name == "sum":
        numbers = args[0] if args else None
        if not isinstance(numbers, list | tuple | range) or len(args) > 1 or kwargs or \
                not all(isinstance(n, int | float) for n in numbers):
            return _MISSING
        return sum(numbers)
    if name in ("min", "max", "abs", "round"):
        if not _plain(args) or kwargs:
            return _MISSING
        if name == "min":
            return min(*args)
        if name == "max":
            return max(*args)
        return abs(*args) if name == "abs" else round(*args)
    return _MISSING


def _str_method(method: str, value: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    limit = LIMITS["string"]
    if method == "format":
        return _str_format(value, args, kwargs)
    if method == "join":
        parts = args[0] if args else None
        if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
            return _MISSING
        if sum(map(len, parts)) + len(value) * len(parts) > limit:
            return _TOO_BIG
        return value.join(parts)
    if method == "replace":
        if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
            return _MISSING
        old, new = args[0], args[1]
        count = value.count(old) if old else len(value) + 1
        if len(value) + count * (len(new) - len(old)) > limit:
            return _TOO_BIG
    if not all(isinstance(a, str | int) or a is None for a in args) or (
            kwargs and method not in ("split", "rsplit", "splitlines")):
        return _MISSING
    result = getattr(value, method)(*args, **kwargs)
    return list(result) if isinstance(result, list) else result


def _bind_method(function: _Function, instance: Any, cls: Any) -> Any:
    """A method reached from an instance, bound as Python binds it."""
    if function.binding == "staticmethod":
        return function
    return _BoundFunction(function, cls if function.binding == "classmethod" else instance)


def _yields(body: Any) -> bool:
    """Whether a function body yields (a generator: calling it runs nothing)."""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> bool:
            nonlocal found
            found = True
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    body.visit(_Finder())
    return found


def _assigned_names(body: Any) -> set[str]:
    """The names a block assigns (not inside nested functions or classes)."""
    names: set[str] = set()

    class _Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            names.update(_target_names(node.target))
            return True

        def visit_AugAssign(self, node: cst.AugAssign) -> bool:
            names.update(_target_names(node.target))
            return True

        def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
            names.update(_target_names(node.target))
            return True

        def visit_For(self, node: cst.For) -> bool:
            names.update(_target_names(node.target))
            return True

        def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
            names.update(_target_names(node.target))
            return True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    body.visit(_Finder())
    return names


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [name for element in target.elements for name in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []

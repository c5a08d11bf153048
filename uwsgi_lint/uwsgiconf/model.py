"""What the static reading of a uwsgiconf module produces: values, calls, emitted options.

``evaluate`` builds these, ``emit`` fills in what each call writes, ``checks`` judges the
calls, and ``readers/python.py`` turns the configurations into the INI text uWSGI gets.
Spans are positions in the ``.py`` file (1-based lines, columns in characters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Comment, Problem, Span


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that only running the file would give (a function's result, ``os.environ``,
    Django settings, an undecided branch): never guessed."""

    text: str  # the expression as written, on one line
    reason: str = ""  # "a function's result", "os.environ" ... (shown to the user)
    # the value with only its unknown parts written `<unknown: EXPR>`, when some are known
    # (`home=<unknown: os.environ["HOME"]>`)
    template: str = ""


def unknown_text(value: Unknown) -> str:
    """How an unknown value is written in the INI text uWSGI would get (and shown)."""
    return value.template or f"<unknown: {value.text}>"


@dataclass(frozen=True, slots=True)
class Obj:
    """An object of a uwsgiconf class built in the file: a socket, a cheaper algorithm, a
    ``MuleFarm`` ...; ``kind`` is its path in :mod:`uwsgi_lint.uwsgiconf.api`
    (``networking.sockets.http``, ``cheapening.algorithms.busyness``, ``MuleFarm``)."""

    kind: str
    args: tuple[Arg, ...]
    span: Span


# A resolved Python value: str, int, float, bool, None, list/tuple/dict of values, an
# Unknown, an Obj, or a section (the emitter's section object, for ``include(section)``).
Value = Any


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a call as written."""

    keyword: str | None  # None: positional; "**": a ``**mapping`` splat
    value: Value
    span: Span  # the whole argument, keyword included
    value_span: Span
    keyword_span: Span | None = None


@dataclass(slots=True)
class Call:
    """One call that builds or changes a section: a constructor (``path`` ``("Section",)``,
    ``("PythonSection",)``, ``("nice.Section",)``, ``("Broodlord",)`` ...), a section
    method (``("env",)``, ``("include",)``, ``("_set",)``), or a group method
    (``("workers", "set_basic_params")``; the shortcut ``section.workers(...)`` is
    ``("workers", "__call__")``).  The emitter fills in ``method``, ``bound`` and
    ``unknown``; ``checks`` reads them."""

    path: tuple[str, ...]
    args: tuple[Arg, ...]
    span: Span  # the whole call expression
    name_span: Span  # the name or attribute called
    condition: str | None = None  # the undecided ``if`` it sits under, as written
    node: Any = None  # the libcst ``Call`` node (for codemod fixes)
    method: Any = None  # api.MethodSpec, once bound (None: not a known method)
    bound: dict[str, Arg] = field(default_factory=dict)  # parameter name -> argument
    unknown: list[Arg] = field(default_factory=list)  # keywords the method does not take
    # what the method writes is not modelled (routing rules, alarms, metrics ...): nothing
    # is written for it, and the reader says so (UW609)
    not_modelled: bool = False


@dataclass(slots=True)
class Emission:
    """One ``key = value`` line uwsgiconf writes into a section."""

    key: str
    value: str | Unknown
    key_span: Span  # the keyword or method name that chose the option
    value_span: Span  # the argument that gave the value (the call when none did)
    span: Span  # the whole call or argument
    condition: str | None = None  # written only when this undecided ``if`` holds
    implicit: str = ""  # why it is written without being asked ("the nice preset's default" ...)


@dataclass(slots=True)
class CompiledSection:
    name: str
    span: Span  # the constructor (or derive_from) call
    emissions: list[Emission] = field(default_factory=list)


@dataclass(slots=True)
class CompiledConfiguration:
    alias: str
    sections: list[CompiledSection]
    span: Span


@dataclass(slots=True)
class ModuleFact:
    """Something about the module as a whole that ``checks`` judges: ``kind`` is
    ``configuration-attribute`` (sets ``configuration`` but not ``uwsgi_configuration``),
    ``section-assigned`` (``uwsgi_configuration = Section(...)``), ``callable-assigned``
    (``uwsgi_configuration = <function>``) or ``no-configuration`` (imports uwsgiconf,
    builds sections, but never hands one to uwsgiconf)."""

    kind: str
    span: Span
    node: Any = None


@dataclass(slots=True)
class Compiled:
    """The static reading of one ``.py`` file."""

    path: str
    is_uwsgiconf: bool  # the module imports uwsgiconf
    configurations: list[CompiledConfiguration] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    facts: list[ModuleFact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # syntax errors, constructs not followed
    comments: list[Comment] = field(default_factory=list)
    module: Any = None  # the libcst Module (None when the file does not parse)
    # configure_uwsgi() hands the configurations over at module level: what uWSGI reads
    # (`exec://python FILE --conf ALIAS`) is printed by it, with its own additions
    configured: bool = False

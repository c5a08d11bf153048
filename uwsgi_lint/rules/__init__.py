"""The rule registry.  One module per rule family; each rule declares its metadata and
what it looks at (its scope) beside its check, and the engine dispatches.

=====================  ==============================================================
scope                  the check runs
=====================  ==============================================================
``Entries(...)``       once per option entry that matches (by name, value kind or
                       handler): ``check(view, entry)``; dispatched from a dict built
                       once per catalog
``Files()``            once per file read, however many instances read it:
                       ``check(view, file)``
``Instances(needs)``   once per instance (that sets one of ``needs``): ``check(view)``
``Emperors()``         once per Emperor, with its vassals: ``check(emperor, vassals)``
``Deployment()``       once per run, with the View of every instance checked:
                       ``check(views)``; its findings go in whichever file they name
``Reader()``           never: the readers and the expander record these findings as
                       :class:`~uwsgi_lint.model.Problem`\\ s carrying the rule's code
``Report()``           never: made about the report (unused suppressions, internal
                       errors) by the engine's post-processing
=====================  ==============================================================

A check yields :class:`~uwsgi_lint.diagnostics.Finding`\\ s; the engine adds code, name and
severity.  Its page under ``rules/`` (repository root) holds the documentation and the
examples that its tests run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from ..diagnostics import Diagnostic, Finding, Related, Severity
from ..model import Fix, Span


@dataclass(frozen=True, slots=True)
class Entries:
    """Once per option entry whose name (aliases included), value kind or handler is
    listed; no filter at all: every entry.  ``unique``: once per source position
    (:meth:`uwsgi_lint.facts.View.unique`) rather than once per entry uWSGI applies."""

    names: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    handlers: frozenset[str] = frozenset()
    unique: bool = False

    @property
    def every(self) -> bool:
        return not (self.names or self.kinds or self.handlers)


@dataclass(frozen=True, slots=True)
class Files:
    """Once per file read."""


@dataclass(frozen=True, slots=True)
class Instances:
    """Once per instance; with ``needs``, only for instances that set one of those
    options (aliases included)."""

    needs: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Emperors:
    """Once per Emperor, with the Views of the vassals it starts."""


@dataclass(frozen=True, slots=True)
class Deployment:
    """Once per run, with the Views of every instance: facts between instances (two that
    bind one socket, one vassal file started twice)."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Findings the readers and the expander record as problems with this rule's code;
    ``once_per_file``: only the first of each file."""

    once_per_file: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """Findings about the report, made by the engine's post-processing."""


Scope = Entries | Files | Instances | Emperors | Deployment | Reader | Report

#: The rule sets.  ``default``: on without any settings; what uWSGI ignores, misreads,
#: refuses, crashes on or exposes, in the deployment as the tree shows it.  The others are
#: opt-in, selected by name like a code prefix (``extend-select = ["hardening"]``):
#: ``hardening``, security advice whose truth depends on how the file is deployed when the
#: tree does not say; ``pedantic``, style and portability advice.
GROUPS = ("default", "hardening", "pedantic")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fix: str  # "none", "safe" or "unsafe"
    scope: Scope
    check: Callable[..., Iterable[Finding]] | None = None
    group: str = "default"  # one of GROUPS

    def diagnostic(
        self, span: Span, message: str, related: tuple[Related, ...] = (), detail: str = "",
        fix: Fix | None = None,
    ) -> Diagnostic:
        return Diagnostic(self.code, self.name, self.severity, message, span, related, detail,
                          fix)

    def made(self, finding: Finding) -> Diagnostic:
        """The diagnostic of one of this rule's findings (through :meth:`diagnostic`, the
        one way a diagnostic is made)."""
        return self.diagnostic(finding.span, finding.message, finding.related, finding.detail,
                               finding.fix)


_REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, summary: str, *, on: Scope, fix: str = "none",
    group: str = "default",
) -> Callable[[Callable[..., Iterator[Finding]]], Rule]:
    """Declare a rule: ``@rule("UW101", "unknown-option", ..., on=Entries()) def check(...)``."""

    def register(func: Callable[..., Iterator[Finding]]) -> Rule:
        return declare(code, name, severity, summary, on=on, fix=fix, check=func, group=group)

    return register


def declare(
    code: str, name: str, severity: Severity, summary: str, *, on: Scope,
    fix: str = "none", check: Callable[..., Iterable[Finding]] | None = None,
    group: str = "default",
) -> Rule:
    """Declare a rule that has no check of its own (``Reader()`` or ``Report()``)."""
    assert group in GROUPS, group
    r = Rule(code, name, severity, summary, fix, on, check, group)
    _REGISTRY[code] = r
    return r


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule: each module of this package declares one or more."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.code))


def by_code() -> dict[str, Rule]:
    return {r.code: r for r in all_rules()}


"""The rule registry.  One module per rule; each declares its metadata beside its check.

A rule is a function over one :class:`~uwsgi_lint.expand.Instance` that yields
diagnostics.  Its page under ``rules/`` (repository root) holds the documentation and the
examples that its tests run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from ..catalog import Catalog
from ..diagnostics import Diagnostic, Related, Severity
from ..expand import Assumptions, Instance
from ..model import Span


@dataclass(frozen=True, slots=True)
class RuleContext:
    catalog: Catalog
    assume: Assumptions


Check = Callable[[Instance, RuleContext], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fix: str  # "none", "safe" or "unsafe"
    check: Check

    def diagnostic(self, span: Span, message: str, related: tuple[Related, ...] = ()) -> Diagnostic:
        return Diagnostic(self.code, self.name, self.severity, message, span, related)


_REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, summary: str, fix: str = "none"
) -> Callable[[Callable[[Rule, Instance, RuleContext], Iterator[Diagnostic]]], Rule]:
    """Declare a rule: ``@rule("UW101", "unknown-option", ...) def check(self, inst, ctx)``."""

    def register(func: Callable[[Rule, Instance, RuleContext], Iterator[Diagnostic]]) -> Rule:
        holder: list[Rule] = []
        r = Rule(code, name, severity, summary, fix, lambda i, c: func(holder[0], i, c))
        holder.append(r)
        _REGISTRY[code] = r
        return r

    return register


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule: each module of this package declares one or more."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.code))

"""UW002, UW003: a config file whose section uWSGI does not find, and the byte order mark
that hides it.  Also the helper that turns what the readers record into diagnostics.

The format readers (``uwsgi_lint/readers``) see what uWSGI drops or ignores while it reads
a file; they record it as a :class:`~uwsgi_lint.model.Problem` whose code is the code of
the rule that reports it (``ConfigFile.stopped`` for a reader that stops early).  Such a
rule yields the problems of the instance's files that carry its code.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from ..model import Problem
from . import Rule, RuleContext, rule


def reader_problems(inst: Instance, code: str) -> Iterator[Problem]:
    """The problems the readers recorded with ``code`` in the files of ``inst``, each once
    (a file read twice, for two sections or by two includes, records them twice)."""
    seen: set[tuple[object, str]] = set()
    stops = [f.stopped for f in inst.files if f.stopped is not None]
    for problem in [*inst.problems, *stops]:
        if problem.code != code or (problem.span, problem.message) in seen:
            continue
        seen.add((problem.span, problem.message))
        yield problem


def reader_findings(rule: Rule, inst: Instance) -> Iterator[Diagnostic]:
    """The diagnostics of a rule whose findings the readers record."""
    for problem in reader_problems(inst, rule.code):
        yield rule.diagnostic(problem.span, problem.message)


@rule(
    "UW002",
    "section-not-found",
    Severity.ERROR,
    "The file has no section uWSGI is asked for (`[uwsgi]`, `uwsgi:`), so it reads nothing.",
)
def section_not_found(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from reader_findings(self, inst)


@rule(
    "UW003",
    "byte-order-mark",
    Severity.ERROR,
    "A UTF-8 byte order mark glued to the first header or key hides the section from uWSGI.",
)
def byte_order_mark(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from reader_findings(self, inst)

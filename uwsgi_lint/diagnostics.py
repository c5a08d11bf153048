"""What a rule reports.

A message is untrusted text (it quotes values, names and paths of the configs): it is
cleaned when the finding is made (``untrusted.clean``: secrets masked, control characters
escaped, length capped), so that no rule and no output format can print it raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .model import Fix, Span
from .untrusted import clean


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a finding (the include that pulled a file in ...)."""

    message: str
    span: Span

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clean(self.message))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str  # one line, under about 160 characters: what uWSGI does, what to write
    span: Span
    related: tuple[Related, ...] = ()
    detail: str = ""  # the longer explanation (``--format full``, JSON, SARIF)
    fix: Fix | None = None  # applied by ``--fix`` (:mod:`uwsgi_lint.fix`)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clean(self.message))
        if self.detail:
            object.__setattr__(self, "detail", clean(self.detail))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start.line, self.span.start.column, self.code)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule yields: where, what, and the places that explain it; the engine adds
    the rule's code, name and severity (:meth:`uwsgi_lint.rules.Rule.diagnostic`), and
    ``fix`` its automatic fix, if it has one (the rule's ``fix`` says which kind)."""

    span: Span
    message: str
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    detail: str = ""

"""UW024: bytes that are not UTF-8 in an INI or YAML config."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from ..readers import INVALID_UTF8
from . import Rule, RuleContext, rule


@rule(
    INVALID_UTF8,
    "invalid-utf8",
    Severity.INFO,
    "Bytes that are not UTF-8: uWSGI passes them through, editors and tools may not.",
)
def check(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for cfg in inst.files:
        for p in cfg.problems:
            if p.code == self.code and cfg.path not in seen:
                seen.add(cfg.path)
                yield self.diagnostic(p.span, p.message)

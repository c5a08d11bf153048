"""UW004-UW006: INI text that uWSGI's INI reader reads otherwise than it looks.

The INI reader records each of them (``uwsgi_lint/readers/ini.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from . import Rule, RuleContext, rule
from .format_sections import reader_findings


@rule(
    "UW004",
    "ini-header-misread",
    Severity.ERROR,
    "A section header that uWSGI reads under another name (`[uwsgi`, `[ uwsgi ]`, "
    "`[uwsgi] ; comment`): the keys under it are ignored.",
)
def header_misread(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from reader_findings(self, inst)


@rule(
    "UW005",
    "ini-keys-before-section",
    Severity.ERROR,
    "Keys above the first section header belong to no section: uWSGI ignores them.",
)
def keys_before_section(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from reader_findings(self, inst)


@rule(
    "UW006",
    "ini-backslash-continuation",
    Severity.WARNING,
    "A value ending in `\\`: uWSGI has no line continuation, the next line is a key of its own.",
)
def backslash(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from reader_findings(self, inst)

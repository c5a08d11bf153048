"""``--format full``: each finding, the source line it points at with ``^`` under the
span, then the places that explain it (the include chain)."""

from __future__ import annotations

from textwrap import wrap

from ..diagnostics import Diagnostic
from ..report import Report
from ..untrusted import clean, source_line
from . import display_path
from .source import line_text
from .style import CARET, DIM, Style
from .text import headline, summary

TAB = 8
WIDTH = 90  # the detail paragraph's wrapping width


def snippet(d: Diagnostic, style: Style) -> list[str]:
    """The source line of ``d`` (read through ``fs.read_regular``; secrets masked, control
    characters escaped, a long line cut around the span) with ``^`` under the span."""
    s, e = d.span.start, d.span.end
    text = line_text(d.span.file, s.line)
    if text is None:
        return []
    end = e.column - 1 if e.line == s.line else len(text)
    shown, col, width = source_line(text, s.column - 1, end, tab=TAB)
    gutter = " " * len(str(s.line))
    return [
        f" {style(str(s.line), DIM)} {style('|', DIM)} {shown}".rstrip(),
        f" {gutter} {style('|', DIM)} {' ' * col}{style('^' * width, CARET)}",
    ]


def render(report: Report, color: bool = False) -> str:
    style = Style(color)
    lines: list[str] = []
    for d in report.diagnostics:
        lines.append(headline(d, style, report.url(d.code, d.name), report.fixable(d)))
        lines.extend(snippet(d, style))
        for r in d.related:
            pos = r.span.start
            lines.append(f"  = {display_path(r.span.file)}:{pos.line}:{pos.column}: {r.message}")
        if d.detail:
            lines.extend(f"  {row}".rstrip() for row in wrap(
                d.detail, WIDTH, break_long_words=False, break_on_hyphens=False))
        if d.fix is not None:
            lines.append(f"  fix ({d.fix.applicability.value}): {clean(d.fix.message)}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"

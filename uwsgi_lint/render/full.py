"""``--format full``: each finding, the source line it points at with ``^`` under the
span, then the places that explain it (the include chain)."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..engine import Report
from . import display_path
from .source import line_text
from .style import CARET, DIM, Style
from .text import headline, summary

TAB = 8


def _shown(text: str) -> str:
    """A source line as displayed: tabs expanded, control characters and undecodable
    bytes each shown as one replacement character (so columns stay aligned)."""
    out = []
    for c in text.expandtabs(TAB):
        if c < " " or c == "\x7f" or "\ud800" <= c <= "\udfff":
            out.append("\ufffd")
        else:
            out.append(c)
    return "".join(out)


def snippet(d: Diagnostic, style: Style) -> list[str]:
    s, e = d.span.start, d.span.end
    text = line_text(d.span.file, s.line)
    if text is None:
        return []
    start = min(max(s.column - 1, 0), len(text))
    end = e.column - 1 if e.line == s.line else len(text)
    end = min(max(end, start), len(text))
    col = len(text[:start].expandtabs(TAB))
    width = max(len(text[:end].expandtabs(TAB)) - col, 1)
    gutter = " " * len(str(s.line))
    return [
        f" {style(str(s.line), DIM)} {style('|', DIM)} {_shown(text)}".rstrip(),
        f" {gutter} {style('|', DIM)} {' ' * col}{style('^' * width, CARET)}",
    ]


def render(report: Report, color: bool = False) -> str:
    style = Style(color)
    lines: list[str] = []
    for d in report.diagnostics:
        lines.append(headline(d, style))
        lines.extend(snippet(d, style))
        for r in d.related:
            pos = r.span.start
            lines.append(f"  = {display_path(r.span.file)}:{pos.line}:{pos.column}: {r.message}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"

"""The default output: one finding a line, then a summary."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..report import Report
from . import display_path
from .style import BOLD, DIM, SEVERITY, Style


def headline(
    d: Diagnostic, style: Style, url: str | None = None, fixable: bool = False
) -> str:
    """``path:line:column: CODE [*] [name] severity: message``; ``[*]`` (as in ruff) when
    ``--fix`` would fix it; with ``url`` (the rule's page) the code links to it on a
    terminal (nothing is added to plain output, as in ruff)."""
    start = d.span.start
    where = style(f"{display_path(d.span.file)}:{start.line}:{start.column}:", BOLD)
    sev = SEVERITY[d.severity]
    mark = f" {style('[*]', BOLD)}" if fixable else ""
    return (f"{where} {style.link(style(d.code, sev), url)}{mark} {style(f'[{d.name}]', DIM)} "
            f"{style(d.severity.value, sev)}: {d.message}")


def summary(report: Report) -> str:
    n = len(report.diagnostics)
    files = len(report.files)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if n:
        with_findings = len({d.span.file for d in report.diagnostics})
        return (
            f"Found {n} problem{'s' if n != 1 else ''} in {with_findings} "
            f"file{'s' if with_findings != 1 else ''} ({checked}).{_fixable(report)}"
        )
    return f"All checks passed ({checked})."


def _fixable(report: Report) -> str:
    """`` [*] N fixable with --fix (M more with --unsafe-fixes).``, or nothing."""
    now = sum(report.fixable(d) for d in report.diagnostics)
    hidden = sum(d.fix is not None for d in report.diagnostics) - now
    if not now:
        return f" {hidden} fixable with --fix --unsafe-fixes." if hidden else ""
    more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
    return f" [*] {now} fixable with --fix{more}."


def render(report: Report, color: bool = False) -> str:
    style = Style(color)
    lines = []
    for d in report.diagnostics:
        lines.append(headline(d, style, report.url(d.code, d.name), report.fixable(d)))
        for r in d.related:
            pos = r.span.start
            lines.append(f"    {display_path(r.span.file)}:{pos.line}:{pos.column}: {r.message}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"

"""The default output: one finding a line, then a summary."""

from __future__ import annotations

from ..engine import Report
from . import display_path


def render(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        start = d.span.start
        lines.append(
            f"{display_path(d.span.file)}:{start.line}:{start.column}: "
            f"{d.code} [{d.name}] {d.message}"
        )
        for r in d.related:
            pos = r.span.start
            lines.append(f"    {display_path(r.span.file)}:{pos.line}:{pos.column}: {r.message}")
    n = len(report.diagnostics)
    files = len(report.files)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if n:
        with_findings = len({d.span.file for d in report.diagnostics})
        lines.append(
            f"Found {n} problem{'s' if n != 1 else ''} in {with_findings} "
            f"file{'s' if with_findings != 1 else ''} ({checked})."
        )
    else:
        lines.append(f"All checks passed ({checked}).")
    return "\n".join(lines) + "\n"

"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

Chosen by default when ``GITHUB_ACTIONS=true``.  Paths are relative to the working
directory (the workspace in a workflow)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from ..report import Report
from . import display_path

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    s, e = d.span.start, d.span.end
    props = [f"file={escape_property(display_path(d.span.file))}", f"line={s.line}",
             f"col={s.column}"]
    if (e.line, e.column) > (s.line, s.column):
        props += [f"endLine={e.line}", f"endColumn={e.column}"]
    props.append(f"title={escape_property(f'{d.code} {d.name}')}")
    message = f"{d.message}\n{d.detail}" if d.detail else d.message
    for r in d.related:
        p = r.span.start
        message += f"\n{display_path(r.span.file)}:{p.line}:{p.column}: {r.message}"
    return f"::{COMMAND[d.severity]} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    return "".join(annotation(d) + "\n" for d in report.diagnostics)

"""``--format junit``: one test suite, a test case per file checked, a failure per finding."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from ..diagnostics import Diagnostic
from ..report import Report
from . import display_path

_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: control characters and lone surrogates become U+FFFD."""
    return _INVALID.sub("\ufffd", text)


def _failure(d: Diagnostic) -> str:
    s = d.span.start
    lines = [f"{display_path(d.span.file)}:{s.line}:{s.column}: {d.code} [{d.name}] {d.message}"]
    for r in d.related:
        p = r.span.start
        lines.append(f"    {display_path(r.span.file)}:{p.line}:{p.column}: {r.message}")
    if d.detail:
        lines.append(d.detail)
    return (
        f"      <failure message={quoteattr(_clean(f'{d.code} [{d.name}] {d.message}'))} "
        f"type={quoteattr(d.code)}>{escape(_clean(chr(10).join(lines)))}</failure>"
    )


def render(report: Report) -> str:
    by_file: dict[str, list[Diagnostic]] = {display_path(f): [] for f in report.files}
    for d in report.diagnostics:
        by_file.setdefault(display_path(d.span.file), []).append(d)
    failing = sum(1 for found in by_file.values() if found)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<testsuites>",
        f'  <testsuite name="uwsgi-lint" tests="{len(by_file)}" '
        f'failures="{failing}" errors="{len(report.errors)}">',
    ]
    for path in sorted(by_file):
        found = by_file[path]
        case = f"    <testcase name={quoteattr(_clean(path))} classname=\"uwsgi-lint\""
        if not found:
            out.append(case + "/>")
            continue
        out.append(case + ">")
        out.extend(_failure(d) for d in found)
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"

"""``--format gitlab``: a GitLab Code Quality report (a JSON array of issues)."""

from __future__ import annotations

import json
from typing import Any

from ..diagnostics import Severity
from ..report import Report
from ..untrusted import clean
from .source import fingerprints, repo_path

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def document(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "description": f"{d.code} [{d.name}] {d.message}",
            "check_name": d.code,
            "fingerprint": fp,
            "severity": SEVERITY[d.severity],
            "location": {
                "path": clean(repo_path(d.span.file), None),
                "lines": {
                    "begin": d.span.start.line,
                    "end": max(d.span.end.line, d.span.start.line),
                },
            },
        }
        for d, fp in zip(report.diagnostics, fingerprints(report.diagnostics), strict=True)
    ]


def render(report: Report) -> str:
    text = json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")

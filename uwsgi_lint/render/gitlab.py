"""``--format gitlab``: a GitLab Code Quality report (a JSON array of issues).

GitLab reads ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location``; it has no field for a link, so the rule's page (``docs_url``) ends the
description, in parentheses.  Paths follow symlinks as in SARIF (``source.repo_path``)."""

from __future__ import annotations

import json
from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..report import Report
from ..untrusted import clean
from .source import fingerprints, repo_path

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _description(report: Report, d: Diagnostic) -> str:
    url = report.url(d.code, d.name)
    return f"{d.code} [{d.name}] {d.message}" + (f" ({url})" if url else "")


def document(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "description": _description(report, d),
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

"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Paths are relative to the git work tree of the working directory (else to the working
directory) under ``uriBaseId: %SRCROOT%``; a file outside it gets an absolute ``file://``
URI.  Each rule carries its page (``rules/UWnnn.md``) as help text and markdown.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..diagnostics import Severity
from ..model import Span
from ..report import Report
from ..rules import Rule, all_rules
from ..untrusted import clean
from . import pages
from .source import file_uri, fingerprints, project_root, relative, uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "uwsgiLint/v1"


def _rule(r: Rule) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"tags": [r.severity.value], "fix": r.fix},
    }
    text = pages.page(r.code)
    if text:
        what = pages.plain(pages.section(text, "What it does"))
        why = pages.plain(pages.section(text, "Why is this bad?"))
        if what:
            entry["fullDescription"] = {"text": what}
        entry["help"] = {
            "text": "\n\n".join(p for p in (what, why) if p) or r.summary,
            "markdown": pages.body(text),
        }
    return entry


def _location(span: Span, message: str | None = None) -> dict[str, Any]:
    rel = relative(span.file)
    artifact = (
        {"uri": uri(rel), "uriBaseId": "%SRCROOT%"} if rel is not None
        else {"uri": file_uri(span.file)}
    )
    start_line, start_col = max(span.start.line, 1), max(span.start.column, 1)
    region: dict[str, int] = {"startLine": start_line, "startColumn": start_col}
    end_line, end_col = span.end.line, span.end.column
    if (end_line, end_col) > (start_line, start_col) and end_col >= 1:
        region["endLine"] = end_line
        region["endColumn"] = end_col
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact, "region": region}}
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def document(report: Report) -> dict[str, Any]:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d, fp in zip(report.diagnostics, fingerprints(report.diagnostics), strict=True):
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": LEVEL[d.severity],
            "message": {"text": f"{d.message}\n\n{d.detail}" if d.detail else d.message},
            "locations": [_location(d.span)],
            "partialFingerprints": {FINGERPRINT: fp},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_location(r.span, r.message)} for i, r in enumerate(d.related, 1)
            ]
        results.append(result)
    root = file_uri(project_root())
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "uwsgi-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.rstrip("/") + "/"}},
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": clean(e)}}
                            for e in report.errors
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    text = json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")

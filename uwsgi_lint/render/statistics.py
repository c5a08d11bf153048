"""``--statistics``: how many findings each rule made, most first."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ..report import Report


def counts(report: Report) -> list[dict[str, Any]]:
    n = Counter(d.code for d in report.diagnostics)
    meta = {d.code: d for d in report.diagnostics}
    return [
        {"code": c, "name": meta[c].name, "severity": meta[c].severity.value, "count": k}
        for c, k in sorted(n.items(), key=lambda item: (-item[1], item[0]))
    ]


def render_text(report: Report) -> str:
    rows = counts(report)
    if not rows:
        return ""
    cw = max(len(str(r["count"])) for r in rows)
    nw = max(len(r["name"]) for r in rows)
    return "".join(
        f"{r['count']:>{cw}}  {r['code']}  {r['name']:<{nw}}  {r['severity']}\n" for r in rows
    )


def render_json(report: Report) -> str:
    return json.dumps(counts(report), indent=2) + "\n"

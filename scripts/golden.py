"""Every finding of the bundled example and the third-party corpus, one line each.

    python scripts/golden.py > before.txt   # ... change the code ...
    python scripts/golden.py > after.txt && diff before.txt after.txt

Each run lints one tree as the CLI would (the example; each corpus format directory; each
Emperor set), with no settings, and prints ``tree code file:line:col message`` sorted, so
that a change of behaviour shows as a diff (the check asked for by issues 11 and 12).
"""

from __future__ import annotations

import os
from pathlib import Path

from uwsgi_lint.engine import lint

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def trees() -> list[Path]:
    out = [ROOT / "examples"]
    if CORPUS.is_dir():
        out += sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name != "emperor-sets")
        out += sorted((CORPUS / "emperor-sets").iterdir())
    return out


def main() -> None:
    for tree in trees():
        report = lint([str(tree)], isolated=True)
        name = os.path.relpath(tree, ROOT.parent)
        for d in report.diagnostics:
            rel = os.path.relpath(d.span.file, tree)
            print(f"{name} {d.code} {rel}:{d.span.start.line}:{d.span.start.column} {d.message}")


if __name__ == "__main__":
    main()

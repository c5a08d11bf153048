"""Summaries of uwsgi-lint over the third-party corpus in ../shared/corpus.

    python scripts/corpus_report.py rules          # findings per rule, over every corpus file
    python scripts/corpus_report.py emperor-sets   # each Emperor set: Emperor, vassals, includes

Prints Markdown tables (for closing notes and reviews).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

from uwsgi_lint.engine import lint, targets
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.tree import assemble

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def rules_table() -> None:
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file()
                   and p.name not in ("PROVENANCE.tsv", "README.md"))
    report = lint(files)
    per_rule: collections.Counter[str] = collections.Counter()
    per_file: dict[str, set[str]] = collections.defaultdict(set)
    for d in report.diagnostics:
        key = f"{d.code} {d.name}"
        per_rule[key] += 1
        per_file[key].add(d.span.file)
    print("| rule | findings | files |\n|---|---|---|")
    for key, n in sorted(per_rule.items()):
        print(f"| {key} | {n} | {len(per_file[key])} |")
    print(f"\n{len(report.diagnostics)} findings, {len(report.files)} files, "
          f"{len(report.errors)} internal errors")


def emperor_sets_table() -> None:
    print("| set | Emperor(s) | vassals attached | includes read | includes not read | findings |")
    print("|---|---|---|---|---|---|")
    for root in sorted((CORPUS / "emperor-sets").iterdir()):
        named = targets([str(root)])
        files, explicit = named.files, named.explicit
        instances = assemble(files, Assumptions(), explicit=explicit)
        emperors = [i for i in instances if i.role == "emperor"]
        vassals = sum(len(e.vassals) for e in emperors)
        read = sum(len(i.files) - 1 for i in instances)
        unread = sum(len(i.unread) for i in instances)
        findings = len(lint([str(root)]).diagnostics)
        names = ", ".join(os.path.relpath(e.root.path, root) for e in emperors) or "none"
        print(f"| {root.name} | {names} | {vassals} | {read} | {unread} | {findings} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("rules", "emperor-sets"))
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")
    rules_table() if args.what == "rules" else emperor_sets_table()


if __name__ == "__main__":
    main()

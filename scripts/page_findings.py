"""Write or check the ``findings`` blocks of the rule pages (``rules/UWnnn.md``).

    python scripts/page_findings.py --check            # exit 1 when a block is stale
    python scripts/page_findings.py --update           # rewrite them from the linter
    python scripts/page_findings.py --update UW401     # only these pages

After each example of a page (a fenced block, or the last block of a ``path=`` tree) a
``findings`` block lists every finding of the rule under test in that case, linted with
that rule only: ``CODE path:line:column``, the path relative to the case (``example.ini``
for a single block), sorted.  Under ``## Use instead`` the block is empty: the rule reports
nothing there.  ``--update`` inserts missing blocks and replaces the others; nothing else
on the page changes.  Read the diff: a bad example's finding should sit where the page's
prose says.  Cases that set file owners (``owner=``) run as root only: otherwise their
blocks are left as they are.  The parser and the linting are those of
``tests/test_rule_pages.py``, which checks the same blocks.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_rule_pages import (  # noqa: E402
    FINDINGS,
    HEADINGS,
    NO_CONFIG_EXAMPLE,
    PAGES,
    Case,
    findings,
    lay_out,
    parse,
)
from uwsgi_lint.rules import Rule, all_rules  # noqa: E402


def block(lines: list[str]) -> str:
    return f"```{FINDINGS}\n" + "".join(line + "\n" for line in lines) + "```"


def updated(rule: Rule, text: str, scratch: Path) -> tuple[str, list[str]]:
    """The page ``text`` with every findings block as the linter says now, and the labels
    of the cases left as they were (owners, not root)."""
    edits: list[tuple[int, int, str]] = []  # (start, end, new text)
    kept: list[str] = []
    for heading in HEADINGS:
        if heading == "## Example" and rule.code in NO_CONFIG_EXAMPLE:
            continue
        cases: list[Case] = parse(text, heading)
        for i, case in enumerate(cases):
            where = scratch / rule.code / f"{heading[3:].replace(' ', '-')}{i}"
            if not lay_out(case, where):
                kept.append(case.label)
                continue
            new = block(findings(rule, case, where))
            if case.block is None:
                edits.append((case.end, case.end, "\n\n" + new))
            else:
                edits.append((*case.block, new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, kept


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 when a block is stale")
    mode.add_argument("--update", action="store_true", help="rewrite the blocks")
    p.add_argument("codes", nargs="*", metavar="CODE", help="only these pages")
    args = p.parse_args(argv)
    rules = [r for r in all_rules() if not args.codes or r.code in args.codes]
    unknown = set(args.codes) - {r.code for r in rules}
    if unknown:
        p.error(f"no such rule: {', '.join(sorted(unknown))}")
    stale = 0
    with tempfile.TemporaryDirectory(prefix="page-findings-") as scratch:
        for rule in rules:
            path = PAGES / f"{rule.code}.md"
            text = path.read_text(encoding="utf-8")
            new, kept = updated(rule, text, Path(scratch))
            for label in kept:
                print(f"{path.relative_to(ROOT)}: {label} sets owners: run as root to "
                      "check it; left as it is", file=sys.stderr)
            if new == text:
                continue
            stale += 1
            if args.update:
                path.write_text(new, encoding="utf-8")
                print(f"updated {path.relative_to(ROOT)}")
            else:
                name = str(path.relative_to(ROOT))
                sys.stdout.writelines(difflib.unified_diff(
                    text.splitlines(keepends=True), new.splitlines(keepends=True),
                    name, name + " (linter now)"))
    if args.check and stale:
        print(f"{stale} page(s) with stale findings blocks: run "
              "python scripts/page_findings.py --update", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What ``--fix --unsafe-fixes`` does over the rule page examples, the bundled examples and
the third-party corpus (../shared/corpus), checked as ``tests/test_fix_corpus.py`` checks
it, against the real uWSGI when its oracle is built.

    python scripts/fix_report.py              # Markdown tables: per rule, then each contradiction
    python scripts/fix_report.py --no-oracle  # checks (a) to (d) only

A contradiction of a config whose fixes come from several rules is run again with each
rule's fixes alone (``--fixable CODE``) to name the rule it belongs to.  Those the test lists
as what the fix is for (``EXPECTED``) say why; exit status 1 when another one is left.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS, ORACLE_BIN  # noqa: E402
from tests.test_fix_corpus import (  # noqa: E402
    Problem,
    Trial,
    check,
    corpus_targets,
    example_targets,
    page_targets,
    why_expected,
)
from uwsgi_lint.rules import all_rules  # noqa: E402
from uwsgi_lint.untrusted import clean  # noqa: E402

SOURCES = {"pages": page_targets, "examples": example_targets, "corpus": corpus_targets}


def cell(text: str) -> str:
    return clean(text, None).replace("|", "\\|")


def isolated(trial: Trial, top: Path, oracle: bool) -> list[tuple[str, Problem]]:
    """The problems of a trial, each under the rule whose fixes alone give it (all its
    rules when none alone does)."""
    if len(trial.rules) == 1:
        return [(trial.rules[0], p) for p in trial.problems]
    out = []
    for i, code in enumerate(trial.rules):
        alone = replace(trial.target, options=(*trial.target.options, "--fixable", code))
        for t in check([alone], top / f"alone{i}", oracle=oracle):
            out += [(code, p) for p in t.problems]
    return out or [("+".join(trial.rules), p) for p in trial.problems]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-oracle", action="store_true", help="skip check (e)")
    args = ap.parse_args()
    oracle = not args.no_oracle and ORACLE_BIN.exists()
    sources = dict(SOURCES)
    if not CORPUS.is_dir():
        del sources["corpus"]
    fixed: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    files: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    rows: list[tuple[str, str, Problem]] = []
    top = Path(tempfile.mkdtemp(prefix="uwl-fix-"))
    began = time.monotonic()
    try:
        for source, targets in sources.items():
            for i, trial in enumerate(check(targets(), top / source, oracle=oracle)):
                for code, n in trial.applied.items():
                    fixed[source][code] += n
                    files[source][code] += 1
                if trial.problems:
                    rows += [(trial.target.label, code, p)
                             for code, p in isolated(trial, top / f"{source}-{i}", oracle)]
    finally:
        shutil.rmtree(top)
    print("| rule | fix | page examples: findings fixed | examples | corpus: findings fixed "
          "(files) | contradictions (expected) |\n|---|---|---|---|---|---|")
    against: collections.Counter[str] = collections.Counter()
    meant: collections.Counter[str] = collections.Counter()
    for label, code, p in rows:
        (meant if why_expected(label, p) else against)[code] += 1
    for rule in all_rules():
        if rule.fix == "none" and not any(rule.code in c for c in fixed.values()):
            continue
        corpus = (f"{fixed['corpus'][rule.code]} ({files['corpus'][rule.code]})"
                  if "corpus" in sources else "absent")
        print(f"| {rule.code} {rule.name} | {rule.fix} | {fixed['pages'][rule.code]} | "
              f"{fixed['examples'][rule.code]} | {corpus} | {against[rule.code]} "
              f"({meant[rule.code]}) |")
    print(f"\nChecks (a) to (d){' and (e), the real uWSGI,' if oracle else ''} over "
          f"{', '.join(sources)}; {time.monotonic() - began:.0f} s.\n")
    if not rows:
        print("No contradiction.")
        return 0
    print("| config | rule | check | file | what differed | expected: why |\n"
          "|---|---|---|---|---|---|")
    for label, code, p in rows:
        print(f"| {cell(label)} | {code} | {p.check} | {cell(p.file)} | {cell(p.detail)} | "
              f"{cell(why_expected(label, p))} |")
    return 1 if sum(against.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

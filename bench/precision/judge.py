#!/usr/bin/env python3
"""Precision of uwsgi-lint on real configs nobody here wrote, judged by hand.

Every repository under ``repos/`` is copied into a fresh git work tree of its own and
linted from its root, as a user would in CI (``uwsgi-lint --format json .``): once with
the default selection, once with every rule (a settings file with ``select = ["all"]``).
Each finding is matched against ``judgements.tsv`` by (repo, file, line, code) and the
script prints, per rule, how many findings were judged real, wrong or noise, the
precision (real / judged), the totals of the default selection, the findings nobody has
judged yet (paste them into ``judgements.tsv`` and fill in the verdict), and the judged
findings that the linter no longer reports (a lost ``real`` one is a regression).

    python bench/precision/judge.py              # tables + unjudged + vanished
    python bench/precision/judge.py --unjudged   # only the unjudged, as TSV rows
    python bench/precision/judge.py --missed     # real mistakes no rule reports
    python bench/precision/judge.py --repo owner__name   # one repository only
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPOS = HERE / "repos"
JUDGEMENTS = HERE / "judgements.tsv"
MISSED = HERE / "missed.tsv"
VERDICTS = ("real", "wrong", "noise")


class Finding(NamedTuple):
    repo: str
    file: str
    line: int
    code: str
    name: str
    severity: str
    message: str


def linter() -> list[str]:
    """The command that runs uwsgi-lint: the venv's, else this interpreter's module."""
    venv = Path("/work/venv/bin/uwsgi-lint")
    if venv.exists():
        return [str(venv)]
    exe = shutil.which("uwsgi-lint")
    return [exe] if exe else [sys.executable, "-m", "uwsgi_lint"]


def lint(repo: Path, select_all: bool) -> list[Finding]:
    """Lint a copy of ``repo`` from its own git root; findings with repo-relative paths."""
    with tempfile.TemporaryDirectory(prefix="uwsgi-lint-precision-") as tmp:
        root = Path(tmp) / repo.name.partition("__")[2]  # named as a clone of it is
        shutil.copytree(repo, root, symlinks=True)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        cmd = [*linter(), "--format", "json", "--exit-zero", "--allow-empty", "--jobs", "1"]
        if select_all:
            settings = Path(tmp) / "all.toml"
            settings.write_text('select = ["all"]\n')
            cmd += ["--config", str(settings)]
        else:
            cmd += ["--isolated"]
        proc = subprocess.run([*cmd, "."], cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{repo.name}: uwsgi-lint exited {proc.returncode}\n{proc.stderr}")
        out = json.loads(proc.stdout)
        found = []
        for d in out["diagnostics"]:
            path = os.path.relpath(os.path.realpath(d["filename"]), os.path.realpath(root))
            line = (d.get("location") or {}).get("line") or 0
            found.append(Finding(repo.name, path, int(line), d["code"], d["name"],
                                 d["severity"], d["message"].splitlines()[0]))
        return found


def read_tsv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        rows = csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t")
        return [r for r in rows if r.get("repo")]


def load_judgements() -> dict[tuple[str, str, int, str], tuple[str, str]]:
    judged: dict[tuple[str, str, int, str], tuple[str, str]] = {}
    for r in read_tsv(JUDGEMENTS):
        verdict = r["verdict"].strip()
        if verdict not in VERDICTS:
            sys.exit(f"{JUDGEMENTS.name}: verdict {verdict!r} is not one of {VERDICTS}: {r}")
        judged[(r["repo"], r["file"], int(r["line"]), r["code"])] = (verdict, r["reason"])
    return judged


def table(title: str, findings: list[Finding],
          judged: dict[tuple[str, str, int, str], tuple[str, str]]) -> None:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for f in findings:
        names[f.code] = f.name
        verdict = judged.get((f.repo, f.file, f.line, f.code), ("unjudged", ""))[0]
        per[f.code][verdict] += 1
        per[f.code]["findings"] += 1
    print(f"\n### {title}\n")
    print("| rule | name | findings | real | wrong | noise | unjudged | precision |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    total: Counter[str] = Counter()
    for code in sorted(per):
        c = per[code]
        total.update(c)
        print(f"| {code} | {names[code]} | {c['findings']} | {c['real']} | {c['wrong']} "
              f"| {c['noise']} | {c['unjudged']} | {precision(c)} |")
    print(f"| **total** | | **{total['findings']}** | **{total['real']}** | "
          f"**{total['wrong']}** | **{total['noise']}** | **{total['unjudged']}** | "
          f"**{precision(total)}** |")


def precision(c: Counter[str]) -> str:
    judged = c["real"] + c["wrong"] + c["noise"]
    return f"{100 * c['real'] / judged:.0f} %" if judged else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", action="append", help="only this repos/ directory (repeatable)")
    ap.add_argument("--unjudged", action="store_true", help="print only unjudged findings as TSV")
    ap.add_argument("--missed", action="store_true", help="print the real mistakes no rule reports")
    ap.add_argument("--list", action="store_true",
                    help="also list every default finding with its verdict and reason")
    args = ap.parse_args()

    if args.missed:
        rows = read_tsv(MISSED)
        print(f"{len(rows)} real mistakes that no rule reports ({MISSED.name}):\n")
        print("| repo | file | line | what | rule that should catch it |")
        print("| --- | --- | ---: | --- | --- |")
        for r in rows:
            print(f"| {r['repo']} | {r['file']} | {r['line']} | {r['what']} | {r['rule']} |")
        return 0

    repos = sorted(p for p in REPOS.iterdir() if p.is_dir())
    if args.repo:
        repos = [p for p in repos if p.name in args.repo]
    judged = load_judgements()
    default: list[Finding] = []
    every: list[Finding] = []
    for repo in repos:
        default += lint(repo, select_all=False)
        every += lint(repo, select_all=True)
    in_default = {(f.repo, f.file, f.line, f.code) for f in default}
    reported = in_default | {(f.repo, f.file, f.line, f.code) for f in every}
    unjudged = sorted({f for f in every if (f.repo, f.file, f.line, f.code) not in judged})

    if args.unjudged:
        print("repo\tfile\tline\tcode\tverdict\treason")
        for f in unjudged:
            print(f"{f.repo}\t{f.file}\t{f.line}\t{f.code}\t\t{f.message}")
        return 0

    files = sum(1 for r in repos for p in r.rglob("*") if p.is_file())
    print(f"# uwsgi-lint precision on {len(repos)} repositories ({files} files)")
    table("Default selection (what a user sees without configuring anything)", default, judged)
    if args.list:
        print("\n### Every default finding\n")
        for f in sorted(default):
            verdict, reason = judged.get((f.repo, f.file, f.line, f.code), ("unjudged", ""))
            print(f"- {f.code} {verdict}: {f.repo} {f.file}:{f.line}: {reason}")
    extra = [f for f in every if (f.repo, f.file, f.line, f.code) not in in_default]
    if extra:
        table("Opt-in rules only (select = [\"all\"] minus the default)", extra, judged)
    if unjudged:
        print(f"\n### {len(unjudged)} unjudged findings (add them to {JUDGEMENTS.name})\n")
        for f in unjudged:
            print(f"- {f.repo}\t{f.file}\t{f.line}\t{f.code}\t{f.message}")
    scope = {p.name for p in repos}
    vanished = sorted((k, v) for k, v in judged.items() if k[0] in scope and k not in reported)
    if vanished:
        lost = Counter(v[0] for _, v in vanished)
        print(f"\n### {len(vanished)} judged findings no longer reported "
              f"({', '.join(f'{n} {v}' for v, n in sorted(lost.items()))})\n")
        for (name, file, line, code), (verdict, reason) in vanished:
            print(f"- {verdict}: {name}\t{file}\t{line}\t{code}\t{reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``--fix --unsafe-fixes`` on real files, checked against the real uWSGI (issue 15).

Each config (a rule page example, a file of the bundled ``examples/`` tree, a corpus file)
is copied with what it may include (its Emperor set, its case's tree) into a temporary
directory (no git work tree: file owners count, as on a server) and fixed there with the
real command, ``uwsgi-lint --fix --unsafe-fixes --select all FILE``, run in the copy.
Then:

(a) linted again, no finding with a fix is left (in a file without a reading error:
    :data:`uwsgi_lint.fix.READING_ERRORS`, which is never edited), and no finding appeared
    that was not there before: same code and file, and the same text on its line, or a
    line of the same changed block;
(b) a second ``--fix --unsafe-fixes`` changes no byte;
(c) every block of changed lines (difflib over the lines) lies on lines where a finding
    with a fix, or one of its edits, was reported (an insertion next to one);
(d) every path of the copy keeps its kind, inode, owner, group and mode (a symlink stays a
    symlink to the same target); a hard link made outside the copy still shares the
    fixed file's inode;
(e) where the real uWSGI (the oracle) accepted a file before, it accepts it after, and
    its option list, as a multiset of (key, value), changed only in options whose keys
    are on the changed lines, before or after the fix (a renamed key counts under both
    names).  The oracle reads the fixed file itself and each file with a fixable
    finding, before and after, at the same path and in the file's directory.

Only the configs where ``--select all --unsafe-fixes --format json`` reports a fixable
finding are fixed (the others are only linted), each in its own copy.  What the checks call
a contradiction though it is what the fix is for (a section header repaired: the section's
options appear) is listed in :data:`EXPECTED` with the reason.  The tests run in shards (the
command in process, the oracle's runs in threads; about 80 s of CPU in all, 40 s on two
idle cores) and report every contradiction at once; ``scripts/fix_report.py`` prints them
per rule.
"""

from __future__ import annotations

import collections
import contextlib
import difflib
import functools
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint import cli
from uwsgi_lint import edits as edits_module
from uwsgi_lint import fix as fix_module
from uwsgi_lint.fix import READING_ERRORS
from uwsgi_lint.model import Edit
from uwsgi_lint.readers import read_file
from uwsgi_lint.rules import all_rules
from uwsgi_lint.source import decode

from .conftest import CORPUS, ORACLE, ORACLE_BIN, ROOT, corpus_files, needs_shared
from .helpers import OPENERS, write
from .test_rule_pages import HEADINGS, examples, lay_out

EXAMPLES = ROOT / "examples"
SHARDS = 4  # tests per kind of target: spread over the workers
FIX = ("--fix", "--unsafe-fixes", "--select", "all")
LINT = ("--select", "all", "--unsafe-fixes", "--format", "json")
APPLY_EDITS = fix_module.apply_edits

NEW_FINDING = "a new {} finding"
OPTIONS_CHANGED = "uWSGI's options changed off the changed lines"
SECTION_READ = ("the fix makes uWSGI read the section it skipped: the section's options appear "
                "(e), and the findings about them (a)")
LINE_GIVEN_BACK = "the fix gives back the lines that a `%` at the end of a line swallowed (e)"
PLACEHOLDER_FOUND = ("`set-placeholder = base = /srv/app` names `base ` (a blank at the end): "
                     "the fix names it `base`, so `chdir = %(base)` now expands (e)")


def _revealing(page: str, reason: str, *found: str) -> dict[tuple[str, str, str], str]:
    return {(f"rules/{page}", "e", OPTIONS_CHANGED): reason,
            **{(f"rules/{page}", "a", NEW_FINDING.format(code)): reason for code in found}}


# What a fix is for, though the checks call it a contradiction: (target, check, the start of
# what differed) -> why.  Each entry must still happen (it is dropped when it no longer does).
EXPECTED: dict[tuple[str, str, str], str] = {
    **_revealing("UW002.md Example 1 (example.ini)", SECTION_READ, "UW501"),
    **_revealing("UW003.md Example 1 (example.ini)", SECTION_READ, "UW501"),
    **_revealing("UW003.md Example 2 (example.yaml)", SECTION_READ, "UW501"),
    **_revealing("UW004.md Example 1 (example.ini)", SECTION_READ, "UW501"),
    **_revealing("UW004.md Example 2 (example.ini)", SECTION_READ, "UW501"),
    **_revealing("UW005.md Example 1 (example.ini)", SECTION_READ, "UW501"),
    **_revealing("UW106.md Example 1 (example.ini)", LINE_GIVEN_BACK),
    **_revealing("UW106.md Example 2 (example.yaml)", LINE_GIVEN_BACK),
    **_revealing("UW129.md Example 1 (example.ini)", PLACEHOLDER_FOUND),
}


@dataclass(frozen=True)
class Target:
    """One config to fix: ``lay_out(where)`` writes its tree under ``where`` (False: it
    cannot be laid out here, e.g. file owners without root); ``name`` is the file fixed,
    relative to ``where``; ``options`` go on the command line too."""

    label: str
    lay_out: Callable[[Path], bool]
    name: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One check that failed: its letter (a-e), the file (relative to the copy), the rules
    whose fixes are concerned, and what differed."""

    check: str
    file: str
    rules: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        return f"({self.check}) {self.file} [{', '.join(self.rules) or '?'}]: {self.detail}"


@dataclass(frozen=True)
class Finding:
    """A finding of the JSON report: file (relative to the copy), code, first and last line,
    and the lines its fix edits (None: it has no fix)."""

    file: str
    code: str
    line: int
    end: int
    fix_lines: frozenset[int] | None

    @property
    def lines(self) -> set[int]:
        return set(range(self.line, self.end + 1)) | set(self.fix_lines or ())


@dataclass
class Trial:
    """One target laid out in ``top / "tree"``, and what was seen of it."""

    target: Target
    top: Path
    fixable: list[Finding]  # before the fix, in files without a reading error
    before: dict[str, bytes]  # every regular file of the copy, by relative path
    found: list[Finding]
    shape: dict[str, tuple[object, ...]]
    after: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    oracle: dict[str, dict[str, Any]] = field(default_factory=dict)  # before the fix
    oracle_after: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def tree(self) -> Path:
        return self.top / "tree"

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted({f.code for f in self.fixable}))

    def fixed_lines(self, path: str) -> dict[int, set[str]]:
        """The lines of ``path`` (before the fix) where a fixable finding or its fix lies,
        with their codes."""
        out: dict[int, set[str]] = collections.defaultdict(set)
        for f in self.fixable:
            if f.file == path:
                for line in f.lines:
                    out[line].add(f.code)
        return out

    @property
    def applied(self) -> collections.Counter[str]:
        """The fixable findings of each rule before the fix (all fixed when (a) holds)."""
        return collections.Counter(f.code for f in self.fixable)


# --- the command, in this process -------------------------------------------------------


@contextlib.contextmanager
def _inside(where: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(where)
    try:
        yield
    finally:
        os.chdir(before)


def uwsgi_lint(where: Path, *argv: str) -> tuple[int, str, str]:
    """``uwsgi-lint ARGV`` run in ``where`` (in this process, from the main thread only):
    exit status, standard output and standard error."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with _inside(where), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(argv))
    out.flush()
    err.flush()
    return status, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


def findings(tree: Path, target: Target) -> list[Finding]:
    """The findings of ``--select all --unsafe-fixes --format json`` on the target's copy."""
    status, out, err = uwsgi_lint(tree, *LINT, *target.options, target.name)
    assert status in (0, 1), f"{target.label}: uwsgi-lint exited {status}: {err}"
    real = os.path.realpath(tree)
    found = []
    for d in json.loads(out)["diagnostics"]:
        fix_lines: set[int] | None = None
        if d.get("fix"):
            fix_lines = set()
            for e in d["fix"]["edits"]:
                start, end = e["location"]["line"], e["end_location"]["line"]
                if end > start and e["end_location"]["column"] == 1:
                    end -= 1  # up to the start of the next line: this line only
                fix_lines |= set(range(start, end + 1))
        found.append(Finding(os.path.relpath(os.path.realpath(d["filename"]), real), d["code"],
                             d["location"]["line"], d["end_location"]["line"],
                             None if fix_lines is None else frozenset(fix_lines)))
    return found


# --- the copy ---------------------------------------------------------------------------


def files_of(tree: Path) -> dict[str, bytes]:
    """The bytes of every regular file under ``tree`` (not through a symlink)."""
    out = {}
    for base, _, names in os.walk(tree):
        for name in names:
            path = Path(base, name)
            if path.is_file() and not path.is_symlink():
                out[str(path.relative_to(tree))] = path.read_bytes()
    return out


def shape(tree: Path) -> dict[str, tuple[object, ...]]:
    """Per path under ``tree``: its kind, inode, owner, group and mode (what --fix keeps),
    and a symlink's target."""
    out: dict[str, tuple[object, ...]] = {}
    for base, dirs, names in os.walk(tree):
        for name in dirs + names:
            path = Path(base, name)
            st = path.lstat()
            link = os.readlink(path) if path.is_symlink() else None
            out[str(path.relative_to(tree))] = (stat.S_IFMT(st.st_mode), st.st_ino, st.st_uid,
                                                 st.st_gid, stat.S_IMODE(st.st_mode), link)
    return out


def copier(source: Path) -> Callable[[Path], bool]:
    """A ``lay_out`` that copies ``source`` (a directory, or one file) under ``where``,
    every file writable by its owner (the corpus is read-only)."""

    def copy(where: Path) -> bool:
        if source.is_dir():
            shutil.copytree(source, where, symlinks=True)
        else:
            where.mkdir(parents=True)
            shutil.copy2(source, where / source.name)
        for path in where.rglob("*"):
            if path.is_file() and not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        return True

    return copy


def start(target: Target, top: Path) -> Trial | None:
    """Lay the target out under ``top`` and lint it; the trial when a fix is to be made
    (None: no fixable finding, or it cannot be laid out here)."""
    tree = top / "tree"
    if not target.lay_out(tree):
        return None
    found = findings(tree, target)
    broken = {f.file for f in found if f.code in READING_ERRORS}
    fixable = [f for f in found if f.fix_lines is not None and f.file not in broken]
    if not fixable:
        return None
    trial = Trial(target, top, fixable, files_of(tree), found, shape(tree))
    fixed = tree / target.name
    if fixed.is_file():  # a hard link outside the copy, to the file fixed
        (top / "links").mkdir()
        os.link(os.path.realpath(fixed), top / "links" / "hard")
    return trial


# --- checks (a) to (d) ------------------------------------------------------------------


def lines(data: bytes) -> list[str]:
    """The lines of ``data`` as the linter numbers them (ended by ``\\n``), ends kept."""
    text = decode(data)
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def hunks(old: bytes, new: bytes) -> list[tuple[str, int, int, int, int]]:
    """difflib's changed blocks between two versions of a file (0-based line ranges)."""
    matcher = difflib.SequenceMatcher(None, lines(old), lines(new), autojunk=False)
    return [op for op in matcher.get_opcodes() if op[0] != "equal"]


def regions(old: bytes, new: bytes) -> tuple[dict[int, object], dict[int, object]]:
    """For each line of the old and of the new version (1-based), where it lies: its old
    line number when unchanged, else its changed block."""
    matcher = difflib.SequenceMatcher(None, lines(old), lines(new), autojunk=False)
    was: dict[int, object] = {}
    now: dict[int, object] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                was[i1 + k + 1] = now[j1 + k + 1] = i1 + k + 1
        else:
            for i in range(i1, i2):
                was[i + 1] = (i1, i2)
            for j in range(j1, j2):
                now[j + 1] = (i1, i2)
    return was, now


def line_text(data: bytes | None, line: int) -> str:
    every = lines(data or b"")
    return every[line - 1].strip() if 1 <= line <= len(every) else ""


def fix(trial: Trial) -> None:
    """Run ``--fix`` on the copy and make checks (a) to (d)."""
    target, tree = trial.target, trial.tree
    status, _, err = uwsgi_lint(tree, *FIX, *target.options, target.name)
    rules = trial.rules
    if status not in (0, 1) or "not fixed" in err:
        trial.problems.append(Problem("a", target.name, rules,
                                      f"--fix exited {status}: {err.strip()}"))
    trial.after = files_of(tree)
    changed = sorted(p for p in trial.after if trial.after[p] != trial.before.get(p))
    _check_left(trial, changed)
    status, _, err = uwsgi_lint(tree, *FIX, *target.options, target.name)
    again = files_of(tree)
    for path in sorted(p for p in again if again[p] != trial.after.get(p)):
        trial.problems.append(Problem("b", path, rules, "a second --fix changed it: "
                                      + diff_text(trial.after.get(path, b""), again[path])))
    for path in changed:
        _check_hunks(trial, path)
    _check_shape(trial)


def _check_left(trial: Trial, changed: list[str]) -> None:
    """(a): no fixable finding left, no new finding."""
    after = findings(trial.tree, trial.target)
    broken = {f.file for f in after if f.code in READING_ERRORS}
    for f in after:
        if f.fix_lines is not None and f.file not in broken:
            trial.problems.append(Problem(
                "a", f.file, (f.code,),
                f"a finding with a fix is left at line {f.line}: "
                f"{line_text(trial.after.get(f.file), f.line)!r}"))
    seen = {(f.file, f.code, line_text(trial.before.get(f.file), f.line)) for f in trial.found}
    places = {}
    for path in changed:
        places[path] = regions(trial.before.get(path, b""), trial.after[path])
    near = {(f.file, f.code, places[f.file][0].get(f.line)) for f in trial.found
            if f.file in places}
    for f in after:
        text = line_text(trial.after.get(f.file), f.line)
        if (f.file, f.code, text) in seen:
            continue
        if f.file in places and (f.file, f.code, places[f.file][1].get(f.line)) in near:
            continue
        trial.problems.append(Problem(
            "a", f.file, trial.rules, f"{NEW_FINDING.format(f.code)} at line {f.line}: {text!r}"))


def _check_hunks(trial: Trial, path: str) -> None:
    """(c): every changed block lies on the lines of a fixable finding."""
    where = trial.fixed_lines(path)
    old, new = trial.before.get(path, b""), trial.after[path]
    for tag, i1, i2, j1, j2 in hunks(old, new):
        if tag == "insert":
            ok = i1 in where or i1 + 1 in where  # after the line above, before the one below
            at = {i1, i1 + 1}
        else:
            at = set(range(i1 + 1, i2 + 1))
            ok = at <= set(where)
        if not ok:
            rules = tuple(sorted({c for line in at for c in where.get(line, ())})) or trial.rules
            trial.problems.append(Problem(
                "c", path, rules, f"lines {i1 + 1}-{i2} changed where no finding has a fix: "
                + diff_text(old, new, (i1, i2, j1, j2))))


def _check_shape(trial: Trial) -> None:
    """(d): kinds, inodes, owners and modes kept; the outside hard link still shared."""
    now = shape(trial.tree)
    for path, was in trial.shape.items():
        if now.get(path) != was:
            trial.problems.append(Problem("d", path, trial.rules,
                                          f"(kind, inode, uid, gid, mode, link) was {was}, "
                                          f"is {now.get(path)}"))
    hard = trial.top / "links" / "hard"
    if hard.exists() and not os.path.samefile(hard, trial.tree / trial.target.name):
        trial.problems.append(Problem("d", trial.target.name, trial.rules,
                                      "a hard link to it no longer shares its inode"))


def diff_text(old: bytes, new: bytes, block: tuple[int, int, int, int] | None = None) -> str:
    """The lines of one changed block (all of them when none is given), as ``-``/``+``."""
    a, b = lines(old), lines(new)
    i1, i2, j1, j2 = block or (0, len(a), 0, len(b))
    shown = [f"-{x!r}" for x in a[i1:i2]] + [f"+{x!r}" for x in b[j1:j2]]
    return " ".join(shown[:8]) + (" ..." if len(shown) > 8 else "")


# --- check (e): the real uWSGI ----------------------------------------------------------


def oracle_paths(trial: Trial) -> list[str]:
    """The files the oracle reads: the one fixed and each with a fixable finding."""
    names = {trial.target.name, *(f.file for f in trial.fixable)}
    return sorted(n for n in names if (trial.tree / n).is_file())


def ask_oracle(tree: Path, name: str) -> dict[str, Any]:
    """What the real uWSGI makes of a file of the copy, run in its directory (the oracle,
    stdlib only, run by this interpreter without site: half the CPU of its shebang's)."""
    path = tree / name
    out = subprocess.run([sys.executable, "-S", str(ORACLE), str(path), "--no-strict",
                          "--cwd", str(path.parent)],
                         capture_output=True, text=True, timeout=120, check=False)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def keys_on(path: str, data: bytes, numbers: set[int]) -> set[str]:
    """The keys of the directives of one version of a file that lie on ``numbers``."""
    cfg = read_file(path, openers=OPENERS, data=data)
    out = set()
    for section in cfg.sections:
        for d in section.directives():
            span = d.span
            if numbers & set(range(span.start.line, span.end.line + 1)):
                out.add(d.key)
    return out


def changed_keys(trial: Trial) -> set[str]:
    """The keys on the changed lines of every changed file, before and after the fix."""
    out: set[str] = set()
    for path, new in trial.after.items():
        old = trial.before.get(path, b"")
        if new == old:
            continue
        was: set[int] = set()
        now: set[int] = set()
        for _, i1, i2, j1, j2 in hunks(old, new):
            was |= set(range(i1 + 1, i2 + 1))
            now |= set(range(j1 + 1, j2 + 1))
        full = str(trial.tree / path)
        out |= keys_on(full, old, was) | keys_on(full, new, now)
    return out


def compare_oracle(trial: Trial) -> None:
    """(e): accepted before, accepted after, options changed only on the changed lines."""
    allowed = changed_keys(trial)
    for name, now in trial.oracle_after.items():
        was = trial.oracle[name]
        if not now.get("ok"):
            reason = now.get("error") or now.get("refused") or now.get("stderr_tail", "")
            trial.problems.append(Problem("e", name, trial.rules,
                                          f"uWSGI accepted it before the fix, not after: "
                                          f"{str(reason).strip()[-300:]}"))
            continue
        old = collections.Counter(tuple(o) for o in was["options"])
        new = collections.Counter(tuple(o) for o in now["options"])
        lost, gained = old - new, new - old
        stray = sorted({k for k, _ in {*lost, *gained}} - allowed)
        if stray:
            shown = ", ".join([f"-{k}={v!r}" for k, v in sorted(lost)][:6]
                              + [f"+{k}={v!r}" for k, v in sorted(gained)][:6])
            trial.problems.append(Problem(
                "e", name, trial.rules, f"{OPTIONS_CHANGED} ({', '.join(stray)}): {shown}"))


# --- every target, in stages ------------------------------------------------------------


def check(targets: Iterable[Target], top: Path, *, oracle: bool) -> list[Trial]:
    """Check the fixes of every target that has a fixable finding (laid out under
    ``top``): (a) to (d), and (e) with ``oracle``.  The command runs in this process,
    one target after another; the oracle's runs in threads (each mostly waits for uWSGI)."""
    trials = []
    for i, target in enumerate(targets):
        trial = start(target, top / str(i))
        if trial is not None:
            trials.append(trial)
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:

        def ask(jobs: list[tuple[Trial, str]]) -> Iterator[tuple[Trial, str, dict[str, Any]]]:
            answers = pool.map(lambda job: ask_oracle(job[0].tree, job[1]), jobs)
            return ((t, name, answer) for (t, name), answer in zip(jobs, answers, strict=True))

        before = [(t, name) for t in trials for name in oracle_paths(t)] if oracle else []
        for t, name, answer in ask(before):
            t.oracle[name] = answer
        for t in trials:
            fix(t)
        # again where uWSGI accepted the file and a file of the copy changed
        after = [(t, name) for t, name in before if t.oracle[name].get("ok") and t.changed]
        for t, name, answer in ask(after):
            t.oracle_after[name] = answer
    for t in trials if oracle else ():
        compare_oracle(t)
    return trials


def why_expected(label: str, problem: Problem) -> str:
    """The reason :data:`EXPECTED` gives for a contradiction of a target ("": a bug)."""
    return next((why for (where, letter, start), why in EXPECTED.items()
                 if where == label and problem.check == letter
                 and problem.detail.startswith(start)), "")


def failures(trials: list[Trial], checks: str, targets: list[Target]) -> list[str]:
    """The problems of the given checks, those in :data:`EXPECTED` aside, and each entry of
    :data:`EXPECTED` for these targets and checks that no longer happens."""
    out = [f"{t.target.label}: {p}" for t in trials for p in t.problems
           if p.check in checks and not why_expected(t.target.label, p)]
    ran = {t.label for t in targets}
    for label, letter, start in EXPECTED:
        if letter in checks and label in ran and not any(
                t.target.label == label and p.check == letter and p.detail.startswith(start)
                for t in trials for p in t.problems):
            out.append(f"{label}: ({letter}) {start!r} no longer happens: drop it from EXPECTED")
    return out


# --- the targets ------------------------------------------------------------------------


def page_targets() -> list[Target]:
    """Every example of every rule page (a case that sets owners only as root)."""
    out = []
    for rule in all_rules():
        for heading in HEADINGS:
            for case in examples(rule, heading):
                version = ("--target-version", case.version) if case.version else ()
                out.append(Target(f"rules/{rule.code}.md {case.label}",
                                  functools.partial(lay_out, case),
                                  case[0][0], version))
    return out


def example_targets() -> list[Target]:
    """Each file of the bundled examples/ tree, the tree copied whole."""
    return [Target(f"examples/{p.relative_to(EXAMPLES)}", copier(EXAMPLES),
                   str(p.relative_to(EXAMPLES)))
            for p in sorted(EXAMPLES.rglob("*")) if p.is_file()]


def corpus_tree(path: Path) -> Path:
    """What is copied with a corpus file: its Emperor set, or the uWSGI project's files
    (they include one another); else the file alone."""
    parts = path.relative_to(CORPUS).parts
    if parts[0] == "emperor-sets":
        return CORPUS / parts[0] / parts[1]
    if parts[0] == "uwsgi-project":
        return CORPUS / parts[0]
    return path


def corpus_targets() -> list[Target]:
    out = []
    for path in corpus_files():
        tree = corpus_tree(path)
        name = path.name if tree == path else str(path.relative_to(tree))
        out.append(Target(str(path.relative_to(CORPUS)), copier(tree), name))
    return out


# --- the tests --------------------------------------------------------------------------


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A temporary directory (in /tmp: the copies' paths stay short in uWSGI's options)."""
    top = Path(tempfile.mkdtemp(prefix="uwl-fix-"))
    try:
        yield top
    finally:
        shutil.rmtree(top)


@pytest.fixture(scope="module")
def oracle_built() -> None:
    if not ORACLE_BIN.exists():  # a fresh machine: build it, as tests/test_oracle.py does
        built = subprocess.run(["sh", str(ORACLE.parent / "setup.sh")], capture_output=True,
                               text=True, timeout=1800)
        if built.returncode != 0 or not ORACLE_BIN.exists():
            pytest.fail(f"building the uWSGI oracle failed:\n{built.stdout}{built.stderr}")


def assert_fixes_hold(targets: list[Target], top: Path, checks: str) -> None:
    trials = check(targets, top, oracle="e" in checks)
    assert trials, "no target has a fixable finding: the checks checked nothing"
    problems = failures(trials, checks, targets)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("n", range(SHARDS))
def test_page_example_fixes_keep_the_rest(n: int, scratch: Path) -> None:
    assert_fixes_hold(page_targets()[n::SHARDS], scratch, "abcd")


def test_bundled_example_fixes_keep_the_rest(scratch: Path) -> None:
    assert_fixes_hold(example_targets(), scratch, "abcd")


@needs_shared
@pytest.mark.corpus
@pytest.mark.parametrize("n", range(SHARDS))
def test_corpus_fixes_keep_the_rest(n: int, scratch: Path) -> None:
    assert_fixes_hold(corpus_targets()[n::SHARDS], scratch, "abcd")


@needs_shared
@pytest.mark.oracle
@pytest.mark.parametrize("n", range(SHARDS))
def test_page_and_example_fixes_agree_with_real_uwsgi(n: int, scratch: Path,
                                                      oracle_built: None) -> None:
    assert_fixes_hold((page_targets() + example_targets())[n::SHARDS], scratch, "e")


@needs_shared
@pytest.mark.corpus
@pytest.mark.oracle
@pytest.mark.parametrize("n", range(SHARDS))
def test_corpus_fixes_agree_with_real_uwsgi(n: int, scratch: Path, oracle_built: None) -> None:
    assert_fixes_hold(corpus_targets()[n::SHARDS], scratch, "e")


APP = "[uwsgi]\nsocket = /run/app.sock # main\nprocesses = 4\n"  # UW105: a safe fix


def app(where: Path) -> bool:
    return write(where, "app.ini", APP).is_file()


def not_made(data: bytes, edits: Sequence[Edit]) -> bytes:
    return data


def made_and_header_dropped(data: bytes, edits: Sequence[Edit]) -> bytes:
    return APPLY_EDITS(data, edits).replace(b"[uwsgi]\n", b"")


def made_with_a_new_problem(data: bytes, edits: Sequence[Edit]) -> bytes:
    return APPLY_EDITS(data, edits) + b"listen = 64 # again\n"


def written_to_a_new_file(path: str, roots: Sequence[str], change: Callable[[bytes], bytes],
                          check: Callable[[bytes, bytes], str | None]) -> bool:
    """``edits.rewrite`` as it must not be: a new file renamed over the old one."""
    new = change(Path(path).read_bytes())
    Path(path + ".new").write_bytes(new)
    os.replace(path + ".new", path)
    return True


BROKEN: dict[str, tuple[object, str, Callable[..., object]]] = {
    "not made": (fix_module, "apply_edits", not_made),
    "drops the header too": (fix_module, "apply_edits", made_and_header_dropped),
    "adds a problem": (fix_module, "apply_edits", made_with_a_new_problem),
    "writes a new file": (edits_module, "rewrite", written_to_a_new_file),
}


@pytest.mark.parametrize(("broken", "checks"), [("not made", {"a"}),
                                                 ("drops the header too", {"a", "c"}),
                                                 ("adds a problem", {"a", "b", "c"}),
                                                 ("writes a new file", {"d"})])
def test_the_checks_catch_a_broken_fix(broken: str, checks: set[str], scratch: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix that is not made (its finding is left), that also drops the section header
    (a change off its line, new findings), that adds a line with a problem of its own each
    time (fixed again and again), that replaces the file (a new inode, the hard link cut):
    the checks say so."""
    monkeypatch.setattr(*BROKEN[broken])
    [trial] = check([Target("app", app, "app.ini")], scratch, oracle=False)
    assert {p.check for p in trial.problems} == checks, trial.problems


@needs_shared
@pytest.mark.oracle
def test_the_real_uwsgi_sees_a_broken_fix(scratch: Path, monkeypatch: pytest.MonkeyPatch,
                                          oracle_built: None) -> None:
    """A fix that also drops the section header: uWSGI loses ``processes``, a line no
    finding was on."""
    monkeypatch.setattr(*BROKEN["drops the header too"])
    [trial] = check([Target("app", app, "app.ini")], scratch, oracle=True)
    [problem] = [p for p in trial.problems if p.check == "e"]
    assert problem.detail == (f"{OPTIONS_CHANGED} (processes): -processes='4', "
                              "-socket='/run/app.sock # main'"), problem


def test_a_fix_through_a_symlink_keeps_the_links(scratch: Path) -> None:
    """The file fixed is reached through a symlink, and has a hard link outside the copy:
    the fix is written into the file, the symlink stays one and the hard link shares it."""

    def linked(where: Path) -> bool:
        write(where, "real/app.ini", APP)
        (where / "app.ini").symlink_to("real/app.ini")
        return True

    [trial] = check([Target("linked", linked, "app.ini")], scratch, oracle=False)
    assert trial.problems == []
    assert (trial.tree / "app.ini").is_symlink()
    assert trial.after == {"real/app.ini": b"[uwsgi]\n# main\nsocket = /run/app.sock\n"
                                           b"processes = 4\n"}
    assert os.path.samefile(trial.top / "links" / "hard", trial.tree / "real" / "app.ini")

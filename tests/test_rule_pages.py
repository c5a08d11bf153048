"""Every rule has a page under rules/, and the page's examples are what its tests run.

Each example (a fenced ``ini``/``xml``/``yaml``/``json`` block, or the ``path=`` blocks of
one tree) is followed by a ``findings`` block: every finding of the rule under test in that
case, ``CODE path:line:column`` (path relative to the case), linted with that rule only.
An empty block says the rule reports nothing there; every ``## Use instead`` case has one.
``scripts/page_findings.py --update`` writes the blocks from what the linter says now.

The ``--format full`` output of every example (the default rule set, and the page's own
rule when it is opt-in) is kept in
``tests/snapshots/rules/UWnnn.snap``; ``pytest --snapshot-update`` (or
``UPDATE_SNAPSHOTS=1``) rewrites them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from uwsgi_lint import cli
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.render import full
from uwsgi_lint.render.source import forget
from uwsgi_lint.rules import Rule, all_rules
from uwsgi_lint.settings import Selection

from .conftest import ROOT
from .helpers import match_snapshot

PAGES = ROOT / "rules"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "rules"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
            "## Fix safety")
HEADINGS = ("## Example", "## Use instead")  # the bad cases, the good ones
SUFFIX = {"ini": ".ini", "xml": ".xml", "yaml": ".yaml", "json": ".json", "python": ".py"}
FINDINGS = "findings"  # the language of an expected-findings block
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```[ \t]*$", re.S | re.M)


class Case(list[tuple[str, str, str]]):
    """One example: its files as (path relative to the case, text, fence attributes), the
    first being the file linted; and where it sits on its page.

    ``heading`` is ``## Example`` or ``## Use instead``; ``end`` the offset just after
    its last code block; ``expected`` the lines of its findings block (None: it has none)
    and ``block`` that block's (start, end) offsets."""

    def __init__(self, heading: str, number: int) -> None:
        super().__init__()
        self.heading = heading
        self.number = number  # 1, 2 ... in its section: single files in order, trees last
        self.end = 0
        self.expected: list[str] | None = None
        self.block: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """E.g. ``Example 2 (example.yaml)``."""
        files = ", ".join(name for name, _, _ in self)
        return f"{self.heading.removeprefix('## ')} {self.number} ({files})"

    @property
    def owners(self) -> bool:
        """Whether a file of the case has an ``owner=``: it runs as root only."""
        return any("owner=" in attrs for _, _, attrs in self)

    @property
    def version(self) -> str | None:
        """The target uWSGI version (``version=`` on the first block)."""
        m = re.search(r"version=(\S+)", self[0][2])
        return m.group(1) if m else None


def page(rule: Rule) -> str:
    return (PAGES / f"{rule.code}.md").read_text(encoding="utf-8")


def parse(text: str, heading: str) -> list[Case]:
    """The cases under ``heading`` of a page's ``text``: each plain block is one file
    (``example.<suffix>``); blocks that carry ``path=NAME`` after the language together
    form one tree, linted through the first, up to its ``findings`` block (the next
    ``path=`` block starts another tree).  A ``findings`` block belongs to the block
    right before it (blank lines between), for a tree to its last block.  A tree's
    later blocks may be other files (``dockerfile path=Dockerfile``: deployment context).
    Raises ValueError for a findings block that follows no example."""
    start = text.index(heading + "\n")
    stop = text.find("\n## ", start + len(heading))
    stop = len(text) if stop == -1 else stop
    singles: list[Case] = []
    trees: list[Case] = []
    tree: Case | None = None  # the tree being read
    last: Case | None = None  # the case a findings block here would belong to
    for m in FENCE.finditer(text, start, stop):
        lang, attrs, code = m.groups()
        if lang == FINDINGS:
            gap = text[last.end : m.start()] if last is not None else "x"
            if last is None or gap.strip() or last.block is not None:
                raise ValueError(f"{heading}: findings block at offset {m.start()} "
                                 "follows no example")
            last.expected = code.splitlines()
            last.block = (m.start(), m.end())
            last = None
            continue
        path = re.search(r"path=(\S+)", attrs)
        growing = tree is not None and tree.block is None
        if (lang not in SUFFIX or (lang == "python" and "uwsgiconf" not in code)) and not (
                path and growing):
            last = None  # not a config; in a tree, any file after the first (a Dockerfile)
            continue
        if path:
            if tree is None or not growing:  # a findings block closed the last tree
                tree = Case(heading, 0)
                trees.append(tree)
            tree.append((path.group(1), code, attrs))
            case = tree
        else:
            case = Case(heading, len(singles) + 1)
            # a uwsgiconf module is named as uwsgiconf names it
            name = "uwsgicfg.py" if lang == "python" else f"example{SUFFIX[lang]}"
            case.append((name, code, attrs))
            singles.append(case)
        case.end = m.end()
        last = case
    for n, each in enumerate(trees, len(singles) + 1):
        each.number = n
    return singles + trees


def examples(rule: Rule, heading: str) -> list[Case]:
    """The cases under a heading of the rule's page (see :func:`parse`).  A block may
    also carry ``owner=UID:GID`` (the file's owner; the case is skipped when not run as
    root) and ``link=TARGET`` (the file is a symlink to TARGET, relative to its
    directory; the block's text is not written).  ``version=2.1`` on the first block lints
    the case for that target version."""
    return parse(page(rule), heading)


def write_case(case: list[tuple[str, str, str]], where: Path) -> None:
    """The files of a case under ``where`` (``link=`` attributes as symlinks)."""
    for name, code, attrs in case:
        path = where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        link = re.search(r"link=(\S+)", attrs)
        if link:
            path.symlink_to(link.group(1))
        else:
            path.write_text(code, encoding="utf-8")


def lay_out(case: Case, where: Path) -> bool:
    """Write the case under ``where`` with its owners; False (nothing written) when it
    sets owners and this is not run as root."""
    if case.owners and os.geteuid() != 0:
        return False
    write_case(case, where)
    for name, _, attrs in case:
        owner = re.search(r"owner=(\d+):(\d+)", attrs)
        if owner:
            os.lchown(where / name, int(owner.group(1)), int(owner.group(2)))
    return True


def shown(path: str, root: Path) -> str:
    """A finding's file as a findings block writes it: relative to the case root."""
    for base in (str(root), os.path.realpath(root)):
        if os.path.commonpath([base, path]) == base:
            return os.path.relpath(path, base)
    return path


# A suppression is unused (UW090) when no finding of the codes it names is silenced; a
# suppression of a rule that did not run is not judged (``postprocess.apply(ran=...)``),
# so with only UW090 run there is nothing to judge.  Linted with every rule on.
NEEDS_EVERY_RULE = frozenset({"UW090"})


def findings(rule: Rule, case: Case, where: Path) -> list[str]:
    """The findings of ``rule`` on the case laid out under ``where`` (that rule alone
    run, see :data:`NEEDS_EVERY_RULE`), as the lines of a findings block, sorted by file
    and position."""
    assume = Assumptions(version=case.version) if case.version else None
    only = None if rule.code in NEEDS_EVERY_RULE else {rule.code}
    report = lint([str(where / case[0][0])], assume, only=only)
    assert report.errors == [], report.errors
    found = sorted((shown(d.span.file, where), d.span.start.line, d.span.start.column)
                   for d in report.diagnostics if d.code == rule.code)
    return [f"{rule.code} {path}:{line}:{column}" for path, line, column in found]


@contextlib.contextmanager
def _inside(where: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(where)
    try:
        yield
    finally:
        os.chdir(before)


CASE_ROOT = "[CASE]"  # stands for the case's directory in a snapshot


@contextlib.contextmanager
def case_dir() -> Iterator[Path]:
    """A new empty directory whose path has the same length on every run and machine,
    ``/tmp/uwl-XXXXXXXX/case``, removed afterwards: a message that cuts a long value
    containing the path (UW107 shows an expanded ``%d``) cuts it at the same place, and
    ``%c`` (the directory's name) is always ``case``."""
    base = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
    top = Path(tempfile.mkdtemp(prefix="uwl-", dir=base))
    try:
        (top / "case").mkdir()
        yield top / "case"
    finally:
        shutil.rmtree(top)


def full_output(case: Case, where: Path, rule: Rule) -> tuple[str, list[str]]:
    """What ``uwsgi-lint --format full FILE`` prints (no colour) for the case laid out
    under ``where``, run in ``where`` so that every path is relative to it, as a snapshot
    section (an absolute path of the case's directory in a message as ``[CASE]``); and the
    codes of every finding.  In process: the command's own steps (``cli._run``: lint, then
    the ``full`` renderer, then the exit code).  The default rule set runs, and the
    page's own rule when it is opt-in (``--extend-select CODE``)."""
    argv = ["--format", "full"]
    if case.version:
        argv += ["--target-version", case.version]
    selection = None
    if rule.group != "default":
        argv += ["--extend-select", rule.code]
        selection = Selection(extend_select=(rule.code,))
    argv.append(case[0][0])
    assume = Assumptions(version=case.version) if case.version else None
    with _inside(where):
        report = lint([case[0][0]], assume, selection=selection)
        forget()
        text = full.render(report, color=False)
    lines = [f"=== {case.label} ===", f"$ uwsgi-lint {' '.join(argv)}",
             f"exit {cli.exit_code(report)}", text.rstrip("\n")]
    stderr = [f"uwsgi-lint: {w}" for w in report.warnings + report.errors]
    if stderr:
        lines += ["--- stderr", *stderr]
    section = "\n".join(lines) + "\n"
    # messages name absolute paths (an expanded `%d`, uWSGI's working directory)
    for root in sorted({str(where), os.path.realpath(where)}, key=len, reverse=True):
        section = section.replace(root, CASE_ROOT)
    return section, [d.code for d in report.diagnostics]


RULES = all_rules()
IDS = [r.code for r in RULES]
EXPOSURE = "UW5"
# rules that no config can fire: their bad example is tested elsewhere
NO_CONFIG_EXAMPLE = {
    "UW099": "tests/test_hostile.py::test_internal_error_is_contained",
    "UW024": "tests/test_cli.py::test_invalid_utf8_is_reported_with_its_byte_offset",
    # needs a user that the machine's group database makes a member of another group
    "UW310": "tests/test_rules_processes.py::test_socket_needing_a_supplementary_group",
}


def cases(rule: Rule) -> list[Case]:
    """The cases of a page whose findings blocks are checked: every good one, and every
    bad one of a rule that a config can fire."""
    bad = [] if rule.code in NO_CONFIG_EXAMPLE else examples(rule, "## Example")
    return bad + examples(rule, "## Use instead")


def test_codes_and_names_are_well_formed() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"UW[0-6]\d\d", r.code), r.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name


def test_every_page_belongs_to_a_rule() -> None:
    assert sorted(p.stem for p in PAGES.glob("UW*.md")) == sorted(IDS)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_page_has_every_section(rule: Rule) -> None:
    text = page(rule)
    assert text.startswith(f"# {rule.code} `{rule.name}`")
    for heading in SECTIONS:
        assert heading in text, f"{rule.code}.md lacks {heading!r}"
    assert f"| {rule.code} | {rule.name} | {rule.severity.value} | {rule.group} |" in text
    # an opt-in rule's page says how to turn it on
    opt_in = f"> Opt-in (the `{rule.group}` set)"
    assert (opt_in in text) is (rule.group != "default")


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_page_examples_have_findings_blocks(rule: Rule) -> None:
    """Every bad example says where the rule reports it; every good one, with an empty
    block, that it does not (at least one per rule: a look-alike it must not report)."""
    if rule.code not in NO_CONFIG_EXAMPLE:
        bad = examples(rule, "## Example")
        assert bad, f"{rule.code}.md has no example"
        for case in bad:
            assert case.expected, f"{rule.code}.md {case.label}: no findings (or empty)"
            assert all(line.startswith(f"{rule.code} ") for line in case.expected), (
                f"{rule.code}.md {case.label}: findings of another rule")
    good = examples(rule, "## Use instead")
    assert good, f"{rule.code}.md has no good example"
    for case in good:
        assert case.expected == [], f"{rule.code}.md {case.label}: needs an empty block"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_page_examples_give_exactly_their_findings(rule: Rule, tmp_path: Path) -> None:
    """Each case, linted with the rule under test only, gives exactly its block (run
    ``python scripts/page_findings.py --update`` after a deliberate change)."""
    for i, case in enumerate(cases(rule)):
        where = tmp_path / f"case{i}"
        if not lay_out(case, where):
            continue  # sets owners: root only
        assert findings(rule, case, where) == case.expected, (
            f"{rule.code}.md {case.label}: if the change is meant, run "
            "python scripts/page_findings.py --update and read the diff")


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_full_output_snapshot(rule: Rule, snapshot_update: bool) -> None:
    """``--format full`` of every example of the page, as a user sees it (the default
    set, and the page's rule):
    ``tests/snapshots/rules/UWnnn.snap``.  Also: a good example gives no finding of any
    rule (the exposure family UW5xx aside, except on its own pages: it judges deployment
    choices, bind address and uid, that the other families' short examples leave out)."""
    sections: dict[str, str] = {}
    for case in examples(rule, "## Example") + examples(rule, "## Use instead"):
        with case_dir() as where:
            if not lay_out(case, where):
                continue
            text, codes = full_output(case, where, rule)
        assert where.parent.name[:6] not in text, text  # no temporary path, even cut
        sections[case.label] = text
        if case.heading == "## Use instead":
            if not rule.code.startswith(EXPOSURE):
                codes = [c for c in codes if not c.startswith(EXPOSURE)]
            assert codes == [], f"{rule.code}.md {case.label}: {codes}\n{text}"
    path = SNAPSHOTS / f"{rule.code}.snap"
    stored = read_snapshot(path)
    if os.geteuid() != 0:  # the owner-carrying cases were not run: keep what is stored
        sections = {**{k: v for k, v in stored.items() if k not in sections}, **sections}
        order = [c.label for h in HEADINGS for c in examples(rule, h)]
        sections = {k: sections[k] for k in order if k in sections}
    match_snapshot(path, snapshot_text(rule, sections), snapshot_update)


def snapshot_text(rule: Rule, sections: dict[str, str]) -> str:
    head = (f"# {rule.code} {rule.name}: `uwsgi-lint --format full FILE` on each example of "
            f"rules/{rule.code}.md,\n# run in the example's directory, shown as {CASE_ROOT} "
            "(tests/test_rule_pages.py; pytest --snapshot-update rewrites this file)\n")
    return head + "".join("\n" + s for s in sections.values())


def read_snapshot(path: Path) -> dict[str, str]:
    """The sections of a stored snapshot, by case label."""
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    label = None
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        m = re.fullmatch(r"=== (.*) ===\n", line)
        if m:
            label = m.group(1)
            out[label] = line
        elif label is not None:
            out[label] += line
    return {k: v.rstrip("\n") + "\n" for k, v in out.items()}


def test_page_findings_script(tmp_path: Path) -> None:
    """``scripts/page_findings.py --check`` passes on a page as it is (one page: the test
    above covers them all), and ``--update`` puts back a block that was dropped and one
    that was wrong, changing nothing else."""
    import importlib.util
    import subprocess

    path = ROOT / "scripts" / "page_findings.py"
    ok = subprocess.run([sys.executable, str(path), "--check", "UW401"],
                        capture_output=True, text=True, timeout=120)
    assert (ok.returncode, ok.stdout) == (0, ""), ok.stdout + ok.stderr
    spec = importlib.util.spec_from_file_location("page_findings", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rule = RULES[IDS.index("UW401")]
    text = page(rule)
    broken = text.replace("UW401 example.ini:3:11", "UW401 example.ini:3:1")
    broken = broken.replace("```findings\nUW401 example.yaml:4:12\n```\n\n", "", 1)
    assert broken.count("```findings") == text.count("```findings") - 1
    assert script.updated(rule, broken, tmp_path) == (text, [])


def test_rule_index_is_generated_from_the_registry() -> None:
    import subprocess

    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_index.py"),
                             "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "rules/README.md is stale: run scripts/gen_rule_index.py"

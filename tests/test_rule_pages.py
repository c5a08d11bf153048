"""Every rule has a page under rules/, and the page's examples are what its tests run:
each bad example fires the rule, each good example stays silent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.expand import Assumptions
from uwsgi_lint.rules import Rule, all_rules

from .conftest import ROOT

PAGES = ROOT / "rules"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
            "## Fix safety")
SUFFIX = {"ini": ".ini", "xml": ".xml", "yaml": ".yaml", "json": ".json"}
FENCE = re.compile(r"```(\w+)([^\n]*)\n(.*?)```", re.S)
# (relative path, text, fence attributes); the first file is the one linted
Case = list[tuple[str, str, str]]


def page(rule: Rule) -> str:
    return (PAGES / f"{rule.code}.md").read_text(encoding="utf-8")


def examples(rule: Rule, heading: str) -> list[Case]:
    """The cases under a heading: each plain block is one file; blocks that carry
    ``path=NAME`` after the language together form one tree, linted through the first.
    A block may also carry ``owner=UID:GID`` (the file's owner; the case is skipped when
    not run as root) and ``link=TARGET`` (the file is a symlink to TARGET, relative to its
    directory; the block's text is not written).  ``version=2.1`` on the first block lints
    the case for that target version."""
    text = page(rule)
    body = text.split(heading, 1)[1].split("\n## ", 1)[0]
    cases: list[Case] = []
    tree: Case = []
    for i, (lang, attrs, code) in enumerate(FENCE.findall(body)):
        if lang not in SUFFIX:
            continue
        m = re.search(r"path=(\S+)", attrs)
        if m:
            tree.append((m.group(1), code, attrs))
        else:
            cases.append([(f"example{i}{SUFFIX[lang]}", code, attrs)])
    return cases + ([tree] if tree else [])


def write_case(case: Case, where: Path) -> None:
    """The files of a case under ``where`` (``link=`` attributes as symlinks)."""
    for name, code, attrs in case:
        path = where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        link = re.search(r"link=(\S+)", attrs)
        if link:
            path.symlink_to(link.group(1))
        else:
            path.write_text(code, encoding="utf-8")


def lint_case(case: Case, where: Path) -> list[str] | None:
    """The findings for a case (``None``: it sets owners and this is not run as root)."""
    write_case(case, where)
    for name, _, attrs in case:
        owner = re.search(r"owner=(\d+):(\d+)", attrs)
        if owner:
            if os.geteuid() != 0:
                return None
            os.lchown(where / name, int(owner.group(1)), int(owner.group(2)))
    version = re.search(r"version=(\S+)", case[0][2])  # the target uWSGI version
    assume = Assumptions(version=version.group(1)) if version else None
    report = lint([str(where / case[0][0])], assume)
    assert report.errors == []
    return [f"{d.code} {Path(d.span.file).name}:{d.span.start.line}" for d in report.diagnostics]


RULES = all_rules()
IDS = [r.code for r in RULES]


def test_codes_and_names_are_well_formed() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"UW[0-5]\d\d", r.code), r.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name


def test_every_page_belongs_to_a_rule() -> None:
    assert sorted(p.stem for p in PAGES.glob("UW*.md")) == sorted(IDS)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_page_has_every_section(rule: Rule) -> None:
    text = page(rule)
    assert text.startswith(f"# {rule.code} `{rule.name}`")
    for heading in SECTIONS:
        assert heading in text, f"{rule.code}.md lacks {heading!r}"
    assert f"| {rule.code} | {rule.name} | {rule.severity.value} |" in text


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_bad_examples_fire(rule: Rule, tmp_path: Path) -> None:
    if rule.code in NO_CONFIG_EXAMPLE:
        pytest.skip(f"no config fires {rule.code}; see {NO_CONFIG_EXAMPLE[rule.code]}")
    cases = examples(rule, "## Example")
    assert cases, f"{rule.code}.md has no example"
    for i, case in enumerate(cases):
        found = lint_case(case, tmp_path / f"bad{i}")
        if found is None:
            continue
        assert any(f.startswith(rule.code) for f in found), (
            f"{case[0][0]} example of {rule.code} did not fire: {found}")


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_good_examples_stay_silent(rule: Rule, tmp_path: Path) -> None:
    cases = examples(rule, "## Use instead")
    assert cases, f"{rule.code}.md has no good example"
    for i, case in enumerate(cases):
        found = lint_case(case, tmp_path / f"good{i}")
        if found is not None and not rule.code.startswith(EXPOSURE):
            # the exposure family (UW5xx) judges deployment choices (bind address, uid)
            # that the short examples of the other families leave out on purpose
            found = [f for f in found if not f.startswith(EXPOSURE)]
        assert found in ([], None), f"{case[0][0]} good example of {rule.code}"


EXPOSURE = "UW5"
# rules that no config can fire: their bad example is tested elsewhere
NO_CONFIG_EXAMPLE = {
    "UW099": "tests/test_hostile.py::test_internal_error_is_contained",
    "UW024": "tests/test_cli.py::test_invalid_utf8_is_reported_with_its_byte_offset",
}


def test_rule_index_is_generated_from_the_registry() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_index.py"),
                             "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "rules/README.md is stale: run scripts/gen_rule_index.py"

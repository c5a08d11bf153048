"""Messages people read (issue 13): the first line of a finding says what uWSGI does and
what to write instead, in one line of at most 160 characters; the longer explanation is
its ``detail`` (``--format full``, JSON, SARIF), which never repeats the message.

Checked on every example of every rule page, linted with every rule on, opt-in sets
included (the findings a user may see on those files, of whatever rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.rules import Rule

from .test_rule_pages import HEADINGS, IDS, RULES, case_dir, examples, lay_out

EVERY_RULE = frozenset(IDS)
LONGEST = 160  # characters of a message's one line


def messages(rule: Rule) -> list[tuple[str, str, str, str]]:
    """(case label, code, message, detail) of every finding of every rule (opt-in ones
    too) on every example of the rule's page, each laid out where the snapshots lay it
    out (a message may name the case's directory: ``case_dir`` gives it one length)."""
    out = []
    for case in (c for h in HEADINGS for c in examples(rule, h)):
        with case_dir() as where:
            if not lay_out(case, where):
                continue  # sets owners: root only
            assume = Assumptions(version=case.version) if case.version else None
            report = lint([str(where / case[0][0])], assume, only=EVERY_RULE)
        out += [(case.label, d.code, d.message, d.detail) for d in report.diagnostics]
    return out


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_messages_are_one_short_line(rule: Rule) -> None:
    for label, code, message, detail in messages(rule):
        where = f"{rule.code}.md {label}: {code}"
        assert "\n" not in message, f"{where}: more than one line: {message!r}"
        assert len(message) <= LONGEST, f"{where}: {len(message)} characters: {message}"
        assert message.strip() == message and message, f"{where}: {message!r}"
        # the detail adds to the message: it never says it again
        assert message not in detail, f"{where}: the detail repeats the message: {detail}"
        assert detail.strip() == detail, f"{where}: {detail!r}"


def test_a_finding_has_a_detail_paragraph(tmp_path: Path) -> None:
    """What a user sees with ``--format full``: the one-line message, then the detail."""
    from uwsgi_lint.render import full

    conf = tmp_path / "app.ini"
    conf.write_text("[uwsgi]\nuid = nobody\nsocket = /run/app.sock\nprocesses = 2\n"
                    "cheaper-step = 1\n", encoding="utf-8")
    report = lint([str(conf)])
    found = [d for d in report.diagnostics if d.code == "UW405"]
    assert len(found) == 1, report.diagnostics
    d = found[0]
    assert d.message.startswith("`cheaper-step` is ignored")
    assert d.detail
    text = full.render(report, color=False)
    assert d.message in text
    assert d.detail.split()[0] in text

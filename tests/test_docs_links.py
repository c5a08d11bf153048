"""``Report.docs_url``: each finding links to its rule's page in every format that can
carry a link; without it, every output is what it was."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.render import full, gitlab, sarif, text
from uwsgi_lint.render import json as json_format
from uwsgi_lint.report import Report
from uwsgi_lint.rules import all_rules

from .helpers import write

TEMPLATE = "https://example.org/rules/{code}.html#{name}"
UW101 = "https://example.org/rules/UW101.html#unknown-option"
UW502 = "https://example.org/rules/UW502.html#socket-world-writable"
OSC8 = re.compile("\x1b]8;;([^\x1b]*)\x1b\\\\(.*?)\x1b]8;;\x1b\\\\")


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """Two findings (UW101, UW502) in a git work tree that is the working directory."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app.ini", "[uwsgi]\nnope = 1\nsocket = /run/a.sock\nchmod-socket = 666\n"
                               "uid = app\ngid = app\n")
    monkeypatch.chdir(tmp_path)
    found = lint(["app.ini"], isolated=True)
    assert [d.code for d in found.diagnostics] == ["UW101", "UW502"]
    return found


def linked(report: Report, url: str | None) -> Report:
    report.docs_url = url
    return report


def test_text_and_full_link_the_code_on_a_terminal(report: Report) -> None:
    for render in (text.render, full.render):
        plain, plain_coloured = render(report), render(report, True)
        assert OSC8.search(plain_coloured) is None
        linked(report, TEMPLATE)
        assert render(report) == plain  # no colour: nothing added, as in ruff
        coloured = render(report, True)
        assert [(url, re.sub("\x1b\\[[0-9;]*m", "", shown))
                for url, shown in OSC8.findall(coloured)] == [(UW101, "UW101"), (UW502, "UW502")]
        assert OSC8.sub(r"\2", coloured) == plain_coloured  # only the link is added
        linked(report, None)


def test_a_hostile_template_cannot_break_out_of_the_link(report: Report) -> None:
    linked(report, "https://example.org/{code}\x1b]8;;https://evil.example\x07 é?token=abc123456")
    out = text.render(report, True)
    urls = [url for url, _ in OSC8.findall(out)]
    assert len(urls) == 2 and urls[0].startswith("https://example.org/UW101")
    assert urls[1].startswith("https://example.org/UW502")
    assert "\x07" not in out and "evil.example\x1b" not in out and "abc123456" not in out
    assert all(re.fullmatch("[\x21-\x7e]+", url) for url in urls)  # printable ASCII (OSC 8)


def test_json_carries_a_url_per_finding(report: Report) -> None:
    schema = json.loads(files("uwsgi_lint").joinpath("schemas/report-v1.json").read_text(
        encoding="utf-8"))
    without = json.loads(json_format.render(report))
    doc = json.loads(json_format.render(linked(report, TEMPLATE)))
    jsonschema.validate(doc, schema)
    jsonschema.validate(without, schema)
    assert [d.pop("url") for d in doc["diagnostics"]] == [UW101, UW502]
    # `page` is always there: the published page, else the one that ships as a file: URI
    assert [d.pop("page") for d in doc["diagnostics"]] == [UW101, UW502]
    shipped = [d.pop("page") for d in without["diagnostics"]]
    assert [Path(url.removeprefix("file://")).name for url in shipped] == [
        "UW101.md", "UW502.md"]
    assert all(Path(url.removeprefix("file://")).is_file() for url in shipped)
    assert doc == without
    assert all("url" not in d for d in without["diagnostics"])


def test_sarif_gives_each_rule_its_help_uri(report: Report) -> None:
    without: dict[str, Any] = sarif.document(report)
    doc: dict[str, Any] = sarif.document(linked(report, TEMPLATE))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r.pop("helpUri") for r in rules] == [
        TEMPLATE.format(code=r.code, name=r.name) for r in all_rules()]
    assert doc == without
    assert all("helpUri" not in r for r in without["runs"][0]["tool"]["driver"]["rules"])


def test_gitlab_puts_the_link_in_the_description(report: Report) -> None:
    without = json.loads(gitlab.render(report))
    doc = json.loads(gitlab.render(linked(report, TEMPLATE)))
    assert [i["description"] for i in doc] == [
        f"{i['description']} ({url})" for i, url in zip(without, (UW101, UW502), strict=True)]
    assert [{**i, "description": ""} for i in doc] == [
        {**i, "description": ""} for i in without]
    assert all("example.org" not in i["description"] for i in without)

"""The cheaper rules UW401-UW406: exact positions and messages, and what must stay silent."""

from __future__ import annotations

from pathlib import Path

from uwsgi_lint.engine import lint

from .helpers import Finding, details, fixed, write
from .helpers import findings as rule_findings
from .helpers import positions as where

CODES = ("UW401", "UW402", "UW403", "UW404", "UW405", "UW406")


def findings(
    tmp_path: Path, name: str, text: str | bytes, *codes: str, **assume: object
) -> list[Finding]:
    """The findings of ``codes`` (default: every cheaper rule) for one file."""
    return rule_findings(tmp_path, name, text, *(codes or CODES), **assume)



# -- UW401 cheaper-not-below-processes ----------------------------------------------------


def test_cheaper_with_default_single_process(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/a.sock\ncheaper = 1\n")
    assert found == [(
        "UW401", 3, 11,
        "`cheaper` (1) is not below `processes` (1: not set, the default): uWSGI exits at "
        "start-up; set `processes` above 1",
    )]
    assert details(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/a.sock\ncheaper = 1\n",
                   "UW401") == [
        "uWSGI exits with \"invalid cheaper value: must be lower than processes\": `cheaper` "
        "is the minimum of workers kept, `processes` the maximum."]


def test_cheaper_equal_to_workers_alias(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nworkers = 4\ncheaper = 4\n")
    report = lint([str(path)])
    (d,) = [d for d in report.diagnostics if d.code == "UW401"]
    assert (d.span.start.line, d.span.start.column) == (3, 11)
    assert d.message.startswith("`cheaper` (4) is not below `workers` (4): uWSGI exits")
    assert d.message.endswith(
        "lower `cheaper` below the number of processes or raise `processes`")
    assert [(r.message, r.span.start.line) for r in d.related] == [
        ("`processes` is set here", 2)]


def test_cheaper_last_value_and_atoi(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 2\ncheaper = 1\nprocesses = 8\ncheaper = 8 ; min\n"
    assert where(findings(tmp_path, "a.ini", text, "UW401")) == [("UW401", 5, 11)]
    text = "[uwsgi]\nprocesses = 2\ncheaper = 2\ncheaper = 1\n"
    assert findings(tmp_path, "b.ini", text, "UW401") == []


def test_cheaper_in_json_yaml_xml(tmp_path: Path) -> None:
    assert where(findings(tmp_path, "a.json", '{"uwsgi": {"cheaper": 2, "processes": 2}}\n',
                          "UW401")) == [("UW401", 1, 23)]
    assert where(findings(tmp_path, "a.yaml", "uwsgi:\n  cheaper: 3\n", "UW401")) == [
        ("UW401", 2, 12)]
    assert where(findings(tmp_path, "a.xml", "<uwsgi>\n<cheaper>2</cheaper>\n</uwsgi>\n",
                          "UW401")) == [("UW401", 2, 10)]


def test_cheaper_silent_cases(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\ncheaper = 0\n",  # off
        "[uwsgi]\ncheaper = abc\n",  # reads as 0: off
        "[uwsgi]\nprocesses = 4\ncheaper = 3\n",
        "[uwsgi]\nprocesses = %k\ncheaper = 2\n",  # the host's CPU count: unknown here
        "[uwsgi]\nprocesses = $(WORKERS)\ncheaper = 2\n",
        "[uwsgi]\ncheaper = -1\n",  # UW104's case
        # an undecided branch may raise processes: no finding
        "[uwsgi]\nif-env = PROD\nprocesses = 8\nendif =\ncheaper = 2\n",
        "[uwsgi]\nprocesses = 8\nif-env = SMALL\nprocesses = 2\nendif =\ncheaper = 2\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW401") == [], text


def test_cheaper_under_undecided_condition_still_fatal(tmp_path: Path) -> None:
    text = "[uwsgi]\nif-env = SCALE\ncheaper = 4\nendif =\nprocesses = 4\n"
    assert where(findings(tmp_path, "a.ini", text, "UW401")) == [("UW401", 3, 11)]


def test_decided_condition_counts(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 8\nif-env = SMALL\nprocesses = 2\nendif =\ncheaper = 2\n"
    assert where(findings(tmp_path, "a.ini", text, "UW401", env={"SMALL": "1"})) == [
        ("UW401", 6, 11)]
    assert findings(tmp_path, "b.ini", text, "UW401", env={}) == []


def test_included_twice_reported_once(tmp_path: Path) -> None:
    write(tmp_path, "part.ini", "[uwsgi]\ncheaper = 2\n")
    text = "[uwsgi]\nini = part.ini\nini = part.ini\n"
    found = findings(tmp_path, "a.ini", text, "UW401")
    assert len(found) == 1


# -- UW402 cheaper-initial-out-of-range ---------------------------------------------------


def test_cheaper_initial_below_cheaper(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 4\ncheaper = 2\ncheaper-initial = 1\n"
    assert findings(tmp_path, "a.ini", text, "UW402") == [(
        "UW402", 4, 19,
        "`cheaper-initial` (1) is below `cheaper` (2): uWSGI starts 2 workers instead; set it "
        "between `cheaper` and `processes`",
    )]
    assert details(tmp_path, "a.ini", text, "UW402") == [
        "uWSGI logs \"warning: invalid cheaper-initial value\". Both `cheaper` and "
        "`processes` are valid values of `cheaper-initial`."]


def test_cheaper_initial_above_processes(tmp_path: Path) -> None:
    text = "[uwsgi]\nworkers = 4\ncheaper = 1\ncheaper-initial = 6\n"
    found = findings(tmp_path, "a.ini", text, "UW402")
    assert where(found) == [("UW402", 4, 19)]
    assert found[0][3].startswith(
        "`cheaper-initial` (6) is above `workers` (4): uWSGI starts all 4 workers instead")


def test_cheaper_initial_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nprocesses = 4\ncheaper = 2\ncheaper-initial = 2\n",
        "[uwsgi]\nprocesses = 4\ncheaper = 2\ncheaper-initial = 4\n",
        "[uwsgi]\nprocesses = 4\ncheaper = 2\ncheaper-initial = 0\n",  # unset
        "[uwsgi]\nprocesses = 4\ncheaper-initial = 8\n",  # cheaper off: UW405
        "[uwsgi]\ncheaper = 2\ncheaper-initial = 8\n",  # fatal first: UW401
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW402") == [], text


# -- UW403/UW404 RSS limits ---------------------------------------------------------------


def test_rss_soft_without_memory_report(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 4\ncheaper = 1\ncheaper-rss-limit-soft = 200000000\n"
    assert findings(tmp_path, "a.ini", text, "UW403") == [(
        "UW403", 4, 1,
        "`cheaper-rss-limit-soft` needs the memory report and `memory-report` is not set: "
        "uWSGI exits at start-up; add `memory-report = true`",
    )]
    assert details(tmp_path, "a.ini", text, "UW403") == [
        "uWSGI exits with \"enabling cheaper-rss-limit-soft requires enabling also "
        "memory-report\"."]


def test_rss_soft_memory_report_off(tmp_path: Path) -> None:
    text = "[uwsgi]\nmemory-report = no\ncheaper-rss-limit-soft = 200000000\n"
    found = findings(tmp_path, "a.ini", text, "UW403")
    assert where(found) == [("UW403", 3, 1)]
    assert "and `memory-report = no` leaves it off:" in found[0][3]


def test_rss_soft_memory_report_true_on_21(tmp_path: Path) -> None:
    text = "[uwsgi]\nmemory-report = true\ncheaper-rss-limit-soft = 200000000\n"
    assert findings(tmp_path, "a.ini", text, "UW403") == []
    found = findings(tmp_path, "b.ini", text, "UW403", version="2.1")
    assert where(found) == [("UW403", 3, 1)]
    assert found[0][3].endswith("; add `memory-report = 1`")
    assert details(tmp_path, "b.ini", text, "UW403", version="2.1")[0].endswith(
        " `memory-report` is a number on this uWSGI version: `true` reads as 0.")


def test_rss_soft_silent_with_memory_collection(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nmemory-report = true\ncheaper-rss-limit-soft = 2000\n",
        "[uwsgi]\nmemory-report\ncheaper-rss-limit-soft = 2000\n",  # bare key: on (2.0)
        "[uwsgi]\nreload-on-rss = 512\ncheaper-rss-limit-soft = 2000\n",
        "[uwsgi]\nevil-reload-on-as = 0\ncheaper-rss-limit-soft = 2000\n",  # flag alone
        "[uwsgi]\ncheaper-rss-limit-soft = 0\n",
        "[uwsgi]\ncheaper-rss-limit-soft = $(SOFT)\n",
        "[uwsgi]\nif-env = X\nmemory-report = 1\nendif =\ncheaper-rss-limit-soft = 2000\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW403") == [], text


def test_rss_hard_without_soft_and_not_above(tmp_path: Path) -> None:
    text = "[uwsgi]\nmemory-report = 1\ncheaper-rss-limit-hard = 300\n"
    assert findings(tmp_path, "a.ini", text, "UW404") == [(
        "UW404", 3, 1,
        "`cheaper-rss-limit-hard` without `cheaper-rss-limit-soft`: uWSGI exits at start-up; "
        "add a soft limit below 300 bytes",
    )]
    assert details(tmp_path, "a.ini", text, "UW404") == [
        "uWSGI exits with \"enabling cheaper-rss-limit-hard requires setting also "
        "cheaper-rss-limit-soft\". The soft limit also needs `memory-report`."]
    text = ("[uwsgi]\nmemory-report = 1\ncheaper-rss-limit-soft = 300\n"
            "cheaper-rss-limit-hard = 300\n")
    found = findings(tmp_path, "b.ini", text, "UW404")
    assert where(found) == [("UW404", 4, 26)]
    assert found[0][3].startswith(
        "`cheaper-rss-limit-hard` (300 bytes) is not above `cheaper-rss-limit-soft` (300): "
        "uWSGI exits at start-up;")
    assert details(tmp_path, "b.ini", text, "UW404")[0].startswith(
        "uWSGI exits with \"cheaper-rss-limit-hard value must be higher than "
        "cheaper-rss-limit-soft value\".")
    text = ("[uwsgi]\nmemory-report = 1\ncheaper-rss-limit-soft = 300\n"
            "cheaper-rss-limit-hard = 301\n")
    assert findings(tmp_path, "c.ini", text, "UW404") == []


# -- UW405 cheaper-option-without-cheaper -------------------------------------------------


def test_cheaper_options_without_cheaper(tmp_path: Path) -> None:
    text = ("[uwsgi]\nprocesses = 8\ncheaper-initial = 2\ncheaper-busyness-max = 50\n"
            "cheaper-list = true\n")
    found = findings(tmp_path, "a.ini", text, "UW405")
    assert where(found) == [("UW405", 3, 1), ("UW405", 4, 1)]
    assert found[0][3] == (
        "`cheaper-initial` is ignored: `cheaper` is not set, so cheaper mode is off; set "
        "`cheaper` (the fewest workers) or remove this line")
    said = details(tmp_path, "a.ini", text, "UW405")
    assert said[0] == (
        "`cheaper` is not set (0, the default), which turns cheaper mode off, yet this option "
        "still turns the master process on. Set `cheaper` to the minimum number of workers "
        "(below `processes`).")
    # cheaper-busyness-* carry no MASTER flag
    assert "master" not in said[1]


def test_cheaper_zero_explicit(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\ncheaper = 0\ncheaper-step = 2\n")
    (d,) = [d for d in lint([str(path)]).diagnostics if d.code == "UW405"]
    assert d.message.startswith("`cheaper-step` is ignored: `cheaper = 0`, so cheaper mode is off")
    assert d.detail.startswith("`cheaper = 0` reads as 0, which turns cheaper mode off")
    assert [r.span.start.line for r in d.related] == [2]


def test_cheaper_options_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nprocesses = 8\ncheaper = 2\ncheaper-step = 2\n",
        "[uwsgi]\nprocesses = 8\nif-env = X\ncheaper = 2\nendif =\ncheaper-step = 2\n",
        "[uwsgi]\ncheaper = $(MIN)\ncheaper-step = 2\n",
        "[uwsgi]\ncheaper-algo-list = true\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW405") == [], text


def test_cheaper_options_fix_removes_them_but_not_the_master(tmp_path: Path) -> None:
    # cheaper-initial turns the master on: removed only when `master` keeps it on
    text = "[uwsgi]\nprocesses = 8\ncheaper-initial = 2\ncheaper-busyness-max = 50\n"
    want = "[uwsgi]\nprocesses = 8\ncheaper-initial = 2\n"
    assert fixed(tmp_path, "a.ini", text, "UW405") == text  # unsafe: not by default
    assert fixed(tmp_path, "a.ini", text, "UW405", unsafe=True) == want
    assert fixed(tmp_path, "a.ini", want, "UW405", unsafe=True) == want
    text = ("uwsgi:\r\n  master: true\r\n  cheaper-initial: 2\r\n"
            "  cheaper-busyness-max: 50\r\n")
    want = "uwsgi:\r\n  master: true\r\n"
    assert fixed(tmp_path, "b.yaml", text, "UW405", unsafe=True) == want
    assert fixed(tmp_path, "b.yaml", want, "UW405", unsafe=True) == want

# -- UW406 unknown-cheaper-algo -----------------------------------------------------------


def test_unknown_algo_with_suggestion(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 8\ncheaper = 2\ncheaper-algo = busy\n"
    assert findings(tmp_path, "a.ini", text, "UW406") == [(
        "UW406", 4, 16,
        "uWSGI has no cheaper algorithm `busy`: uWSGI uses `spare`; did you mean `busyness`?",
    )]
    assert details(tmp_path, "a.ini", text, "UW406") == [
        "When the master starts, uWSGI logs \"unable to find requested cheaper algorithm, "
        "falling back to spare\" and uses `spare`."]


def test_plugin_and_version_algos(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 8\ncheaper = 2\ncheaper-algo = backlog2\n"
    found = findings(tmp_path, "a.ini", text, "UW406")
    assert where(found) == [("UW406", 4, 16)]
    assert found[0][3] == (
        "`backlog2` needs the cheaper_backlog2 plugin, not loaded here: uWSGI uses `spare`; "
        "add `plugins = cheaper_backlog2`")
    assert details(tmp_path, "a.ini", text, "UW406")[0].startswith(
        "The cheaper_backlog2 plugin is not in the default uWSGI build and this config does "
        "not load it. Or use one of backlog, busyness, manual, spare. ")
    loaded = ("[uwsgi]\nplugins = cheaper_backlog2\ncheaper = 1\nprocesses = 2\n"
              "cheaper-algo = backlog2\n")
    assert findings(tmp_path, "b.ini", loaded, "UW406") == []
    plugins = frozenset({"cheaper_backlog2"})
    assert findings(tmp_path, "c.ini", text, "UW406", plugins=plugins) == []
    text = "[uwsgi]\nprocesses = 8\ncheaper = 2\ncheaper-algo = spare2\n"
    found = findings(tmp_path, "d.ini", text, "UW406")
    assert found[0][3].startswith("`spare2` exists only in uWSGI 2.1 (target version 2.0)")
    assert findings(tmp_path, "e.ini", text, "UW406", version="2.1") == []


def test_known_algos_silent(tmp_path: Path) -> None:
    for i, algo in enumerate(["spare", "backlog", "manual", "busyness", "$(ALGO)"]):
        text = f"[uwsgi]\nprocesses = 8\ncheaper = 2\ncheaper-algo = {algo}\n"
        assert findings(tmp_path, f"s{i}.ini", text, "UW406") == [], algo


def test_yaml_quotes_are_part_of_the_algo(tmp_path: Path) -> None:
    text = 'uwsgi:\n  processes: 8\n  cheaper: 2\n  cheaper-algo: "busyness"\n'
    found = findings(tmp_path, "a.yaml", text, "UW406")
    assert where(found) == [("UW406", 4, 17)]
    assert found[0][3].endswith("did you mean `busyness`?")

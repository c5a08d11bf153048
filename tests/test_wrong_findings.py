"""Findings that were wrong on real configs (issue 13, "Fewer wrong findings"): UW022 on an
``@(exec://...)`` that gives a value, not config; UW108 proposing the option being set; an
unrelated project's Emperor attached through an absolute monitor; "no X" findings about a
file that could not be read to its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.facts import Views
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.instance.build import build_instance
from uwsgi_lint.settings import Selection
from uwsgi_lint.tree import context_emperors

from .conftest import ORACLE, ORACLE_BIN, run_oracle
from .helpers import write


def found(*paths: Path) -> list[tuple[str, str, int, str]]:
    """(file name, code, line, message) of every finding of a run over ``paths``."""
    report = lint([str(p) for p in paths], selection=Selection(extend_select=("UW022",)))
    assert report.errors == []
    return [(Path(d.span.file).name, d.code, d.span.start.line, d.message)
            for d in report.diagnostics]


def codes(*paths: Path) -> list[str]:
    return [code for _, code, _, _ in found(*paths)]


def needs_oracle() -> None:
    if not ORACLE.exists() or not ORACLE_BIN.exists():
        pytest.skip("uwsgi-oracle binary not built")


# -- a. UW022: an @() in a value that names no config --------------------------------------


@pytest.mark.oracle
def test_at_file_in_a_value_gives_the_value_not_options(tmp_path: Path) -> None:
    # what `@()` reads becomes the value, even when it looks like an option
    needs_oracle()
    write(tmp_path, "name.txt", "processes = 8\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nprocname = @(%dname.txt)\n")
    result = run_oracle(app)
    assert result["ok"], result
    assert ["procname", "processes = 8"] in result["options"]
    assert "processes" not in [k for k, _ in result["options"]]


def test_exec_in_a_log_path_is_not_an_unchecked_include(tmp_path: Path) -> None:
    # uWSGI 2.0.31 (run by hand, the oracle refuses exec://): `logto = @(exec://echo
    # /tmp/x.log)` runs the command and logs to /tmp/x.log; no config is read from it
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nmodule = app\nlogto = @(exec://echo /var/log/app.log)\n"
        "procname = @(/etc/hostname)\nenv = TOKEN=@(fd://3)\n"))
    assert codes(app) == []


def test_exec_that_names_a_config_is_still_reported(tmp_path: Path) -> None:
    write(tmp_path, "base.ini", "[uwsgi]\nprocesses = 7\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nmodule = app\ninherit = @(exec://echo base.ini)\n")
    # uWSGI runs it and inherits what it prints (base.ini): no "cannot load" exit (UW113)
    assert found(app) == [(
        "app.ini", "UW022", 3,
        "'@(exec://echo base.ini)' is not read: exec:// is never executed or fetched, so what "
        "`inherit` names is unknown here, and what it adds is not checked")]
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = @(exec://echo /srv/vassals)\n")
    assert [(c, line) for _, c, line, _ in found(emperor)] == [("UW022", 2)]


def test_inherit_named_by_the_environment_is_not_reported_missing(tmp_path: Path) -> None:
    # uWSGI 2.0.31 with BASE=base inherits base.ini; the environment is unknown here
    write(tmp_path, "base.ini", "[uwsgi]\nprocesses = 7\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nmodule = app\ninherit = $(BASE).ini\n")
    [(name, code, line, message)] = found(app)
    assert (name, code, line) == ("app.ini", "UW022", 3)
    assert message.startswith("'$(BASE).ini' is not read: its name depends on the environment")


def test_undefined_placeholder_is_reported_beside_an_exec_value(tmp_path: Path) -> None:
    # an @() value defines no name, so it no longer hides UW108
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nlogto = @(exec://echo /var/log/app.log)\nchdir = %(base)/app\n"))
    assert codes(app) == ["UW108"]
    # a config source that was not read may define it: still silent
    other = write(tmp_path, "other.ini",
                  "[uwsgi]\nini = /etc/uwsgi/base.ini\nchdir = %(base)/app\n")
    assert "UW108" not in codes(other)


# -- b. UW108: did-you-mean never proposes the option being set ----------------------------


def test_alias_hint_is_not_the_option_being_set(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", "[uwsgi]\nmodule = app\nvirtualenv = %(venv)\n")
    [(_, code, line, message)] = found(app)
    assert (code, line) == ("UW108", 3)
    # `%(virtualenv)` there refers to itself: uWSGI keeps it as text (the oracle shows
    # `virtualenv = %(virtualenv)` unchanged), or hangs with more around it (UW109)
    assert "%(virtualenv)" not in message
    assert "aliases" not in message


@pytest.mark.oracle
def test_self_reference_is_no_fix(tmp_path: Path) -> None:
    needs_oracle()
    app = write(tmp_path, "app.ini", "[uwsgi]\nvirtualenv = %(virtualenv)\n")
    assert run_oracle(app)["options"] == [["virtualenv", "%(virtualenv)"]]


def test_close_name_hint_is_not_the_option_being_set(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", "[uwsgi]\nmodule = app\nchdir = %(chdr)/app\n")
    [(_, code, _, message)] = found(app)
    assert code == "UW108"
    assert "did you mean" not in message


def test_hints_naming_another_option_are_kept(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nmodule = app\nvirtualenv = /srv/venv\nchdir = /srv/app\n"
        "home = %(venv)\npythonpath = %(chdr)\n"))
    messages = [m for _, c, _, m in found(app) if c == "UW108"]
    assert len(messages) == 2
    assert "write `%(virtualenv)`, the name the config uses" in messages[0]
    assert messages[1].endswith("did you mean `%(chdir)`?")


# -- c. an absolute monitor maps into the tree only without ambiguity ----------------------

ABSOLUTE = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = true\ndie-on-term = true\n"
SOS = "[uwsgi]\nmodule = app\nvassal-sos = 10\n"


def test_unrelated_project_emperor_is_not_attached(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "services/a/emperor.ini", ABSOLUTE)
    write(repo, "services/a/vassals/a.ini", "[uwsgi]\nmodule = a\n")
    app = write(repo, "services/b/vassals/app.ini", SOS)
    assert context_emperors([str(app)], {str(app)}, Assumptions()) == []
    assert "UW410" not in codes(app)  # the SOS is not judged against that Emperor
    # the whole tree: the Emperor maps to its own vassals directory, the nearer one
    report = lint([str(repo)])
    assert [(Path(d.span.file).name, d.code) for d in report.diagnostics
            if d.code == "UW410"] == []


def test_two_equally_near_candidates_attach_none(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "services/x/emperor.ini", ABSOLUTE)
    app = write(repo, "services/a/vassals/app.ini", SOS)
    write(repo, "services/b/vassals/app.ini", SOS)
    assert context_emperors([str(app)], {str(app)}, Assumptions()) == []
    assert "UW410" not in codes(repo)


def test_single_candidate_is_still_attached(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    emperor = write(repo, "deploy/emperor.ini", ABSOLUTE)
    app = write(repo, "deploy/vassals/app.ini", SOS)
    assert context_emperors([str(app)], {str(app)}, Assumptions()) == [str(emperor)]
    assert codes(app) == ["UW410"]


def test_each_project_emperor_maps_to_its_own_vassals(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "a/emperor.ini", ABSOLUTE)
    write(repo, "a/vassals/app.ini", SOS)
    write(repo, "b/emperor.ini", ABSOLUTE + "emperor-broodlord = 4\n")
    write(repo, "b/vassals/app.ini", SOS)
    report = lint([str(repo)])
    assert [(Path(d.span.file).parent.parent.name, d.code) for d in report.diagnostics
            if d.code == "UW410"] == [("a", "UW410")]


# -- d. no "no X" about an instance that was not read to its end ---------------------------

XML_BROKEN = ("<uwsgi>\n  <master>true</master>\n  <uid>www-data</uid>\n"
              "  <module>app & more</module>\n  <gid>www-data</gid>\n</uwsgi>\n")


def read_whole(path: Path) -> bool:
    return Views(Assumptions()).of(build_instance(str(path))).read_whole()


@pytest.mark.oracle
def test_xml_parse_error_stops_uwsgi(tmp_path: Path) -> None:
    needs_oracle()
    app = write(tmp_path, "app.xml", XML_BROKEN)
    result = run_oracle(app)
    assert not result["ok"]
    assert "could not parse file" in result["stderr_tail"]


def test_absence_rules_are_silent_after_a_parse_error(tmp_path: Path) -> None:
    app = write(tmp_path, "app.xml", XML_BROKEN)
    assert not read_whole(app)
    assert codes(app) == ["UW001"]  # not UW123 "uid without gid": `<gid>` is past the error
    yaml = write(tmp_path, "app.yaml", (
        "uwsgi:\n  uid: www-data\n  cheaper: 2\n  processes: 4\n  - oops\n  gid: www-data\n"
        "  cheaper-rss-limit-soft: 100000000\n  memory-report: true\n"))
    assert not read_whole(yaml)
    assert [c for c in codes(yaml) if c not in ("UW007", "UW013")] == []


def test_absence_rules_are_silent_when_an_include_is_not_read(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nini = /etc/uwsgi/common.ini\nuid = www-data\ncheaper = 1\n"
        "cheaper-rss-limit-soft = 100000000\n"))
    assert not read_whole(app)
    assert codes(app) == ["UW022"]  # it may set `gid`, `processes`, `memory-report`


def test_absence_rules_still_report_a_file_read_whole(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nlogto = @(exec://echo /var/log/app.log)\nuid = www-data\ncheaper = 1\n"
        "cheaper-rss-limit-soft = 100000000\n"))
    assert read_whole(app)
    assert sorted(codes(app)) == ["UW123", "UW401", "UW403"]

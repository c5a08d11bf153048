"""Building the instance: includes, logic, set, and the $() @() %() passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.instance.build import build_instance

from .helpers import expanded, instance, write


def test_placeholder_takes_the_first_occurrence_and_arithmetic(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nworkers = 4\nworkers = 2\nfoo = %(workers)\n"
        "a = %(undefined)\nb = %(later)\nlater = x\nc = %(workers + 1)\n"
        "d = %(workers * 3)\ne = %(workers / 0)\nf = %(workers ++)\n"))
    assert expanded(instance(path))[2:] == [
        ("foo", "4"), ("a", "%(undefined)"), ("b", "x"), ("later", "x"), ("c", "5"),
        ("d", "12"), ("e", "0"), ("f", "5")]


def test_placeholders_are_not_re_expanded_at_position_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nself = %(self)x\nc = %(a)\na = %(b)\nb = z\n")
    assert expanded(instance(path)) == [
        ("self", "%(self)xx"), ("c", "%(b)"), ("a", "z"), ("b", "z")]


def test_self_reference_that_never_ends_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\na = x%(a)\n")
    inst = instance(path)
    assert [p.code for p in inst.problems] == ["uwsgi-hang"]
    assert inst.problems[0].span.start.line == 2


def test_env_unknown_by_default_and_known_when_given(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nc = pre-$(FOO)-post\nd = $(FOO\n")
    unknown = instance(path)
    assert expanded(unknown) == [("c", "pre-$(FOO)-post"), ("d", "$(FOO")]
    assert unknown.options[0].unresolved == ("$(FOO)",)
    known = instance(path, env={"FOO": "bar"})
    assert expanded(known) == [("c", "pre-bar-post"), ("d", "$(FOO")]
    assert known.options[0].unresolved == ()


def test_at_file_relative_to_cwd_with_one_newline_stripped(tmp_path: Path) -> None:
    (tmp_path / "val.txt").write_text("two\nlines\n\n")
    path = write(tmp_path, "a.ini", "[uwsgi]\na = @(val.txt)\nb = @(missing.txt)\n"
                 "c = @(exec://touch canary)\n")
    inst = instance(path, cwd=str(tmp_path))
    assert expanded(inst) == [("a", "two\nlines\n"), ("b", "@(missing.txt)"),
                              ("c", "@(exec://touch canary)")]
    assert inst.options[2].unresolved == ("@(exec://touch canary)",)
    assert not (tmp_path / "canary").exists()


def test_logic_for_is_line_major_and_if_env(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nfor = a b\nx = %(_)\ny = i-%(_)\nendfor =\n"
        "if-env = PROD\nprocesses = 8\nendif =\nif-not-env = PROD\nprocesses = 1\nendif =\n"))
    prod = expanded(instance(path, env={"PROD": "1"}))
    assert prod == [
        ("for", "a b"), ("x", "a"), ("x", "b"), ("y", "i-a"), ("y", "i-b"), ("endfor", ""),
        ("if-env", "PROD"), ("processes", "8"), ("endif", ""), ("if-not-env", "PROD"),
        ("endif", "")]
    unknown = instance(path)
    keys = [k for k, _ in expanded(unknown)]
    assert keys.count("processes") == 2  # both branches kept, marked undecided
    assert len(unknown.conditional) == 2


def test_nested_logic_in_a_true_block_is_fatal(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nif-env = A\nif-env = B\nx = 1\nendif =\ny = 2\n")
    inst = instance(path, env={"A": "1"})
    assert [p.message for p in inst.problems] == [
        "recursive logic in options is not supported (option = if-env)"]
    false_outer = instance(path, env={})
    # the inner opener is swallowed and the inner endif ends the outer block
    assert expanded(false_outer) == [("if-env", "A"), ("endif", ""), ("y", "2")]


def test_includes_are_spliced_in_place_with_their_origin(tmp_path: Path) -> None:
    write(tmp_path, "part.ini", "[uwsgi]\nb = 2\n[extra]\nc = 3\n")
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\na = 1\nini = %dpart.ini\nini = :extra\ninclude = part.ini\nd = 4\n"))
    inst = instance(path)
    assert expanded(inst) == [
        ("a", "1"), ("ini", f"{tmp_path}/part.ini"), ("b", "2"), ("ini", ":extra"), ("c", "3"),
        ("include", "part.ini"), ("b", "2"), ("d", "4")]
    b = inst.options[2]
    assert b.file == str(tmp_path / "part.ini") and b.span.start.line == 2
    assert [(o.kind, o.span.start.line) for o in b.origin] == [("ini", 3)]


def test_immediate_options_see_no_placeholders(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nx = part\ninclude = %(x).ini\n")
    inst = instance(path)
    assert inst.options[1].expanded is None and inst.options[1].effective == "%(x).ini"
    assert [p.code for p in inst.problems] == ["UW020"]


def test_include_cycle_is_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "b.ini", "[uwsgi]\nini = a.ini\n")
    path = write(tmp_path, "a.ini", "[uwsgi]\nini = b.ini\n")
    inst = instance(path, cwd=str(tmp_path))
    assert [p.code for p in inst.problems] == ["UW021"]
    assert "includes itself" in inst.problems[0].message


def test_schemes_are_recorded_never_run(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nini = exec://touch canary\nini = http://127.0.0.1:9/x.ini\nmaster = 1\n"))
    inst = instance(path, cwd=str(tmp_path))
    assert [(u.target, u.reason) for u in inst.unread] == [
        ("exec://touch canary", "exec:// is never executed or fetched"),
        ("http://127.0.0.1:9/x.ini", "http:// is never executed or fetched")]
    assert not (tmp_path / "canary").exists()


def test_set_and_set_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nset-ph = myvar=42\nset = processes=3\nx = %(myvar)\nset-ph = processes=4\n"))
    inst = instance(path)
    assert expanded(inst) == [
        ("set-ph", "myvar=42"), ("myvar", "42"), ("set", "processes=3"), ("processes", "3"),
        ("x", "42"), ("set-ph", "processes=4"), ("processes", "4")]
    assert [p.message for p in inst.problems] == [
        "you cannot use processes as a placeholder, it is already an option"]


def test_inherit_overrides_and_is_not_expanded(tmp_path: Path) -> None:
    write(tmp_path, "base.ini", "[uwsgi]\nprocesses = 8\nlog = %(x)\n")
    path = write(tmp_path, "a.ini", "[uwsgi]\ninherit = base.ini\nprocesses = 2\nx = 1\n")
    inst = instance(path, cwd=str(tmp_path))
    assert expanded(inst) == [
        ("inherit", "base.ini"), ("processes", "2"), ("x", "1"), ("processes", "8"),
        ("log", "%(x)")]


def test_colon_section_rereads_the_last_ini_given_by_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "conf/app.ini", "[uwsgi]\nini = :base\n[base]\nmaster = 1\n")
    monkeypatch.chdir(tmp_path)
    inst = build_instance("conf/app.ini")
    assert expanded(inst) == [("ini", ":base"), ("master", "1")]
    assert inst.problems == []

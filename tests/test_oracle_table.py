"""The parsing rows of the oracle's experiments table (../shared/tools/oracle/README.md),
as recorded on the real uWSGI 2.0.31, replayed through uwsgi-lint (INI rows; the YAML,
JSON and XML rows live in those readers' tests)."""

from __future__ import annotations

from pathlib import Path

from .helpers import expanded, instance, write


def test_row1_flags_are_listed_verbatim(tmp_path: Path) -> None:
    values = ["true", "false", "0", "1", "yes", "no", "on", "off", "maybe", ""]
    text = "[uwsgi]\n" + "".join(f"master = {v}\n" for v in values) + "master\n"
    assert expanded(instance(write(tmp_path, "a.ini", text))) == [
        ("master", v) for v in [*values, ""]]


def test_row2_repeats_kept_and_placeholder_takes_first(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nprocesses = 2\nprocesses = 4\nfirst = %(processes)\nenv = A=1\nenv = B=2\n"))
    assert expanded(instance(path)) == [
        ("processes", "2"), ("processes", "4"), ("first", "2"), ("env", "A=1"), ("env", "B=2")]


def test_row3_undefined_later_and_arithmetic(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\na = %(undefined_var)\nb = %(later)\nc = %(processes + 1)\nlater = x\n"
        "processes = 4\n"))
    inst = instance(path)
    assert expanded(inst)[:3] == [("a", "%(undefined_var)"), ("b", "x"), ("c", "5")]
    assert inst.options[0].unresolved == ("%(undefined_var)",)


def test_row5_magic_variables(tmp_path: Path) -> None:
    path = write(tmp_path, "magic.ini", "[uwsgi]\nv = %n %s %e %c %x %V 100%% %q.\n")
    assert expanded(instance(path)) == [
        ("v", f"magic magic.ini ini {tmp_path.name}  2.0.31 100% .")]


def test_row6_percent_eats_the_newline(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nratio = 50%\nprocesses = 2\nx = 50% off\n# cpu at 100%\nprocesses = 3\n"))
    assert expanded(instance(path)) == [("ratio", "50processes = 2"), ("x", "50off")]


def test_row7_env(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\na = $(UNDEFINED_ENV)\nc = pre-$(FOO)-post\nd = $(FOO\nenv = FOO=x\n"))
    assert expanded(instance(path, env={"FOO": "bar"})) == [
        ("a", "$(UNDEFINED_ENV)"), ("c", "pre-bar-post"), ("d", "$(FOO"), ("env", "FOO=x")]


def test_row10_unknown_keys_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nno-such-option = 1\n")
    assert expanded(instance(path)) == [("no-such-option", "1")]


def test_row17_ini_syntax(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\r\nprocesses = 4 ; c\r\nhttp-socket = :8080  # t\r\nquoted = \"a b\"\r\n"
        "  threads   =   2   \r\n= v\r\n"))
    assert expanded(instance(path)) == [
        ("processes", "4 ; c"), ("http-socket", ":8080  # t"), ("quoted", '"a b"'),
        ("threads", "2"), ("", "v")]


def test_row18_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", (
        "pre = 0\n[uwsgi]\na = 1\n[other]\nb = 2\n[uwsgi]\nc = 3\n[uwsgi\nd = 4\n"))
    assert expanded(instance(path)) == [("a", "1"), ("c", "3")]
    assert expanded(instance(write(tmp_path, "b.ini", "[other]\nb = 2\n"))) == []


def test_row19_includes_in_place(tmp_path: Path) -> None:
    write(tmp_path, "part.ini", "[part]\np = 1\n")
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nbefore = 1\nini = :extra\nini = %dpart.ini:part\nafter = 1\n"
        "[extra]\ne = 1\n"))
    assert expanded(instance(path)) == [
        ("before", "1"), ("ini", ":extra"), ("e", "1"), ("ini", f"{tmp_path}/part.ini:part"),
        ("p", "1"), ("after", "1")]


def test_row20_logic(tmp_path: Path) -> None:
    (tmp_path / "exists.txt").write_text("")
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nif-env = FOO\nfoo = %(_)\nendif =\nif-env = FOO=bar\nbar = 1\nendif =\n"
        "for = x y\ne = item-%(_)\nendfor =\nif-exists = exists.txt\nex = %(_)\nendif =\n"
        "if-opt = e\nopt = %(_)\nendif =\n"))
    assert expanded(instance(path, env={"FOO": "bar"}, cwd=str(tmp_path))) == [
        ("if-env", "FOO"), ("foo", "bar"), ("endif", ""), ("if-env", "FOO=bar"), ("bar", "1"),
        ("endif", ""), ("for", "x y"), ("e", "item-x"), ("e", "item-y"), ("endfor", ""),
        ("if-exists", "exists.txt"), ("ex", "exists.txt"), ("endif", ""), ("if-opt", "e"),
        ("opt", "item-x"), ("endif", "")]


def test_row21_set_placeholder(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nset-ph = myvar=42\nset = processes=3\n")
    assert expanded(instance(path)) == [
        ("set-ph", "myvar=42"), ("myvar", "42"), ("set", "processes=3"), ("processes", "3")]

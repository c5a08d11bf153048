"""Magic variables: substitution in the raw text, as core/utils.c: magic_sub() does it."""

from __future__ import annotations

import os
from pathlib import Path

from uwsgi_lint.magic import Host, file_table, substitute

from .helpers import substituted


def test_file_variables(tmp_path: Path) -> None:
    path = tmp_path / "vassals" / "app.prod.ini"
    path.parent.mkdir()
    path.write_text("")
    text = "%n|%s|%e|%d|%p|%c|%x|%V|%%|%q|%i"
    parts = substituted(path, text).split("|")
    real = os.path.realpath(path)
    assert parts == [
        "app.prod", "app.prod.ini", "ini", os.path.dirname(real) + "/", real, "vassals", "",
        "2.0.31", "%", "", str(os.lstat(real).st_ino),
    ]


def test_directory_components(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("")
    comps = [c for c in os.path.dirname(os.path.realpath(path)).split("/") if c]
    assert substituted(path, "%0 %1") == f"{comps[0]} {comps[1]}"


def test_host_variables_are_unresolved_unless_known(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("")
    table = file_table(str(path), str(path), "", Host())
    exp = substitute("x = %h-%k-%t", table, str(path))
    assert exp.text == "x = %h-%k-%t"
    assert [tok for _, tok in exp.unresolved] == ["%h", "%k", "%t"]
    known = substitute("x = %h-%k", file_table(str(path), str(path), "", Host(
        hostname="web1", cpus="8")), str(path))
    assert known.text == "x = web1-8" and known.unresolved == []


def test_percent_newline_and_percent_at_end_of_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("")
    assert substituted(path, "a = 50%\nb = 1\nc = 9%") == "a = 50b = 1\nc = 9"


def test_upper_case_variables_keep_the_first_file(tmp_path: Path) -> None:
    first = tmp_path / "first.ini"
    second = tmp_path / "second.ini"
    first.write_text("")
    second.write_text("")
    t1 = file_table(str(first), str(first), "", Host())
    t2 = file_table(str(second), str(second), "", Host(), first=t1)
    assert substitute("%N %n", t2, str(second)).text == "first second"


def test_section_variable(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("")
    assert substitute("%x", file_table(f"{path}:prod", str(path), "prod", Host()),
                      str(path)).text == "prod"


def test_percent_before_a_multibyte_character_eats_one_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("")
    assert substituted(path, "x = 5%é") == "x = 5\udca9"

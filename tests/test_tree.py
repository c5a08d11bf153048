"""The Emperor tree on disk: monitors, vassals, injected options, includes, owners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.model import Instance
from uwsgi_lint.tree import assemble

from .helpers import expanded, write


def tree(paths: list[Path], **assume: object) -> list[Instance]:
    return assemble([str(p) for p in paths], Assumptions(**assume))  # type: ignore[arg-type]


def by_name(instances: list[Instance]) -> dict[str, Instance]:
    return {Path(i.root.path).name: i for i in instances}


def test_directory_monitor_governs_valid_files_only(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    v = tmp_path / "vassals"
    v.mkdir()
    for name in ("a.ini", "b.xml", "c.yml", "d.yaml", "e.json", "f.js", ".hidden.ini"):
        (v / name).write_text("[uwsgi]\nmaster = 1\n" if name.endswith("ini") else "")
    for name in ("A.INI", "a.ini.bak", "a.ini~", "notes.txt"):
        (v / name).write_text("[uwsgi]\nmaster = 1\n")
    (v / "sub.ini").mkdir()
    insts = by_name(tree([emperor]))
    boss = insts["emperor.ini"]
    assert boss.role == "emperor"
    [monitor] = boss.monitors
    assert (monitor.kind, monitor.target, monitor.exists) == ("dir", str(v), True)
    assert sorted(Path(p).name for p in monitor.vassals) == [
        ".hidden.ini", "a.ini", "b.xml", "c.yml", "d.yaml", "e.json", "f.js"]
    a = insts["a.ini"]
    assert (a.role, a.emperor, a.monitor, a.cwd) == ("vassal", boss, monitor, str(v))
    assert a.owner == (os.getuid(), os.getgid())


def test_glob_monitor_and_extra_extension(tmp_path: Path) -> None:
    (tmp_path / "apps" / "one").mkdir(parents=True)
    write(tmp_path, "apps/one/app.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "apps/one/app.lua", "-- lua\n")
    emperor = write(tmp_path, "emperor.ini", (
        "[uwsgi]\nemperor = %dapps/*/*\nemperor-extra-extension = .lua\n"))
    [monitor] = by_name(tree([emperor]))["emperor.ini"].monitors
    assert monitor.kind == "glob"
    assert [Path(p).name for p in monitor.vassals] == ["app.ini", "app.lua"]


def test_missing_directory_and_plugin_monitor_govern_nothing(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", (
        "[uwsgi]\nemperor = %dnowhere\nemperor = pg://host=db dbname=uwsgi;SELECT 1\n"))
    dead, pg = by_name(tree([emperor]))["emperor.ini"].monitors
    assert (dead.exists, dead.vassals) == (False, [])
    assert (pg.kind, pg.exists) == ("pg", False)


def test_absolute_monitor_is_found_inside_the_linted_tree(tmp_path: Path) -> None:
    etc = tmp_path / "repo" / "etc" / "uwsgi"
    (etc / "vassals").mkdir(parents=True)
    emperor = write(etc, "emperor.ini", "[uwsgi]\nemperor = /nonexistent-root/uwsgi/vassals\n")
    app = write(etc, "vassals/app.ini", "[uwsgi]\nmaster = 1\n")
    insts = by_name(tree([emperor, app]))
    [monitor] = insts["emperor.ini"].monitors
    assert monitor.mapped_from == "/nonexistent-root/uwsgi/vassals"
    assert monitor.target == str(etc / "vassals")
    assert insts["app.ini"].role == "vassal"


def test_emperor_options_wrap_the_vassal_in_uwsgi_order(tmp_path: Path) -> None:
    write(tmp_path, "before.ini", "[uwsgi]\nprocesses = 1\nsocket = /b.sock\n")
    write(tmp_path, "after.ini", "[uwsgi]\nharakiri = 60\n")
    write(tmp_path, "over.ini", "[uwsgi]\nprocesses = 9\n")
    emperor = write(tmp_path, "emperor.ini", (
        "[uwsgi]\nemperor = %dvassals\nvassals-include-before = %dbefore.ini\n"
        "vassal-set = harakiri=10\nvassals-include = %dafter.ini\nvassals-inherit = %dover.ini\n"))
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nprocesses = 4\nharakiri = 30\n")
    app = by_name(tree([emperor]))["app.ini"]
    assert expanded(app) == [
        ("include", f"{tmp_path}/before.ini"), ("processes", "1"), ("socket", "/b.sock"),
        ("set", "harakiri=10"), ("harakiri", "10"),
        ("processes", "4"), ("harakiri", "30"),
        ("inherit", f"{tmp_path}/over.ini"), ("include", f"{tmp_path}/after.ini"),
        ("harakiri", "60"), ("processes", "9")]
    injected = app.options[0]
    assert injected.file == str(emperor) and injected.span.start.line == 3
    assert [o.kind for o in app.options[1].origin] == ["vassals-include-before", "include"]


def test_relative_includes_resolve_against_the_vassal_directory(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    write(tmp_path, "vassals/common.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nini = common.ini\nprocesses = 2\n")
    app = by_name(tree([emperor]))["app.ini"]
    assert ("master", "1") in expanded(app)
    assert app.unread == []


def test_vassal_that_is_an_emperor_and_two_emperors(tmp_path: Path) -> None:
    first = write(tmp_path, "e1.ini", "[uwsgi]\nemperor = %dzone1\n")
    second = write(tmp_path, "e2.ini", "[uwsgi]\nemperor = %dzone2\n")
    write(tmp_path, "zone1/sub-emperor.ini", "[uwsgi]\nemperor = %d../zone3\n")
    write(tmp_path, "zone2/b.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "zone3/c.ini", "[uwsgi]\nmaster = 1\n")
    insts = by_name(tree([first, second]))
    sub = insts["sub-emperor.ini"]
    assert (sub.role, sub.emperor) == ("emperor", insts["e1.ini"])
    assert insts["c.ini"].emperor is sub
    assert insts["b.ini"].emperor is insts["e2.ini"]


def test_emperor_watching_its_own_directory_does_not_loop(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %d\n")
    write(tmp_path, "app.ini", "[uwsgi]\nmaster = 1\n")
    insts = tree([emperor])
    assert sorted(Path(i.root.path).name for i in insts) == ["app.ini", "emperor.ini"]


def test_symlinked_vassal_with_and_without_nofollow(tmp_path: Path) -> None:
    write(tmp_path, "real/app.ini", "[uwsgi]\nmaster = 1\n")
    (tmp_path / "vassals").mkdir()
    (tmp_path / "vassals" / "app.ini").symlink_to(tmp_path / "real" / "app.ini")
    (tmp_path / "vassals" / "dangling.ini").symlink_to(tmp_path / "nowhere.ini")
    follow = write(tmp_path, "follow.ini", "[uwsgi]\nemperor = %dvassals\n")
    nofollow = write(tmp_path, "nofollow.ini",
                     "[uwsgi]\nemperor = %dvassals\nemperor-nofollow = true\n")
    insts = tree([follow, nofollow])
    governed = {Path(i.root.path).name: [Path(p).name for m in i.monitors for p in m.vassals]
                for i in insts if i.role == "emperor"}
    assert governed == {"follow.ini": ["app.ini"], "nofollow.ini": ["app.ini", "dangling.ini"]}
    if os.getuid() == 0:  # the link's own owner is used under nofollow
        os.lchown(tmp_path / "vassals" / "app.ini", 1234, 1234)
        again = by_name(tree([nofollow]))
        assert again["app.ini"].owner == (1234, 1234)
        assert by_name(tree([follow]))["app.ini"].owner == (0, 0)


def test_findings_in_a_shared_snippet_are_reported_once_with_the_chain(tmp_path: Path) -> None:
    write(tmp_path, "snippets/base.ini", "[uwsgi]\nprocesess = 4\n")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    for i in range(40):
        write(tmp_path, f"vassals/app{i:02d}.ini", f"[uwsgi]\nini = %d../snippets/base.ini\n"
              f"chdir = /srv/{i}\n")
    report = lint([str(emperor)])
    found = [d for d in report.diagnostics if d.code == "UW101"]
    assert len(found) == 1
    assert found[0].span.file == str(tmp_path / "snippets" / "base.ini")
    [chain] = found[0].related
    assert chain.message.startswith("included here (ini = ")
    assert (Path(chain.span.file).name, chain.span.start.line) == ("app00.ini", 2)
    assert report.errors == []


def test_include_cycle_and_missing_include_are_recorded(tmp_path: Path) -> None:
    write(tmp_path, "a.ini", "[uwsgi]\nini = %db.ini\n")
    write(tmp_path, "b.ini", "[uwsgi]\nini = %da.ini\ninclude = %dmissing.ini\n")
    [inst] = tree([tmp_path / "a.ini"])
    messages = [p.message for p in inst.problems]
    assert any("includes itself" in m for m in messages)
    assert [u.reason for u in inst.unread] == ["file not found"]


def test_inherit_overrides_the_vassal_value(tmp_path: Path) -> None:
    write(tmp_path, "tpl.ini", "[uwsgi]\nprocesses = 8\n")
    emperor = write(tmp_path, "emperor.ini",
                    "[uwsgi]\nemperor = %dvassals\nvassals-inherit = %dtpl.ini\n")
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nprocesses = 2\n")
    app = by_name(tree([emperor]))["app.ini"]
    assert [v for k, v in expanded(app) if k == "processes"] == ["2", "8"]


def test_fifo_named_like_a_config_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.ini")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %d\n")
    result = subprocess.run([sys.executable, "-m", "uwsgi_lint", str(emperor),
                             str(tmp_path / "x.ini")], capture_output=True, text=True,
                            timeout=30)
    assert "Traceback" not in result.stderr
    assert "x.ini:1:1: UW001 [unreadable-file] error: not a regular file" in result.stdout


def test_show_prints_each_option_with_its_source(tmp_path: Path) -> None:
    write(tmp_path, "part.ini", "[uwsgi]\nmaster = true\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nini = %dpart.ini\nprocesses = 4\n")
    result = subprocess.run([sys.executable, "-m", "uwsgi_lint", "show", "app.ini"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "; app.ini (standalone)"
    assert [line.split(" ; ")[1] for line in lines[2:5]] == [
        "app.ini:2", "part.ini:2", "app.ini:3"]
    assert lines[3].startswith("master = true")
    as_json = subprocess.run([sys.executable, "-m", "uwsgi_lint", "show", "--format", "json",
                              str(app)], capture_output=True, text=True, timeout=30)
    doc = json.loads(as_json.stdout)
    [inst] = doc["instances"]
    assert [(o["key"], o["value"]) for o in inst["options"]] == [
        ("ini", f"{tmp_path}/part.ini"), ("master", "true"), ("processes", "4")]
    assert inst["options"][1]["origin"][0]["kind"] == "ini"


@pytest.mark.parametrize("n", [3])
def test_unreadable_vassal_does_not_stop_the_others(tmp_path: Path, n: int) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    for i in range(n):
        write(tmp_path, f"vassals/ok{i}.ini", "[uwsgi]\nprocesess = 1\n")
    write(tmp_path, "vassals/bad.json", "{")
    report = lint([str(emperor)])
    assert sorted(d.code for d in report.diagnostics) == ["UW001"] + ["UW101"] * n


def test_snippets_found_in_a_directory_are_checked_only_where_included(tmp_path: Path) -> None:
    write(tmp_path, "snippets/base.ini", "[uwsgi]\nchdir = %(appdir)\n")
    write(tmp_path, "apps/app.ini", "[uwsgi]\nappdir = /srv/app\nini = %d../snippets/base.ini\n")
    report = lint([str(tmp_path)])
    assert report.diagnostics == [], report.diagnostics
    named = lint([str(tmp_path / "snippets" / "base.ini")])
    assert [d.code for d in named.diagnostics] == ["UW108"]


def test_nested_includes_across_formats(tmp_path: Path) -> None:
    write(tmp_path, "c.json", '{"uwsgi": {"harakiri": 30, "yaml": "%dd.yml"}}')
    write(tmp_path, "d.yml", "uwsgi:\n  max-requests: 100\n  xml: %de.xml\n")
    write(tmp_path, "e.xml", "<uwsgi><processes>3</processes></uwsgi>")
    write(tmp_path, "b.yaml", "uwsgi:\n  master: true\n  json: %dc.json\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nyaml = %db.yaml\nvacuum = true\n")
    [inst] = tree([app])
    assert [k for k, _ in expanded(inst)] == [
        "yaml", "master", "json", "harakiri", "yaml", "max-requests", "xml", "processes",
        "vacuum"]
    processes = inst.options[7]
    assert (Path(processes.file).name, processes.span.start.line) == ("e.xml", 1)
    assert [o.kind for o in processes.origin] == ["yaml", "json", "yaml", "xml"]
    report = lint([str(app)])
    assert report.diagnostics == []


def test_files_the_emperor_never_starts_and_link_owners(tmp_path: Path) -> None:
    write(tmp_path, "vassals/a.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "vassals/b.INI", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "vassals/a.ini~", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "real/c.ini", "[uwsgi]\nmaster = 1\n")
    (tmp_path / "vassals" / "c.ini").symlink_to(tmp_path / "real" / "c.ini")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    insts = by_name(tree([emperor]))
    [monitor] = insts["emperor.ini"].monitors
    assert [Path(p).name for p in monitor.ignored] == ["a.ini~", "b.INI"]
    assert insts["c.ini"].link_owner == (os.getuid(), os.getgid())
    assert insts["a.ini"].link_owner is None


def test_a_file_that_includes_its_own_section_is_still_checked(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nini = :base\n[base]\nprocesess = 2\n")
    report = lint([str(tmp_path)])
    assert [d.code for d in report.diagnostics] == ["UW101"]


def test_a_monitor_naming_one_file_governs_that_file(tmp_path: Path) -> None:
    write(tmp_path, "foo.ini", "[uwsgi]\nmaster = 1\n")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dfoo.ini\n")
    insts = by_name(tree([emperor]))
    [monitor] = insts["emperor.ini"].monitors
    assert (monitor.kind, [Path(p).name for p in monitor.vassals]) == ("glob", ["foo.ini"])
    assert insts["foo.ini"].role == "vassal"


def test_files_that_vanish_or_change_after_listing(tmp_path: Path) -> None:
    from uwsgi_lint.engine import targets

    write(tmp_path, "gone.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "fifo.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "kept.ini", "[uwsgi]\nprocesess = 1\n")
    named = targets([str(tmp_path)])
    files, explicit = named.files, named.explicit
    assert len(files) == 3
    (tmp_path / "gone.ini").unlink()
    (tmp_path / "fifo.ini").unlink()
    os.mkfifo(tmp_path / "fifo.ini")  # swapped for a FIFO: must not block
    found = {Path(i.root.path).name: [p.message for p in i.problems]
             for i in assemble(files, Assumptions(), [], explicit)}
    assert found["gone.ini"] == ["cannot read file: No such file or directory"]
    assert found["fifo.ini"] == ["not a regular file; not read"]
    assert found["kept.ini"] == []

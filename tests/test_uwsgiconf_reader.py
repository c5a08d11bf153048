"""uwsgiconf modules through the whole tool, as a user runs it: findings of every rule at
the ``.py`` argument that wrote the option, ``show`` printing the INI uWSGI would get,
undecided branches and unknown values, the Emperor tree, directory walks, suppression
comments, ``--add-noqa`` and ``--fix`` (never an INI text edit in Python code)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from uwsgi_lint.cli import main

from .helpers import write

HEAD = "from uwsgiconf.config import Configuration, Section, configure_uwsgi\n\n\n"

EMPEROR = HEAD + """def get_configurations():
    section = Section()
    section.master_process.set_basic_params(enable=True)
    section.empire.set_emperor_params(vassals_home='vassals')
    section.empire.set_throttle_params(level_max=180)
    return section


configure_uwsgi(get_configurations)
"""


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    argv = [*args[:1], "--isolated", *args[1:]] if args[0] == "show" else ["--isolated", *args]
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_rule_reports_at_the_python_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, "uwsgicfg.py", EMPEROR)
    code, out = lint(capsys, str(cfg))
    assert code == 1
    # `enable=True` on line 6 (column of `enable`), `level_max=180` on line 8
    assert f"{cfg}:6:45: UW202 [emperor-master-sigterm-reloads]" in out
    assert f"{cfg}:8:50: UW208 [emperor-throttle-misread]" in out
    assert "`emperor-max-throttle = 180` looks like seconds" in out


def test_show_prints_the_ini_uwsgi_gets_with_the_python_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, "uwsgicfg.py", HEAD + """import os

PORT = 8000
in_production = os.environ.get("PROD") == "1"


def get_configurations():
    main = Section()
    main.networking.register_socket(main.networking.sockets.http(f"127.0.0.1:{PORT + 1}"))
    main.env("APP_MODE")
    if in_production:
        main.workers(count=8)
    else:
        main.workers(count=2)
    zerg = Section(name="zerg")
    zerg.master_process(enable=True)
    return Configuration([main, zerg], autoinclude_sections=True)


configure_uwsgi(get_configurations)
""")
    code, out = lint(capsys, "show", str(cfg))
    assert code == 0, out
    lines = [line.split(" ; ") for line in out.splitlines() if " ; " in line]
    shown = [(opt.strip(), where) for opt, where in lines]
    assert shown == [
        ("http-socket = 127.0.0.1:8001", f"{cfg}:12"),
        ("env = APP_MODE=<unknown: os.environ['APP_MODE']>",
         f"{cfg}:13 (unresolved: APP_MODE={{os.environ['APP_MODE']}})"),
        ("workers = 8", f"{cfg}:15 (only when in_production)"),
        ("workers = 2", f"{cfg}:17 (only when not (in_production))"),
        # autoinclude_sections: `ini = :zerg` reads the module's own [zerg] section
        ("ini = :zerg", f"{cfg}:20"),
        ("master = true", f"{cfg}:19"),
        # what configure_uwsgi() adds when uWSGI runs the module with `--conf uwsgicfg`
        ("set-placeholder = config-alias=uwsgicfg", f"{cfg}:20"),
        ("config-alias = uwsgicfg", f"{cfg}:20"),
        ("print = >   This configuration was automatically generated using", f"{cfg}:20"),
        ("print = >   uwsgiconf v<unknown: version> on <unknown: time>",
         f"{cfg}:20 (unresolved: uwsgiconf version and time)"),
    ]


def test_a_python_emperor_starts_ini_vassals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()  # a git work tree: the Emperor above is looked for in it
    write(tmp_path, "uwsgicfg.py", EMPEROR)
    vassal = write(tmp_path, "vassals/app.ini", "[uwsgi]\nvassal-sos = 10\n")
    code, out = lint(capsys, str(vassal))
    assert code == 1
    # the vassal is read as the Python Emperor starts it: no Broodlord there
    assert f"{vassal}:2:1: UW410 [vassal-sos-without-broodlord]" in out
    assert f"{tmp_path / 'uwsgicfg.py'}:7:39: the Emperor that starts this vassal" in out
    code, out = lint(capsys, "show", str(vassal))
    assert f"; {vassal} (vassal of {tmp_path / 'uwsgicfg.py'})" in out


def test_a_walk_checks_modules_that_import_uwsgiconf_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "deploy/uwsgicfg.py", EMPEROR)
    write(tmp_path, "deploy/late.py", "import os\n\n\ndef f():\n    from uwsgiconf.config import "
          "Section\n    return Section(workerz=4)\n")
    write(tmp_path, "app/models.py", "import os\nprint('uwsgi is mentioned here')\n")
    write(tmp_path, "app/broken.py", "def (:\n")
    _, out = lint(capsys, "--show-files", str(tmp_path))
    checked = [line for line in out.splitlines() if "models.py" in line or "broken.py" in line
               or "uwsgicfg.py" in line or "late.py" in line]
    assert any("uwsgicfg.py" in line and "skipped" not in line for line in checked), out
    assert any("late.py" in line and "skipped" not in line for line in checked), out
    assert all("skipped" in line or "not a" in line for line in checked
               if "models.py" in line or "broken.py" in line), out


def test_syntax_error_is_a_finding_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, "uwsgicfg.py", "from uwsgiconf.config import Section\ns = Section(\n")
    code, out = lint(capsys, str(cfg))
    assert code == 1
    assert f"{cfg}:2:13: UW600 [uwsgiconf-syntax-error]" in out
    assert "Traceback" not in out


def test_suppression_comments_are_python_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EMPEROR.replace(
        "    section.master_process", "    # uwsgi-lint: disable=UW202 -- tested\n"
        "    section.master_process").replace(
        "level_max=180)", "level_max=180)  # uwsgi-lint: disable=emperor-throttle-misread")
    cfg = write(tmp_path, "uwsgicfg.py", text)
    (tmp_path / "vassals").mkdir()
    code, out = lint(capsys, str(cfg))
    assert code == 0, out


def test_add_noqa_writes_python_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, "uwsgicfg.py", EMPEROR)
    (tmp_path / "vassals").mkdir()
    code, out = lint(capsys, "--add-noqa", str(cfg))
    text = cfg.read_text(encoding="utf-8")
    ast.parse(text)  # still Python
    assert "    # uwsgi-lint: disable=UW202\n    section.master_process" in text
    assert ";" not in text
    code, out = lint(capsys, str(cfg))
    assert code == 0, out


def test_ini_text_fixes_never_edit_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a quoted value: the INI fix would remove the quotes from the INI text
    text = HEAD + "s = Section()\ns._set('chdir', '\"/srv/app\"')\n" \
        "uwsgi_configuration = [s.as_configuration()]\n"
    cfg = write(tmp_path, "uwsgicfg.py", text)
    code, out = lint(capsys, "--fix", "--unsafe-fixes", str(cfg))
    assert code == 1
    assert "UW104" in out or "quote" in out
    assert cfg.read_text(encoding="utf-8") == text
    code, out = lint(capsys, "--format", "json", str(cfg))
    found = json.loads(out)["diagnostics"]
    assert found and all(d.get("fix") is None for d in found if d["code"][:3] != "UW6")


def test_only_the_first_configuration_is_checked_and_the_others_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path, "uwsgicfg.py", HEAD + """def get():
    one = Section().as_configuration(alias='one')
    two = Section().as_configuration(alias='two')
    return [one, two]


configure_uwsgi(get)
""")
    _, out = lint(capsys, "--select", "UW609", str(cfg))
    assert f"{cfg}:6:11: UW609 [uwsgiconf-not-followed] info: configuration `two` is not " \
        "checked" in out


def test_the_module_is_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    cfg = write(tmp_path, "uwsgicfg.py", f"open({str(marker)!r}, 'w').close()\n" + EMPEROR)
    lint(capsys, str(cfg))
    lint(capsys, "show", str(cfg))
    assert not marker.exists()

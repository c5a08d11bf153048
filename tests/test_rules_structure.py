"""Structure and Emperor rules: UW215 (magic variables handed to vassals), UW417 (an option
whose parent is off), UW026/UW027 (XML ``<app>``), UW418 (a `callable` that is no name),
UW013 on YAML a libyaml build refuses, and configs under another format's suffix found in
directory mode.  Each claim about uWSGI is checked on the real binary (the oracle)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from uwsgi_lint.engine import lint

from .conftest import ORACLE_BIN, needs_shared, run_oracle
from .helpers import findings, fixed, positions, write

needs_uwsgi = pytest.mark.skipif(not ORACLE_BIN.exists(), reason="no uWSGI binary")


def run_uwsgi(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real uWSGI with ``args``, stopped before it serves (a clock source that does
    not exist makes it exit after parsing and --show-config)."""
    return subprocess.run([str(ORACLE_BIN), *args, "--clock", "uwsgi-lint-test-stop"],
                          cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


# -- UW215 vassal-magic-variable ----------------------------------------------------------

EMPEROR = """\
[uwsgi]
emperor = %dvassals
vassal-set = logto=/var/log/uwsgi/%n.log
vassal-set = procname-prefix=%%n-
vassals-include = %dtemplate.ini
"""


@needs_shared
def test_vassal_set_magic_is_the_emperors_name(tmp_path: Path) -> None:
    path = write(tmp_path, "emperor.ini", EMPEROR)
    # uWSGI expands `%n` while it reads the Emperor's file: the value handed down is fixed
    options = run_oracle(path, "--no-strict")["options"]
    assert ["vassal-set", "logto=/var/log/uwsgi/emperor.log"] in options
    assert ["vassal-set", "procname-prefix=%n-"] in options
    found = findings(tmp_path, "emperor.ini", EMPEROR, "UW215")
    assert found == [(
        "UW215", 3, 14,
        "`%n` names the Emperor's file here: every vassal gets "
        "`logto=/var/log/uwsgi/emperor.log`; for a per-vassal value use `%N` in a "
        "`vassals-include` template",
    )]


@needs_uwsgi
def test_percent_n_upper_in_an_included_template_is_the_vassal(tmp_path: Path) -> None:
    """What a vassal is started with: the Emperor's `--set` values are not substituted
    again, and in a `vassals-include` template `%N` is the vassal's name."""
    write(tmp_path, "template.ini", "[uwsgi]\nenv = TPL=%n-%N\n")
    write(tmp_path, "app.ini", "[uwsgi]\nenv = OWN=%n\n")
    out = run_uwsgi(tmp_path, "--set", "env=SET=%n", "--ini", "app.ini",
                    "--include", "template.ini", "--show-config")
    assert "env = SET=%n" in out.stdout + out.stderr
    assert "env = TPL=template-app" in out.stdout + out.stderr
    write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n"
          "vassals-include = %dtemplate.ini\nvassal-set = env=X=%d%%n\n")
    assert findings(tmp_path, "emperor.ini", (tmp_path / "emperor.ini").read_text(),
                    "UW215") == []


def test_every_handed_down_option_and_format(tmp_path: Path) -> None:
    text = (
        "uwsgi:\n  emperor: /etc/uwsgi/vassals\n  vassals-inherit: /etc/uwsgi/%n-%e.ini\n"
        "  vassals-include-before: /etc/uwsgi/%N.ini\n  vassals-set: socket=/run/%s.sock\n"
    )
    found = findings(tmp_path, "emperor.yaml", text, "UW215")
    assert positions(found) == [("UW215", 3, 20), ("UW215", 4, 27), ("UW215", 5, 16)]
    assert found[0][3].startswith("`%n`, `%e` names the Emperor's file here: every vassal "
                                  "gets `/etc/uwsgi/emperor-yaml.ini`")


def test_magic_elsewhere_is_not_reported(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nlogto = /var/log/%n.log\n"
    assert findings(tmp_path, "emperor.ini", text, "UW215") == []


# -- UW417 option-without-parent ------------------------------------------------------------


def test_carbon_and_spooler_options_without_parent(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nsocket = /run/app.sock\ncarbon-freq = 10\ncarbon-resolve-names = true\n"
        "spooler-processes = 2\nspooler-import = tasks\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW417")
    assert positions(found) == [("UW417", 3, 1), ("UW417", 4, 1), ("UW417", 5, 1),
                                ("UW417", 6, 1)]
    assert found[0][3] == (
        "`carbon-freq` is ignored: without `carbon`, uWSGI pushes no statistics to carbon; "
        "add `carbon = host:2003` or remove this line"
    )
    assert found[2][3].startswith(
        "`spooler-processes` is ignored: without `spooler` or `spooler-external`, uWSGI "
        "starts no spooler")


def test_parent_set_anywhere_is_enough(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nsocket = /run/app.sock\nif-env = GRAPHITE\ncarbon = $(GRAPHITE)\nendif =\n"
        "carbon-freq = 10\nspooler-external = /var/spool/shared\nspooler-quiet = true\n"
        "cheaper-step = 1\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW417") == []  # `cheaper-*` is UW405's


def test_parent_in_a_file_not_read_is_not_absent(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = /run/app.sock\ninclude = exec://cat base.ini\ncarbon-freq = 10\n"
    assert findings(tmp_path, "a.ini", text, "UW417") == []


@needs_shared
def test_option_without_parent_fix_removes_it(tmp_path: Path) -> None:
    text = ('{\n  "uwsgi": {\n    "socket": "/run/app.sock",\n    "spooler-processes": 2,\n'
            '    "carbon-freq": 10\n  }\n}\n')
    want = '{\n  "uwsgi": {\n    "socket": "/run/app.sock"\n  }\n}\n'
    assert fixed(tmp_path, "a.json", text, "UW417") == text  # unsafe: not by default
    assert fixed(tmp_path, "a.json", text, "UW417", unsafe=True) == want
    assert fixed(tmp_path, "a.json", want, "UW417", unsafe=True) == want
    # the real uWSGI reads the same, less the two options it ignored
    before = run_oracle(write(tmp_path, "b.json", text), "--no-strict")["options"]
    after = run_oracle(write(tmp_path, "c.json", want), "--no-strict")["options"]
    assert before == [*after, ["spooler-processes", "2"], ["carbon-freq", "10"]]
    # read by `if-opt` (or a `%(...)`): not removed
    text = "[uwsgi]\nspooler-processes = 2\nif-opt = spooler-processes\nprocesses = 2\nendif =\n"
    assert findings(tmp_path, "d.ini", text, "UW417")
    assert fixed(tmp_path, "d.ini", text, "UW417", unsafe=True) == text

# -- UW026 xml-app-dropped, UW027 xml-app-under-strict ---------------------------------------

ONE_LINE = """\
<uwsgi>
  <socket>/run/app.sock</socket>
  <app mountpoint="/"><script>mysite.wsgi</script></app>
</uwsgi>
"""
MULTI_LINE = """\
<uwsgi>
  <socket>/run/app.sock</socket>
  <app mountpoint="/">
    <script>mysite.wsgi</script>
  </app>
</uwsgi>
"""


@needs_shared
def test_one_line_app_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "a.xml", ONE_LINE)
    assert run_oracle(path, "--no-strict")["options"] == [["socket", "/run/app.sock"]]
    assert findings(tmp_path, "a.xml", ONE_LINE, "UW026", "UW027") == [(
        "UW026", 3, 3,
        "uWSGI drops this <app> whole and mounts nothing; write <mount>/=mysite.wsgi</mount>",
    )]


@needs_shared
def test_multi_line_app_mounts(tmp_path: Path) -> None:
    path = write(tmp_path, "a.xml", MULTI_LINE)
    options = run_oracle(path, "--no-strict")["options"]
    assert ["mount", "/=mysite.wsgi"] in options
    assert findings(tmp_path, "a.xml", MULTI_LINE, "UW026", "UW027") == []


@needs_shared
def test_app_under_strict_exits(tmp_path: Path) -> None:
    text = MULTI_LINE.replace("<uwsgi>\n", "<uwsgi>\n  <strict/>\n")
    path = write(tmp_path, "a.xml", text)
    result = run_oracle(path, "--no-strict")
    assert not result["ok"]
    assert "unknown config directive: app" in result["error"]
    found = findings(tmp_path, "a.xml", text, "UW026", "UW027")
    assert found == [(
        "UW027", 4, 3,
        "under `strict`, <app> makes uWSGI exit (\"unknown config directive: app\"); write "
        "<mount>/=mysite.wsgi</mount> instead",
    )]
    report = lint([str(path)])
    (d,) = [d for d in report.diagnostics if d.code == "UW027"]
    assert [(r.message, r.span.start.line) for r in d.related] == [("`strict` is set here", 2)]


def test_app_without_strict_and_own_app_key(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.xml", MULTI_LINE, "UW027") == []
    text = "[uwsgi]\nstrict = true\napp = x\n"
    assert findings(tmp_path, "a.ini", text, "UW027") == []  # UW101's, not an <app>


# -- UW418 callable-not-a-name --------------------------------------------------------------

APP = "def application(env, start_response):\n    start_response('200 OK', [])\n    return []\n"


@needs_uwsgi
def test_callable_path_loads_no_app(tmp_path: Path) -> None:
    write(tmp_path, "wsgi.py", APP)
    out = subprocess.run(
        [str(ORACLE_BIN), "--need-app", "--socket", str(tmp_path / "s.sock"),
         "--wsgi-file", "wsgi.py", "--callable", "app/wsgi.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode != 0
    assert "callable not found or import error" in out.stdout + out.stderr
    text = "[uwsgi]\nsocket = /run/a.sock\nwsgi-file = wsgi.py\ncallable = app/wsgi.py\n"
    assert findings(tmp_path, "a.ini", text, "UW418") == [(
        "UW418", 4, 12,
        "`callable` is one variable name: uWSGI finds no `app/wsgi.py` "
        "and loads no app; name the file with `wsgi-file = app/wsgi.py`",
    )]


def test_callable_dotted_and_module_forms(tmp_path: Path) -> None:
    text = "uwsgi:\n  chdir: /srv/app\n  callable: myapp.wsgi:application\n"
    (found,) = findings(tmp_path, "a.yaml", text, "UW418")
    assert found[3].endswith("write `module = myapp.wsgi:application` and remove `callable`")
    text = "[uwsgi]\nmodule = myapp\ncallable = myapp.wsgi.application\n"
    (found,) = findings(tmp_path, "b.ini", text, "UW418")
    assert found[3].endswith("write `callable = application` and `module = myapp.wsgi`")


def test_callable_names_are_fine(tmp_path: Path) -> None:
    for i, value in enumerate(("application", "create_app()", "app")):
        text = f"[uwsgi]\nmodule = myapp.wsgi\ncallable = {value}\n"
        assert findings(tmp_path, f"{i}.ini", text, "UW418") == []
    # `module = pkg:name` names its own callable: this one is never used
    text = "[uwsgi]\nmodule = myapp.wsgi:app\ncallable = myapp.wsgi:app\n"
    assert findings(tmp_path, "m.ini", text, "UW418") == []


# -- UW013 on YAML that a libyaml build refuses ---------------------------------------------


@needs_shared
@pytest.mark.parametrize(("text", "where"), [
    ("uwsgi:\n  socket: /run/a.sock\n  logto: C:\n", (3, 11)),  # a value ending in `:`
    ("uwsgi:\n  socket: /run/a.sock\n    master: true\n", (3, 11)),  # a deeper line
    ("uwsgi:\n  socket: /run/a\x01.sock\n", (2, 17)),  # a control character
    ("uwsgi:\n  socket: /run/a.sock\n  procname: a\x85b\n", (4, 1)),  # NEL: a line break
])
def test_yaml_libyaml_refuses(tmp_path: Path, text: str, where: tuple[int, int]) -> None:
    path = write(tmp_path, "a.yaml", text)
    assert run_oracle(path, "--no-strict")["ok"]
    assert not run_oracle(path, "--no-strict", "--libyaml")["ok"]
    (found,) = findings(tmp_path, "a.yaml", text, "UW013")
    assert found[1:3] == where
    assert "a libyaml build of uWSGI" in found[3] and "exits" in found[3]


@needs_shared
def test_yaml_both_readers_agree(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: /run/a.sock\n  http: 127.0.0.1:8080\n  # note\n  master: true\n"
    path = write(tmp_path, "a.yaml", text)
    assert run_oracle(path, "--no-strict", "--libyaml")["ok"]
    assert findings(tmp_path, "a.yaml", text, "UW013") == []


# -- a config under another format's suffix, in directory mode ------------------------------


@needs_shared
def test_ini_named_js_is_reported_in_directory_mode(tmp_path: Path) -> None:
    path = write(tmp_path, "conf/app.js", "[uwsgi]\nsocket = /run/a.sock\n")
    assert not run_oracle(path, "--no-strict")["ok"]  # `.js` is read as JSON
    write(tmp_path, "conf/k8s.yaml", "data:\n  app.ini: |\n    [uwsgi]\n    master = true\n")
    write(tmp_path, "conf/gen.js", "const ini = `\n[uwsgi]\nmaster = true\n`;\n")

    def seen(report_paths: list[str]) -> list[tuple[str, str, int]]:
        report = lint(report_paths)
        return [(Path(d.span.file).name, d.code, d.span.start.line)
                for d in report.diagnostics if d.code == "UW001"]

    by_file = seen([str(path)])
    assert by_file == [("app.js", "UW001", 1)]
    assert seen([str(tmp_path / "conf")]) == by_file

"""UW126-UW132 and UW103's quoted numbers: values uWSGI reads without a word, but not as
written.  What each rule says uWSGI does is run on the real uWSGI 2.0.31 here (the oracle,
or its binary stopped early: ``--clock`` with a clock that does not exist, ``--no-server``)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ORACLE_BIN, run_oracle
from .helpers import findings, fixed, write
from .helpers import positions as lines

needs_binary = pytest.mark.skipif(not ORACLE_BIN.exists(), reason="uWSGI oracle not built")
STOP = ("--clock", "uwsgi-lint-test-stop")  # uWSGI exits where it sets its clock


def real_uwsgi(config: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """The real uWSGI on ``config``, in its directory, with a clean environment."""
    return subprocess.run([str(ORACLE_BIN), "--ini", str(config), *args],
                          env={"PATH": "/usr/bin:/bin", **(env or {})}, cwd=config.parent,
                          capture_output=True, text=True, timeout=60, check=False)


def wait_for(path: Path, text: str) -> str:
    """The content of a file a daemonized uWSGI writes, once it holds ``text``."""
    for _ in range(100):
        if path.exists() and text in (content := path.read_text()):
            return content
        time.sleep(0.1)
    return path.read_text() if path.exists() else ""


# -- UW126 uwsgi-variable-is-option ---------------------------------------------------------


def test_env_uwsgi_variable(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/a.sock\nenv = UWSGI_PROCESSES=4\n",
                     "UW126")
    assert found == [("UW126", 3, 7,
                      "uWSGI reads `UWSGI_PROCESSES` as `processes` only at start-up: set here "
                      "it is too late, but a reload starts with `processes = 4`; set "
                      "`processes` instead")]
    found = findings(tmp_path, "b.ini", "[uwsgi]\nenv = UWSGI_PROCESSES=4\nworkers = 2\n",
                     "UW126")
    assert lines(found) == [("UW126", 2, 7)]
    assert "the config's `workers` wins; remove the line" in found[0][3]


def test_uwsgi_variable_read_into_another_option(tmp_path: Path) -> None:
    text = ("[uwsgi]\nsocket = /run/a.sock\nenv = APP_VERSION=$(UWSGI_VERSION)\n"
            "env = MIN=$(UWSGI_CHEAPER)\n")
    found = findings(tmp_path, "a.ini", text, "UW126")
    assert lines(found) == [("UW126", 3, 19), ("UW126", 4, 11)]
    assert "uWSGI runs `--version` (it prints and exits)" in found[0][3]
    assert "uWSGI also sets `cheaper` to its value" in found[1][3]


def test_uwsgi_variables_left_alone(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nsocket = /run/a.sock\n"
        "processes = $(UWSGI_PROCESSES)\n"  # its own option: only repeats it
        "threads = $(UWSGI_THREADS)\n"
        "env = UWSGI_RELOADS=0\n"  # uWSGI's own hand-over, not an option
        "env = UWSGI_NOT_AN_OPTION=1\n"
        "env = APP=$(UWSGI_APP_NAME)\n"
        "env = UWSGI_VASSAL_THREADS=2\n"
        "ini = $(UWSGI_INI)\n"  # the config source the file was loaded through
    )
    assert findings(tmp_path, "a.ini", text, "UW126") == []
    emperor = "[uwsgi]\nemperor = vassals\nenv = UWSGI_PROCESSES=2\n"
    (tmp_path / "vassals").mkdir()
    assert findings(tmp_path, "emperor.ini", emperor, "UW126") == []


@pytest.mark.oracle
@needs_binary
def test_uwsgi_variables_are_options_on_real_uwsgi(tmp_path: Path) -> None:
    conf = write(tmp_path, "a.ini", "[uwsgi]\nenv = UWSGI_PROCESSES=4\nenv = A=$(UWSGI_VERSION)\n")
    shown = real_uwsgi(conf, "--show-config", *STOP, env={"UWSGI_PROCESSES": "8"})
    assert "\nprocesses = 8\n" in shown.stderr  # the variable is an option
    alone = real_uwsgi(conf, "--show-config", *STOP)
    assert "processes" not in alone.stderr  # `env` sets it too late for this start
    version = real_uwsgi(conf, "--show-config", *STOP, env={"UWSGI_VERSION": "1.2"})
    assert version.stdout == "2.0.31\n" and version.returncode == 0
    assert "instance configuration" not in version.stderr


# -- UW127 placeholder-math-misread ---------------------------------------------------------


def test_math_with_parentheses_and_precedence(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = %((4 * 2) + 1)\nharakiri = %(1 + 2 * 3)\nthreads = %((%k * 2))\n"
    found = findings(tmp_path, "a.ini", text, "UW127")
    assert lines(found) == [("UW127", 2, 13), ("UW127", 3, 12), ("UW127", 4, 11)]
    assert found[0][3] == (
        "uWSGI's `%()` math has no parentheses: `%((4 * 2) + 1)` reads `(x` and `x)` as "
        "option names, worth 0 (`processes` is `1`); compute it in steps")
    assert "computes left to right, with no precedence" in found[1][3]
    assert "(`harakiri` is `9`)" in found[1][3]
    assert "(`threads` is" not in found[2][3]  # %k: not known here


def test_math_left_alone(tmp_path: Path) -> None:
    text = ("[uwsgi]\nx = 4\nprocesses = %(x * 2 + 1)\nthreads = %(x)\nharakiri = %(2 * 3 * 4)\n"
            "listen = 100\nlogformat = (%(addr)) %(uri)\nenv = A=%(x - 1 - 1)\n")
    assert findings(tmp_path, "a.ini", text, "UW127") == []


@pytest.mark.oracle
@needs_binary
def test_math_on_real_uwsgi(tmp_path: Path) -> None:
    text = ("[uwsgi]\nprocesses = %((4 * 2) + 1)\nthreads = %(2 * (3 + 1))\n"
            "harakiri = %(1 + 2 * 3)\ndouble = %(4 * 2)\ncheaper = %(double + 1)\n")
    conf = write(tmp_path, "a.ini", text)
    oracle = run_oracle(conf, "--no-strict")
    assert oracle["options"][:3] == [["processes", "1"], ["threads", "0"], ["harakiri", "9"]]
    assert oracle["options"][-1] == ["cheaper", "9"]  # computed in steps
    assert lines(findings(tmp_path, "a.ini", text, "UW127")) == [
        ("UW127", 2, 13), ("UW127", 3, 11), ("UW127", 4, 12)]


# -- UW128 quoted-value-kept, UW103 quoted numbers ----------------------------------------


def test_quoted_values_in_every_format(tmp_path: Path) -> None:
    ini = ("[uwsgi]\nchdir = \"/srv/app\"\nlogformat = '%(addr) %(uri)'\nname = \"x\"\n"
           "env = A=%(name)\n")
    found = findings(tmp_path, "a.ini", ini, "UW128")
    assert lines(found) == [("UW128", 2, 9), ("UW128", 3, 13), ("UW128", 4, 8)]
    assert found[0][3] == ("uWSGI keeps the quotes of an INI value: `chdir` gets `\"/srv/app\"`, "
                           "quotes included; write the value without them")
    xml = "<uwsgi>\n<module>'app:app'</module>\n</uwsgi>\n"
    assert lines(findings(tmp_path, "a.xml", xml, "UW128")) == [("UW128", 2, 9)]
    js = '{"uwsgi": {"module": "\'app:app\'"}}'
    assert lines(findings(tmp_path, "a.json", js, "UW128")) == [("UW128", 1, 22)]


def test_quoted_values_left_to_others_or_meant(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nmaster = \"false\"\n"  # UW102
        "processes = \"4\"\n"  # UW103
        "exec-asap = \"/srv/my app/start\"\n"  # the shell removes them
        "attach-daemon = \"/usr/bin/worker\"\n"
        "unknown-thing = \"x\"\n"  # UW101
        "logformat = %(addr) \"%(uri)\"\n"  # quotes inside the value
        "chdir = \"\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW128") == []
    assert findings(tmp_path, "a.yaml", "uwsgi:\n  chdir: \"/srv\"\n", "UW128") == []  # UW009


def test_quoted_numbers_and_magic_variables(tmp_path: Path) -> None:
    text = "[uwsgi]\nthreads = \"%k\"\nprocesses = '4'\nharakiri = \"$(TIMEOUT)\"\n"
    found = findings(tmp_path, "a.ini", text, "UW103")
    assert lines(found) == [("UW103", 2, 11), ("UW103", 3, 13), ("UW103", 4, 12)]
    assert found[0][3] == ("uWSGI keeps the quotes: `\"%k\"` is read as 0, whatever is inside; "
                           "write it without quotes")
    yaml = "uwsgi:\n  threads: \"%k\"\n"
    assert lines(findings(tmp_path, "a.yaml", yaml, "UW103")) == [("UW103", 2, 12)]
    assert findings(tmp_path, "b.yaml", yaml, "UW103", yaml_reader="libyaml") == []
    unquoted = "[uwsgi]\nthreads = %k\nharakiri = $(TIMEOUT)\n"
    assert findings(tmp_path, "b.ini", unquoted, "UW103") == []


@pytest.mark.oracle
@needs_binary
def test_quotes_kept_by_real_uwsgi(tmp_path: Path) -> None:
    conf = write(tmp_path, "a.ini", "[uwsgi]\nchdir = \"/srv/app\"\nthreads = \"%k\"\n")
    options = run_oracle(conf, "--no-strict")["options"]
    assert options[0] == ["chdir", "\"/srv/app\""]
    assert options[1][1].startswith("\"")  # atoi() of it is 0
    yaml = write(tmp_path, "a.yaml", "uwsgi:\n  threads: \"%k\"\n")
    assert run_oracle(yaml, "--no-strict")["options"][0][1].startswith("\"")


def test_quotes_removed(tmp_path: Path) -> None:
    ini = ("[uwsgi]\r\nchdir = \"/srv/app\"  \r\nlogformat = '%(addr) %(uri)'\r\n"
           "pidfile = \"%d/app.pid\"\r\n")
    assert fixed(tmp_path, "a.ini", ini, "UW128") == ini  # unsafe
    once = fixed(tmp_path, "a.ini", ini, "UW128", unsafe=True)
    assert once == ("[uwsgi]\r\nchdir = /srv/app  \r\nlogformat = %(addr) %(uri)\r\n"
                    "pidfile = %d/app.pid\r\n")
    assert fixed(tmp_path, "a.ini", once, "UW128", unsafe=True) == once
    js = '{"uwsgi": {"module": "\'app:app\'", "chdir": "\\"/srv/app\\""}}'
    assert fixed(tmp_path, "a.json", js, "UW128", unsafe=True) == (
        '{"uwsgi": {"module": "app:app", "chdir": "/srv/app"}}')
    xml = "<uwsgi>\n  <module>'app:app'</module>\n</uwsgi>\n"
    assert fixed(tmp_path, "a.xml", xml, "UW128", unsafe=True) == (
        "<uwsgi>\n  <module>app:app</module>\n</uwsgi>\n")


def test_quotes_that_no_fix_removes(tmp_path: Path) -> None:
    # blanks inside (the INI reader would strip them), an empty value, quotes written as
    # an entity or a JSON escape: reported, not fixed
    ini = "[uwsgi]\nchdir = \" /srv/app\"\nmodule = ''\n"
    assert len(findings(tmp_path, "a.ini", ini, "UW128")) == 2
    assert fixed(tmp_path, "a.ini", ini, "UW128", unsafe=True) == ini
    xml = "<uwsgi>\n  <module>&quot;app:app&quot;</module>\n  <chdir>\"\"</chdir>\n</uwsgi>\n"
    assert len(findings(tmp_path, "a.xml", xml, "UW128")) == 2
    assert fixed(tmp_path, "a.xml", xml, "UW128", unsafe=True) == xml
    js = '{"uwsgi": {"module": "\\u0022app:app\\u0022"}}'
    assert len(findings(tmp_path, "a.json", js, "UW128")) == 1
    assert fixed(tmp_path, "a.json", js, "UW128", unsafe=True) == js


# -- UW129 assignment-name-with-blank -------------------------------------------------------


def test_blanks_around_the_equals_sign(tmp_path: Path) -> None:
    text = ("[uwsgi]\nenv = FOO = bar\nenv = LANG= C.UTF-8\nset-placeholder = base = /srv\n"
            "set = other =x\n")
    found = findings(tmp_path, "a.ini", text, "UW129")
    assert lines(found) == [("UW129", 2, 7), ("UW129", 3, 7), ("UW129", 4, 19), ("UW129", 5, 7)]
    assert found[0][3] == ("uWSGI names the variable `FOO `, ending in a blank, not `FOO`; "
                           "write `env = FOO=...`")
    assert found[1][3] == ("the value of `LANG` starts with a blank, which uWSGI keeps; write "
                           "`env = LANG=...`")
    assert "names the placeholder `base `" in found[2][3]


def test_plain_assignments_left_alone(tmp_path: Path) -> None:
    text = ("[uwsgi]\nenv = FOO=bar baz\nenv = EMPTY=\nenv = NOEQUALS\nset-placeholder = a=b = c\n"
            "env = PASSWORD=$(SECRET)\n")
    assert findings(tmp_path, "a.ini", text, "UW129") == []


@pytest.mark.oracle
@needs_binary
def test_blank_names_on_real_uwsgi(tmp_path: Path) -> None:
    conf = write(tmp_path, "a.ini", "[uwsgi]\nenv = FOO = bar\nenv = LANG= C\n")
    code = ("import os; print(sorted((k, v) for k, v in os.environ.items() "
            "if k.startswith(('FOO', 'LANG'))))")
    run = real_uwsgi(conf, "--eval", code, "--no-server")
    assert "[('FOO ', ' bar'), ('LANG', ' C')]" in run.stdout + run.stderr
    placeholder = write(tmp_path, "b.ini", "[uwsgi]\nset-placeholder = base = /srv\n"
                        "chdir = %(base)\n")
    options = run_oracle(placeholder, "--no-strict")["options"]
    assert ["base ", " /srv"] in options and ["chdir", "%(base)"] in options


def test_blanks_around_the_equals_sign_removed(tmp_path: Path) -> None:
    text = ("[uwsgi]\nenv = FOO = bar\nenv = LANG=\tC.UTF-8\nset-placeholder = base = /srv\n"
            "chdir = %(base)\n")
    assert fixed(tmp_path, "a.ini", text, "UW129") == text  # unsafe
    once = fixed(tmp_path, "a.ini", text, "UW129", unsafe=True)
    assert once == ("[uwsgi]\nenv = FOO=bar\nenv = LANG=C.UTF-8\nset-placeholder = base=/srv\n"
                    "chdir = %(base)\n")
    assert fixed(tmp_path, "a.ini", once, "UW129", unsafe=True) == once
    yaml = "uwsgi:\n  env: LANG= C.UTF-8\n"
    assert fixed(tmp_path, "a.yaml", yaml, "UW129", unsafe=True) == "uwsgi:\n  env: LANG=C.UTF-8\n"
    js = '{"uwsgi": {"env": "LANG =  C"}}'
    assert fixed(tmp_path, "a.json", js, "UW129", unsafe=True) == '{"uwsgi": {"env": "LANG=C"}}'


def test_blanks_not_written_as_read_are_not_removed(tmp_path: Path) -> None:
    # the blank comes from a JSON escape, the name from a value that `set` split off
    js = '{"uwsgi": {"env": "LANG\\u0020=C"}}'
    assert len(findings(tmp_path, "a.json", js, "UW129")) == 1
    assert fixed(tmp_path, "a.json", js, "UW129", unsafe=True) == js
    text = "[uwsgi]\nset = env=FOO = bar\n"
    assert len(findings(tmp_path, "a.ini", text, "UW129")) == 1
    assert fixed(tmp_path, "a.ini", text, "UW129", unsafe=True) == text


# -- UW130 path-option-flag-word ------------------------------------------------------------


def test_flag_words_for_paths(tmp_path: Path) -> None:
    text = ("[uwsgi]\ndaemonize = true\npidfile = False\nlogto = 1\nchdir = yes\n"
            "touch-reload = off\n")
    found = findings(tmp_path, "a.ini", text, "UW130")
    assert lines(found) == [("UW130", n, c) for n, c in [(2, 13), (3, 11), (4, 9), (5, 9),
                                                         (6, 16)]]
    assert found[0][3] == ("`daemonize` takes a path, not a flag: uWSGI daemonizes and writes "
                           "its log to a file named `true`; write a path")
    assert found[1][3].endswith("a file named `False`; remove the line to turn it off")


def test_paths_and_other_rules_cases_left_alone(tmp_path: Path) -> None:
    text = ("[uwsgi]\ndaemonize = /var/log/app.log\npidfile = /run/app.pid\nlogto = $(LOG)\n"
            "master = true\nvacuum = off\n")
    assert findings(tmp_path, "a.ini", text, "UW130") == []
    js = '{"uwsgi": {"daemonize": true, "pidfile": null}}'  # UW016
    assert findings(tmp_path, "a.json", js, "UW130") == []
    assert findings(tmp_path, "a.xml", "<uwsgi><chdir/></uwsgi>", "UW130") == []


def test_path_option_off_word_line_removed(tmp_path: Path) -> None:
    # an on word needs a path that only the author can choose
    text = "[uwsgi]\ndaemonize = true\npidfile = False\nlogto = off\nmaster = true\n"
    assert fixed(tmp_path, "a.ini", text, "UW130") == text  # unsafe
    once = fixed(tmp_path, "a.ini", text, "UW130", unsafe=True)
    assert once == "[uwsgi]\ndaemonize = true\nmaster = true\n"
    assert fixed(tmp_path, "a.ini", once, "UW130", unsafe=True) == once
    yaml = "uwsgi:\n  socket: /run/app.sock\n  logto: false\n"
    assert fixed(tmp_path, "a.yaml", yaml, "UW130", unsafe=True) == (
        "uwsgi:\n  socket: /run/app.sock\n")
    base = write(tmp_path, "base.ini", "[uwsgi]\nlogto = off\n")  # included: left alone
    text = f"[uwsgi]\ninclude = {base}\n"
    assert fixed(tmp_path, "b.ini", text, "UW130", unsafe=True) == text
    assert base.read_text(encoding="utf-8") == "[uwsgi]\nlogto = off\n"


@pytest.mark.oracle
@needs_binary
def test_daemonize_true_on_real_uwsgi(tmp_path: Path) -> None:
    conf = write(tmp_path, "a.ini", "[uwsgi]\ndaemonize = true\n")
    real_uwsgi(conf, *STOP)
    assert "uwsgi-lint-test-stop" in wait_for(tmp_path / "true", "uwsgi-lint-test-stop")


# -- UW131 logger-without-target ------------------------------------------------------------


def test_logger_without_target(tmp_path: Path) -> None:
    text = ("[uwsgi]\nlogger = file\nlogger = fd:\nlogger = applog file\n"
            "req-logger = file /var/log/req.log\n")
    found = findings(tmp_path, "a.ini", text, "UW131")
    assert lines(found) == [("UW131", 2, 10), ("UW131", 3, 10), ("UW131", 4, 10),
                            ("UW131", 5, 14)]
    assert found[0][3] == ("the `file` logger has no target: uWSGI sends every log line to it and "
                           "it writes none of them; write `logger = file:/path/to/app.log`")
    assert found[3][3] == ("uWSGI reads `file` as the logger's id and `/var/log/req.log` as its "
                           "name: it exits (no such logger); write `req-logger = "
                           "file:/var/log/req.log`")


def test_loggers_with_targets_left_alone(tmp_path: Path) -> None:
    text = ("[uwsgi]\nlogger = file:/var/log/app.log\nlogger = applog file:/var/log/a.log\n"
            "logger = syslog\nlogger = stdio\nlogger = fd:3\nlogger = $(LOGGER)\n")
    assert findings(tmp_path, "a.ini", text, "UW131") == []


@pytest.mark.oracle
@needs_binary
def test_logger_without_target_on_real_uwsgi(tmp_path: Path) -> None:
    said = "import sys; sys.stderr.write('uwsgi-lint-mark')"
    conf = write(tmp_path, "a.ini", "[uwsgi]\nlogger = file\n")
    silent = real_uwsgi(conf, "--eval", said, "--no-server")
    # the one line printed before the log master takes over: nothing after it, anywhere
    assert silent.stderr.strip() == f"[uWSGI] getting INI configuration from {conf}"
    assert silent.stdout == "" and silent.returncode == 0
    kept = real_uwsgi(write(tmp_path, "b.ini", "[uwsgi]\nlogger = file:b.log\n"), "--eval", said,
                      "--no-server")
    assert kept.returncode == 0
    assert "Goodbye" in wait_for(tmp_path / "b.log", "Goodbye")
    exits = real_uwsgi(write(tmp_path, "c.ini", "[uwsgi]\nlogger = file /tmp/x.log\n"), *STOP)
    assert "unable to find logger /tmp/x.log" in exits.stderr and exits.returncode == 1


# -- UW132 logto-ignored-with-daemonize -----------------------------------------------------


def test_logto_with_daemonize(tmp_path: Path) -> None:
    text = "[uwsgi]\ndaemonize = /var/log/d.log\nlogto = /var/log/l.log\n"
    found = findings(tmp_path, "a.ini", text, "UW132")
    assert found == [("UW132", 3, 1, "`logto` is ignored: uWSGI logs to the `daemonize` file "
                      "(`/var/log/d.log`) instead; remove `logto` or give its path to "
                      "`daemonize`")]


def test_logto_alone_or_daemonize_undecided(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.ini", "[uwsgi]\nlogto = /var/log/l.log\n", "UW132") == []
    text = ("[uwsgi]\nlogto = /var/log/l.log\nif-env = DAEMON\ndaemonize = /var/log/d.log\n"
            "endif =\n")
    assert findings(tmp_path, "b.ini", text, "UW132") == []
    text = "[uwsgi]\ndaemonize = /var/log/d.log\nlogto2 = /var/log/l.log\n"
    assert findings(tmp_path, "c.ini", text, "UW132") == []


@pytest.mark.oracle
@needs_binary
def test_logto_ignored_on_real_uwsgi(tmp_path: Path) -> None:
    conf = write(tmp_path, "a.ini", "[uwsgi]\ndaemonize = d.log\nlogto = l.log\n")
    real_uwsgi(conf, *STOP)
    assert "uwsgi-lint-test-stop" in wait_for(tmp_path / "d.log", "uwsgi-lint-test-stop")
    assert not (tmp_path / "l.log").exists()

"""Target versions: "2.0" (any 2.0 release from 2.0.18 on), one release, or "2.1" — in the
settings and on the command line, and the rules that read them (UW101, UW115, UW116)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from uwsgi_lint.catalog import RELEASES, TARGET_VERSIONS
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.settings import Selection, SettingsError, load_settings

from .conftest import ORACLE, ORACLE_BIN, run_oracle
from .helpers import write

VERSIONS_MESSAGE = (
    '`target-version` must be "2.0" (any 2.0 release from 2.0.18 on), a release "2.0.18" to '
    '"2.0.31", or "2.1", not ')


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "uwsgi_lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def project(tmp_path: Path, settings: str | None = None) -> Path:
    """A repository root (``.git``) with a pyproject.toml holding ``settings``."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    if settings is not None:
        write(tmp_path, "pyproject.toml", f"[tool.uwsgi-lint]\n{settings}\n")
    return tmp_path


def codes(path: Path, version: str | None = None, *extra: str) -> list[tuple[str, int, str]]:
    """(code, line, message) of every finding on ``path`` for the target ``version``
    (None: the default), the default rule set plus ``extra``."""
    report = lint([str(path)], Assumptions(version=version) if version else None,
                  selection=Selection(extend_select=extra) if extra else None)
    return [(d.code, d.span.start.line, d.message) for d in report.diagnostics]


# ------------------------------------------------------------------- settings and CLI


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_settings_accept_every_target(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, ".uwsgi-lint.toml", f'target-version = "{version}"\n')
    settings = load_settings(path)
    assert settings.target_version == version
    assert settings.assumptions(Assumptions()).version == version


@pytest.mark.parametrize(("value", "shown"), [
    ('"2.0.17"', '"2.0.17"'), ('"2.0.32"', '"2.0.32"'), ('"2.2"', '"2.2"'), ("2.0", "2.0"),
    ('"2.0.x"', '"2.0.x"'), ('"v2.0.21"', '"v2.0.21"'),
])
def test_settings_refuse_other_values_at_their_position(
    tmp_path: Path, value: str, shown: str
) -> None:
    path = write(tmp_path, "pyproject.toml", f"[tool.uwsgi-lint]\n# x\ntarget-version =  {value}\n")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}:3:19: {VERSIONS_MESSAGE}{shown}"


def test_cli_reports_a_bad_settings_value_with_exit_code_2(tmp_path: Path) -> None:
    root = project(tmp_path, 'target-version = "2.0.17"')
    write(root, "app.ini", "[uwsgi]\nmaster = true\n")
    result = run("app.ini", cwd=root)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"uwsgi-lint: {root / 'pyproject.toml'}:2:18: {VERSIONS_MESSAGE}\"2.0.17\"\n")


@pytest.mark.parametrize("version", ["2.0", "2.0.18", "2.0.21", "2.0.31", "2.1"])
def test_cli_accepts_each_target(tmp_path: Path, version: str) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nmaster = true\n")
    result = run("--target-version", version, "app.ini", cwd=project(tmp_path))
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("bad", ["2.0.17", "2.0.32", "2.2", "2", "latest"])
def test_cli_refuses_other_targets_with_usage_error(tmp_path: Path, bad: str) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nmaster = true\n")
    result = run("--target-version", bad, "app.ini", cwd=project(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.endswith(
        f"uwsgi-lint: error: argument --target-version: expected 2.0, a release from 2.0.18 "
        f"to 2.0.31, or 2.1, not '{bad}'\n")


def test_help_names_the_accepted_targets(tmp_path: Path) -> None:
    text = " ".join(run("--help", cwd=tmp_path).stdout.split())
    assert "--target-version VERSION" in text
    assert ("uWSGI version the configs are for: 2.0 (the default: any 2.0 release from "
            "2.0.18 on; version-dependent rules say only what holds in all of them), one "
            "release from 2.0.18 to 2.0.31") in text
    assert "or 2.1" in text


def test_command_line_beats_settings(tmp_path: Path) -> None:
    root = project(tmp_path, 'target-version = "2.0.21"')
    write(root, "app.ini", "[uwsgi]\nmax-requests-delta = 10\n")
    assert "UW101" in run("app.ini", cwd=root).stdout
    assert run("--target-version", "2.0.29", "app.ini", cwd=root).returncode == 0


# ------------------------------------------------------------------- enable-threads (UW115)

THREADS = "[uwsgi]\nmaster = true\nenable-threads = true\n"


def test_enable_threads_is_not_obsolete_under_the_default_target(tmp_path: Path) -> None:
    """2.0.18-2.0.26 need it (core/init.c sanitize_args() sets has_threads only for
    threads > 1 there): "2.0" reports nothing, as does a release before 2.0.27."""
    path = write(tmp_path, "app.ini", THREADS)
    assert codes(path) == []
    assert codes(path, "2.0.21") == []
    assert codes(path, "2.0.26") == []
    result = run("app.ini", cwd=project(tmp_path))
    assert (result.returncode, result.stdout) == (0, "All checks passed (1 file checked).\n")


@pytest.mark.parametrize("version", ["2.0.27", "2.0.31", "2.1"])
def test_enable_threads_is_obsolete_from_2_0_27(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "app.ini", THREADS)
    assert codes(path, version) == [(
        "UW115", 3,
        f"`enable-threads` does nothing from uWSGI 2.0.27 on (target-version {version}): "
        "thread support is always on, even with a false value; remove the line")]


def test_enable_threads_from_pyproject_target(tmp_path: Path) -> None:
    root = project(tmp_path, 'target-version = "2.0.27"')
    write(root, "app.ini", THREADS)
    result = run("app.ini", cwd=root)
    assert result.returncode == 1
    assert result.stdout.startswith("app.ini:3:1: UW115 [*] [obsolete-option] info: ")
    write(root, "pyproject.toml", '[tool.uwsgi-lint]\ntarget-version = "2.0.21"\n')
    assert run("app.ini", cwd=root).returncode == 0


def test_die_on_term_follows_the_series(tmp_path: Path) -> None:
    """The 2.0 SIGTERM behaviour holds for every 2.0 release (core/master.c picks
    reap_them_all unless die-on-term, the same in 2.0.18 and 2.0.31): die-on-term is
    obsolete only under 2.1, and UW202 (an Emperor's master without it) fires for a
    release as for "2.0"."""
    term = write(tmp_path, "term.ini", "[uwsgi]\nmaster = true\ndie-on-term = true\n")
    for version in ("2.0", "2.0.18", "2.0.27"):
        assert codes(term, version) == [], version
    assert [c[:2] for c in codes(term, "2.1")] == [("UW115", 3)]
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = /etc/uwsgi/vassals\n"
                    "master = true\n")
    found = {v: [c for c, _, _ in codes(emperor, v) if c == "UW202"]
             for v in ("2.0", "2.0.21", "2.1")}
    assert found == {"2.0": ["UW202"], "2.0.21": ["UW202"], "2.1": []}


def test_a_2_1_cheaper_algo_is_unknown_to_every_2_0_release(tmp_path: Path) -> None:
    path = write(tmp_path, "app.ini", "[uwsgi]\nmaster = true\nprocesses = 8\ncheaper = 2\n"
                 "cheaper-algo = spare2\n")
    assert codes(path, "2.1") == []
    for version in ("2.0", "2.0.21"):
        assert [c[0] for c in codes(path, version)] == ["UW406"], version


# ------------------------------------------------------ options newer than the target


NEWER = "[uwsgi]\nmaster = true\nharakiri = 30\nharakiri-graceful-timeout = 5\n"


def test_an_option_newer_than_the_release_is_unknown_there(tmp_path: Path) -> None:
    path = write(tmp_path, "app.ini", NEWER)
    assert codes(path, "2.0.21") == [(
        "UW101", 4,
        "'harakiri-graceful-timeout' exists only from uWSGI 2.0.22 on: uWSGI 2.0.21 ignores "
        "it (target-version 2.0.21); remove it, or target the release you deploy")]
    for version in ("2.0.22", "2.0.31", "2.1"):
        assert codes(path, version) == [], version


def test_under_the_default_range_a_newer_option_is_only_pedantic(tmp_path: Path) -> None:
    path = write(tmp_path, "app.ini", NEWER)
    assert codes(path) == []  # not in the default set
    message = ("uWSGI 2.0.18 to 2.0.21 ignore `harakiri-graceful-timeout`: it exists from "
               "2.0.22 on; set `target-version` to the release you deploy")
    assert codes(path, None, "UW116") == [("UW116", 4, message)]
    assert codes(path, None, "pedantic") == [("UW116", 4, message)]
    for version in ("2.0.21", "2.0.22", "2.1"):  # a release: UW101 or nothing
        assert [c for c, _, _ in codes(path, version, "UW116")] == (
            ["UW101"] if version == "2.0.21" else []), version


def test_the_first_release_after_the_oldest_reads_well(tmp_path: Path) -> None:
    path = write(tmp_path, "app.yaml", "uwsgi:\n  emperor-graceful-shutdown: true\n")
    assert codes(path, None, "UW116") == [(
        "UW116", 2, "uWSGI 2.0.18 ignores `emperor-graceful-shutdown`: it exists from 2.0.19 "
        "on; set `target-version` to the release you deploy")]
    assert [c[:2] for c in codes(path, "2.0.18")] == [("UW101", 2)]
    assert codes(path, "2.0.19") == []


@pytest.mark.parametrize("version", RELEASES)
def test_a_truly_unknown_option_is_unknown_in_every_release(tmp_path: Path, version: str) -> None:
    path = write(tmp_path, "app.ini", "[uwsgi]\nmaster = true\nprocesess = 4\n")
    assert codes(path, version) == [(
        "UW101", 3, f"unknown option 'procesess': uWSGI {version} ignores it; did you mean "
        "'processes'?")]


@pytest.mark.oracle
@pytest.mark.skipif(not (ORACLE.exists() and ORACLE_BIN.exists()), reason="oracle not built")
def test_oracle_2_0_31_knows_every_newer_option(tmp_path: Path) -> None:
    """The 2.0.31 binary accepts, under `strict`, each option that releases-2.0.json says
    appeared after 2.0.18 (so the "2.0" range never calls them unknown), and refuses a
    name no release has."""
    path = write(tmp_path, "app.ini", "[uwsgi]\nmax-requests-delta = 10\n"
                 "harakiri-graceful-timeout = 5\nmax-worker-lifetime-delta = 3\n")
    result = run_oracle(path)
    assert result["ok"] and result["strict_error"] is None, result
    assert ["max-requests-delta", "10"] in result["options"]
    unknown = write(tmp_path, "bad.ini", "[uwsgi]\nmax-requests-deltas = 10\n")
    refused = run_oracle(unknown)
    assert refused["strict_error"] is not None and "max-requests-deltas" in refused["strict_error"]


ORACLE_2_0_21 = os.environ.get("UWSGI_2_0_21_BIN")


@pytest.mark.oracle
@pytest.mark.skipif(not (ORACLE.exists() and ORACLE_2_0_21),
                    reason="set UWSGI_2_0_21_BIN to a uWSGI 2.0.21 binary (pip install "
                    "uwsgi==2.0.21 in a venv)")
def test_oracle_2_0_21_ignores_what_it_does_not_have(tmp_path: Path) -> None:
    """A real 2.0.21 binary: `strict` refuses harakiri-graceful-timeout (2.0.22) as an
    unknown option, and without `strict` drops it — what UW101 says for that target."""
    assert ORACLE_2_0_21 is not None
    path = write(tmp_path, "app.ini", NEWER)
    strict = run_oracle(path, "--uwsgi", ORACLE_2_0_21)
    assert "harakiri-graceful-timeout" in (strict["strict_error"] or ""), strict
    assert codes(path, "2.0.21")[0][:2] == ("UW101", 4)


def _python_threads(binary: str, where: Path, *extra: str) -> str:
    """The line a real uWSGI with its embedded python plugin logs about Python threads,
    started with an app that cannot load and `need-app` (so it exits at once, 22)."""
    out = subprocess.run(
        [binary, "--socket", str(where / "s.sock"), "--need-app", "--wsgi-file",
         str(where / "missing.py"), *extra],
        capture_output=True, text=True, timeout=60, check=False, cwd=where)
    assert out.returncode == 22, out.stderr[-2000:]
    return next(line for line in (out.stdout + out.stderr).splitlines()
                if "threads support" in line)


@pytest.mark.oracle
@pytest.mark.skipif(not ORACLE_BIN.exists(), reason="oracle not built")
def test_real_2_0_31_has_threads_without_enable_threads(tmp_path: Path) -> None:
    """What UW115 says from 2.0.27 on, on the 2.0.31 binary: threads are on anyway."""
    assert _python_threads(str(ORACLE_BIN), tmp_path) == "python threads support enabled"


@pytest.mark.oracle
@pytest.mark.skipif(not ORACLE_2_0_21, reason="set UWSGI_2_0_21_BIN to a uWSGI 2.0.21 binary")
def test_real_2_0_21_needs_enable_threads(tmp_path: Path) -> None:
    """Why UW115 is silent under "2.0" and "2.0.21": there `enable-threads` matters."""
    assert ORACLE_2_0_21 is not None
    assert _python_threads(ORACLE_2_0_21, tmp_path) == (
        "*** Python threads support is disabled. You can enable it with --enable-threads ***")
    assert _python_threads(ORACLE_2_0_21, tmp_path, "--enable-threads") == (
        "python threads support enabled")
    path = write(tmp_path, "app.ini", THREADS)
    assert codes(path, "2.0.21") == [] and codes(path) == []

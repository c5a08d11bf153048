"""The command line as users of ruff and hadolint expect it: files named that are no uWSGI
config, settings resolved per file, every setting a flag, --show-files, --show-settings,
-v, an empty run, and the github format only where the runner reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write

K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: uwsgi-app
spec:
  template:
    spec:
      containers:
        - name: app
          image: example/app:1
          args: ["uwsgi", "--ini", "/etc/uwsgi/app.ini"]
"""
HELM_VALUES = "replicaCount: 2\nuwsgi:\n  - --processes=4\n  - --master\n"
PACKAGE = '{"name": "uwsgi-dashboard", "version": "1.0.0", "dependencies": {"uwsgi": "1"}}\n'
WORKFLOW = "name: uwsgi-lint\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n"
VASSAL_BAD = "[uwsgi]\nprocesess = 4\n"
NEW_OPTION = "[uwsgi]\nmodule = app.wsgi\nemperor-command-socket = /run/uwsgi/cmd.sock\n"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("NO_COLOR", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    return subprocess.run([sys.executable, "-m", "uwsgi_lint", *args], cwd=cwd,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          input=stdin, timeout=120)


def project(tmp_path: Path) -> Path:
    """A git work tree (the settings search stops at its root)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_named_files_that_are_no_uwsgi_config_are_skipped_never_judged(tmp_path: Path) -> None:
    root = project(tmp_path)
    names = {
        "deploy/k8s/uwsgi-deployment.yaml": K8S,
        "chart/uwsgi/values.yaml": HELM_VALUES,
        "dashboard/uwsgi-ui/package.json": PACKAGE,
        ".github/workflows/uwsgi-lint.yml": WORKFLOW,
    }
    for name, text in names.items():
        write(root, name, text)
    write(root, "uwsgi/vassals/bad.ini", VASSAL_BAD)
    # what pre-commit passes: every file whose path mentions uwsgi
    result = run("-v", *names, "uwsgi/vassals/bad.ini", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "uwsgi/vassals/bad.ini:2:1: UW101 [unknown-option] warning: unknown option "
        "'procesess': uWSGI 2.0.31 ignores it; did you mean 'processes'?\n"
        "Found 1 problem in 1 file (1 file checked). 1 fixable with --fix --unsafe-fixes.\n")
    for name in names:
        assert (f"uwsgi-lint: skipped {name}: not a uWSGI config (named on the command line)\n"
                in result.stderr)
    # without -v nothing is said about them
    quiet = run(*names, "uwsgi/vassals/bad.ini", cwd=root)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (1, result.stdout, "")


def test_no_config_found_is_an_error_unless_allowed(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "chart/uwsgi/values.yaml", HELM_VALUES)
    write(root, "README.md", "# app\n")
    for args in (["chart/uwsgi/values.yaml"], ["."]):
        empty = run(*args, cwd=root)
        assert (empty.returncode, empty.stdout) == (2, "")
        assert empty.stderr == (
            f"uwsgi-lint: error: no uWSGI config found in {args[0]} (see --show-files; "
            "--allow-empty makes this exit 0)\n")
        allowed = run("--allow-empty", *args, cwd=root)
        assert (allowed.returncode, allowed.stdout) == (0, "")
        assert allowed.stderr == f"uwsgi-lint: warning: no uWSGI config found in {args[0]}\n"
    # a machine-readable format still writes its (empty) document
    doc = json.loads(run("--allow-empty", "--format", "json", ".", cwd=root).stdout)
    assert doc["diagnostics"] == [] and doc["files_checked"] == 0


@pytest.mark.parametrize("order", [("old", "next"), ("next", "old")])
def test_nested_settings_apply_to_their_own_files_in_any_order(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    root = project(tmp_path)
    write(root, "pyproject.toml", '[tool.uwsgi-lint]\ntarget-version = "2.0"\n')
    write(root, "uwsgi/next/.uwsgi-lint.toml", 'target-version = "2.1"\n')
    files = {"old": "uwsgi/old/app.ini", "next": "uwsgi/next/app.ini"}
    for name in files.values():
        write(root, name, NEW_OPTION)
    result = run("--format", "json", *(files[o] for o in order), cwd=root)
    got = [(os.path.relpath(d["filename"], root), d["code"])
           for d in json.loads(result.stdout)["diagnostics"]]
    # 2.1 knows the option; 2.0 ignores it: only the 2.0 file is reported, whatever the order
    assert got == [("uwsgi/old/app.ini", "UW101")]
    # the command line wins over every settings file
    forced = run("--format", "json", "--target-version", "2.1", *files.values(), cwd=root)
    assert json.loads(forced.stdout)["diagnostics"] == []


def test_show_files_lists_what_is_checked_and_why_the_rest_is_not(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, ".uwsgi-lint.toml", 'exclude = ["old/"]\n')
    write(root, ".gitignore", "build/\n")
    write(root, "uwsgi/app.ini", "[uwsgi]\nmaster = true\n")
    write(root, "uwsgi/old/legacy.ini", "[uwsgi]\nmaster = true\n")
    write(root, "uwsgi/notes.ini", "[app]\nx = 1\n")
    write(root, "uwsgi/README.md", "# docs\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True)
    write(root, "build/app.ini", "[uwsgi]\nmaster = true\n")
    result = run("--show-files", ".", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "check  ./uwsgi/app.ini",
        "skip   ./.gitignore: not a uWSGI config",
        "skip   ./.uwsgi-lint.toml: not a uWSGI config",
        "skip   ./build/app.ini: ignored by .gitignore",
        "skip   ./uwsgi/README.md: not a uWSGI config",
        "skip   ./uwsgi/notes.ini: not a uWSGI config",
        f"skip   ./uwsgi/old/legacy.ini: excluded by `exclude` in {root}/.uwsgi-lint.toml",
    ]


def test_show_settings_says_where_each_setting_comes_from(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "pyproject.toml",
          '[tool.uwsgi-lint]\nignore = ["UW125"]\ntarget-version = "2.0.21"\n'
          'docs-url = "https://docs.example.org/rules/{code}.html"\n')
    write(root, "uwsgi/app.ini", "[uwsgi]\nmaster = true\n")
    result = run("--show-settings", "uwsgi/app.ini", "--extend-select", "hardening",
                 "--yaml-reader", "libyaml", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    source = str(root / "pyproject.toml")
    assert lines[:2] == ["# settings for uwsgi/app.ini", f"# settings file: {source}"]
    assert 'select = ["default"]  # default' in lines
    assert 'extend-select = ["hardening"]  # command line' in lines
    assert f'ignore = ["UW125"]  # {source}' in lines
    assert f'target-version = "2.0.21"  # {source}' in lines
    assert 'yaml-reader = "libyaml"  # command line' in lines
    assert f'docs-url = "https://docs.example.org/rules/{{code}}.html"  # {source}' in lines
    assert not any(line.startswith("container") for line in lines)


def test_every_setting_is_a_flag(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "uwsgi/legacy/a.ini", "[uwsgi]\nprocesess = 4\nchmod-socket = 666\n"
          "socket = /run/a.sock\n")
    write(root, "uwsgi/b.ini", "[uwsgi]\nprocesess = 4\nchmod-socket = 666\nsocket = /run/b.sock\n")
    result = run("--format", "json", "--per-file-ignores", "uwsgi/legacy/*.ini:UW101",
                 "--severity", "UW5=info", "uwsgi", cwd=root)
    got = sorted((Path(d["filename"]).name, d["code"], d["severity"])
                 for d in json.loads(result.stdout)["diagnostics"])
    assert ("a.ini", "UW101", "warning") not in got
    assert ("b.ini", "UW101", "warning") in got
    assert {s for name, code, s in got if code.startswith("UW5")} == {"info"}
    # --plugins: a plugin option that the default build does not have is known once loaded
    write(root, "plugin.ini", "[uwsgi]\nplugins = rack\nrack = config.ru\n")
    assert run("--plugins", "rack", "--select", "UW101", "plugin.ini", cwd=root).returncode == 0
    for bad in (["--docs-url", "ftp://x/{code}"], ["--docs-url", "https://x/rules"],
                ["--severity", "UW5=fatal"], ["--per-file-ignores", "nocolon"],
                ["--per-file-ignores", "x[z-a]:UW101"], ["--per-file-ignores", "!x:UW1"],
                ["--target-version", "1.9"]):
        usage = run(*bad, "uwsgi", cwd=root)
        assert usage.returncode == 2 and "usage: uwsgi-lint" in usage.stderr, bad


def test_check_is_the_default_command(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", VASSAL_BAD)
    plain, named = run("app.ini", cwd=root), run("check", "app.ini", cwd=root)
    assert (plain.returncode, plain.stdout) == (named.returncode, named.stdout)
    assert plain.returncode == 1
    top = run("--help", cwd=root).stdout
    assert "--show-settings FILE" in top and "--per-file-ignores GLOB:RULES" in top


def test_github_format_only_where_the_runner_reads_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", VASSAL_BAD)
    actions = {"GITHUB_ACTIONS": "true"}
    to_log = run("app.ini", cwd=root, env=actions)
    assert to_log.stdout.startswith("::warning file=app.ini,line=2,col=1")
    # a file is read by people, --statistics is a table: text in both
    run("-o", "report.txt", "app.ini", cwd=root, env=actions)
    assert (root / "report.txt").read_text(encoding="utf-8").startswith("app.ini:2:1: UW101")
    stats = run("--statistics", "app.ini", cwd=root, env=actions)
    assert stats.returncode == 1 and "UW101" in stats.stdout and "::" not in stats.stdout


def test_step_summary_in_actions_lists_counts_and_findings_past_the_cap(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", "[uwsgi]\n" + "".join(f"opt{i} = 1\n" for i in range(12)))
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run("app.ini", cwd=root, env=env)
    assert result.returncode == 1
    assert result.stdout.count("::warning ") == 12
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## uwsgi-lint\n")  # appended, never replaced
    assert "| UW101 | unknown\\-option | warning | 12 |" in text
    # the two warnings past GitHub's 10 annotations a step are listed by place
    assert "app.ini:12:1" in text and "app.ini:13:1" in text and "app.ini:11:1" not in text
    # with docs-url, each rule's code links to its page
    summary.write_text("", encoding="utf-8")
    run("--docs-url", "https://docs.example.org/r/{code}.html", "app.ini", cwd=root, env=env)
    assert ("| [UW101](https://docs.example.org/r/UW101.html) | unknown\\-option | warning | 12 |"
            in summary.read_text(encoding="utf-8"))
    # outside Actions (or with another format) nothing is written
    summary.write_text("", encoding="utf-8")
    run("--format", "json", "app.ini", cwd=root, env=env)
    run("app.ini", cwd=root, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == ""


def test_docs_url_from_the_command_line_or_the_project_settings(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", VASSAL_BAD)
    page = "https://docs.example.org/uwsgi-lint/rules/{code}.html"
    flagged = run("--format", "json", "--docs-url", page, "app.ini", cwd=root)
    [finding] = json.loads(flagged.stdout)["diagnostics"]
    assert finding["url"] == "https://docs.example.org/uwsgi-lint/rules/UW101.html"
    write(root, ".uwsgi-lint.toml", f'docs-url = "{page.replace("{code}", "{name}")}"\n')
    [finding] = json.loads(run("--format", "json", "app.ini", cwd=root).stdout)["diagnostics"]
    assert finding["url"] == "https://docs.example.org/uwsgi-lint/rules/unknown-option.html"
    write(root, ".uwsgi-lint.toml", 'docs-url = "https://docs.example.org/rules"\n')
    bad = run("app.ini", cwd=root)
    assert bad.returncode == 2
    assert bad.stderr.startswith(f"uwsgi-lint: {root}/.uwsgi-lint.toml:1:12: `docs-url`: "
                                 "expected a URL with {code} or {name} in it")

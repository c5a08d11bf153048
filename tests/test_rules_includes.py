"""UW020-UW023 at the line that asks for the include, with uWSGI's resolution."""

from __future__ import annotations

from pathlib import Path

from uwsgi_lint.engine import lint
from uwsgi_lint.settings import Selection

from .helpers import write


def findings(*paths: Path) -> list[str]:
    """Every finding of a run over ``paths``, UW022 (opt-in: what is not read) included."""
    report = lint([str(p) for p in paths], selection=Selection(extend_select=("UW022",)))
    assert report.errors == []
    return [f"{Path(d.span.file).name}:{d.span.start.line}:{d.span.start.column} {d.code} "
            f"{d.message}" for d in report.diagnostics]


def details(*paths: Path) -> list[str]:
    """The detail paragraph of each finding, in the order of :func:`findings`."""
    report = lint([str(p) for p in paths], selection=Selection(extend_select=("UW022",)))
    return [d.detail for d in report.diagnostics]


def test_missing_include_names_the_working_directory_and_the_fix(tmp_path: Path) -> None:
    write(tmp_path, "sub/other.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "sub/part.ini", "[uwsgi]\ninclude = other.ini\n")
    app = write(tmp_path, "app.ini", "[uwsgi]\nini = %dsub/part.ini\n")
    [finding] = findings(app)
    assert finding == (
        "part.ini:2:1 UW020 uWSGI exits: cannot open 'other.ini': no such file; it exists "
        "next to this file: write %dother.ini")
    assert details(app) == [
        f"Relative paths are resolved against uWSGI's working directory, {tmp_path}."]


def test_missing_at_file_and_inherit(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", "[uwsgi]\npidfile = @(secret.txt)\ninherit = nope.ini\n")
    assert [f.split(" uWSGI")[0] for f in findings(app)] == [
        "app.ini:2:1 UW020", "app.ini:3:1 UW020"]


def test_cycle_through_two_files(tmp_path: Path) -> None:
    write(tmp_path, "b.ini", "[uwsgi]\nini = %da.ini\n")
    a = write(tmp_path, "a.ini", "[uwsgi]\nini = %db.ini\n")
    [finding] = findings(a)
    assert finding.startswith(f"b.ini:2:1 UW021 '{tmp_path}/a.ini' includes itself")


def test_schemes_are_reported_not_run(tmp_path: Path) -> None:
    app = write(tmp_path, "app.ini", (
        "[uwsgi]\nini = exec://touch %dcanary\nprocname = @(http://127.0.0.1:9/x)\n"))
    # UW506 adds its plain-HTTP warning to line 3 (tests/test_rules_exposure.py); the
    # `@()` in `procname` gives a value, no config: not UW022's (tests/test_wrong_findings.py)
    assert [f for f in findings(app) if " UW5" not in f] == [
        f"app.ini:2:1 UW022 'exec://touch {tmp_path}/canary' is not read: exec:// is never "
        "executed or fetched, so the options it adds are not checked"]
    assert not (tmp_path / "canary").exists()


def test_vassal_relative_include_resolves_in_the_vassals_directory(tmp_path: Path) -> None:
    write(tmp_path, "vassals/common.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "snippets/common.ini", "[uwsgi]\nmaster = 0\n")
    write(tmp_path, "snippets/base.ini", "[uwsgi]\nini = common.ini\n")
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nini = %d../snippets/base.ini\n")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    found = [f for f in findings(emperor) if "UW023" in f]
    assert found == [
        "base.ini:2:1 UW023 uWSGI reads `common.ini` relative to its working directory, not "
        "next to this file; write %dcommon.ini to mean the one next to it"]
    assert [d for d in details(emperor) if "common.ini" in d] == [
        f"uWSGI reads {tmp_path}/vassals/common.ini (its working directory is "
        f"{tmp_path}/vassals), not {tmp_path}/snippets/common.ini."]

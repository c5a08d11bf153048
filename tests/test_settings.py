"""Settings: where they are found, what they select, and errors at file:line:column."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from uwsgi_lint.diagnostics import Severity
from uwsgi_lint.engine import lint
from uwsgi_lint.settings import (
    DEFAULT,
    Settings,
    SettingsError,
    enabled,
    find_settings,
    glob_match,
    load_settings,
    settings_for,
    severity_of,
)

from .complexity import LINEAR, growth

BAD = "[uwsgi]\nprocesses = 4\nbogus-one = 1\nbogus-two = 1\n"


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "sub" / "deep").mkdir(parents=True)
    return root


def found(report: object) -> list[str]:
    return [
        f"{d.code} {d.severity.value} {Path(d.span.file).name}:{d.span.start.line}"
        for d in report.diagnostics  # type: ignore[attr-defined]
    ]


# --- finding the settings file --------------------------------------------------------


def test_closest_settings_file_wins(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nignore = ["UW101"]\n')
    (root / "sub" / ".uwsgi-lint.toml").write_text('select = ["UW1"]\n')
    assert find_settings(str(root / "a.ini")) == root / "pyproject.toml"
    assert find_settings(str(root / "sub" / "a.ini")) == root / "sub" / ".uwsgi-lint.toml"
    assert find_settings(str(root / "sub" / "deep" / "a.ini")) == (
        root / "sub" / ".uwsgi-lint.toml"
    )
    assert find_settings(str(root / "sub" / "deep")) == root / "sub" / ".uwsgi-lint.toml"


def test_dotfile_beats_pyproject_in_one_directory(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nignore = ["UW101"]\n')
    (root / ".uwsgi-lint.toml").write_text('ignore = ["UW102"]\n')
    assert find_settings(str(root / "a.ini")) == root / ".uwsgi-lint.toml"


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nignore = ["UW101"]\n')
    (root / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_settings(str(root / "sub" / "a.ini")) == root / "pyproject.toml"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".uwsgi-lint.toml").write_text('ignore = ["UW101"]\n')
    root = repo(tmp_path)
    assert find_settings(str(root / "sub" / "a.ini")) is None
    assert settings_for(str(root / "sub" / "a.ini")) == DEFAULT


def test_same_result_from_any_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nignore = ["UW101"]\n')
    (root / "sub" / ".uwsgi-lint.toml").write_text('severity = { UW101 = "error" }\n')
    (root / "a.ini").write_text(BAD)
    (root / "sub" / "b.ini").write_text(BAD)
    results = []
    for cwd, paths in (
        (root, ["a.ini", "sub/b.ini"]),
        (root / "sub", ["../a.ini", "b.ini"]),
        (root / "sub" / "deep", ["../../a.ini", "../b.ini"]),
    ):
        monkeypatch.chdir(cwd)
        results.append(found(lint(paths)))
    assert results[0] == ["UW101 error b.ini:3", "UW101 error b.ini:4"]
    assert results[0] == results[1] == results[2]


def test_config_wins_for_all_files_and_isolated_ignores_all(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nignore = ["UW101"]\n')
    (root / "a.ini").write_text(BAD)
    other = tmp_path / "other.toml"
    other.write_text('severity = { unknown-option = "info" }\n')
    assert found(lint([str(root / "a.ini")])) == []
    assert found(lint([str(root / "a.ini")], config=str(other))) == [
        "UW101 info a.ini:3", "UW101 info a.ini:4"]
    assert found(lint([str(root / "a.ini")], isolated=True)) == [
        "UW101 warning a.ini:3", "UW101 warning a.ini:4"]
    assert settings_for(str(root / "a.ini"), config=str(other)).source == str(other)


def test_load_is_cached_by_mtime(tmp_path: Path) -> None:
    f = tmp_path / ".uwsgi-lint.toml"
    f.write_text('ignore = ["UW101"]\n')
    first = load_settings(f)
    assert load_settings(f) is first
    f.write_text('ignore = ["UW102"]\n')
    later = time.time() + 5
    os.utime(f, (later, later))
    assert load_settings(f).ignore == ("UW102",)


# --- selection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "code", "name", "expected"),
    [
        (Settings(), "UW101", "unknown-option", True),
        (Settings(select=("UW1",)), "UW101", "unknown-option", True),
        (Settings(select=("UW1",)), "UW201", "x", False),
        (Settings(select=("UW2",), extend_select=("UW101",)), "UW101", "unknown-option", True),
        (Settings(ignore=("UW1",)), "UW101", "unknown-option", False),
        (Settings(ignore=("unknown-option",)), "UW101", "unknown-option", False),
        (Settings(ignore=("uw10",)), "UW101", "unknown-option", False),
        # the more specific selector wins; a tie ignores
        (Settings(select=("UW101",), ignore=("UW1",)), "UW101", "unknown-option", True),
        (Settings(select=("UW1",), ignore=("UW101",)), "UW101", "unknown-option", False),
        (Settings(select=("UW101",), ignore=("unknown-option",)), "UW101", "unknown-option",
         False),
        (Settings(ignore=("all",), extend_select=("UW5",)), "UW501", "x", True),
        (Settings(ignore=("all",), extend_select=("UW5",)), "UW101", "x", False),
    ],
)
def test_enabled(settings: Settings, code: str, name: str, expected: bool) -> None:
    assert enabled(settings, code, name) is expected


def test_prefix_and_name_selection_in_a_run(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "a.ini").write_text("[uwsgi]\nprocesses = four\nbogus = 1\n")
    everything = found(lint([str(root / "a.ini")]))
    assert "UW101 warning a.ini:3" in everything
    (root / ".uwsgi-lint.toml").write_text('select = ["unknown-option"]\n')
    assert found(lint([str(root / "a.ini")])) == ["UW101 warning a.ini:3"]
    (root / ".uwsgi-lint.toml").write_text('select = ["UW1"]\nignore = ["UW101"]\n')
    result = found(lint([str(root / "a.ini")]))
    assert result and all(r.startswith("UW1") and "UW101" not in r for r in result)


def test_per_file_ignores(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "legacy").mkdir()
    (root / "legacy" / "old.ini").write_text(BAD)
    (root / "sub" / "new.ini").write_text(BAD)
    (root / "sub" / "deep" / "app.ini").write_text(BAD)
    (root / "pyproject.toml").write_text(
        "[tool.uwsgi-lint.per-file-ignores]\n"
        '"legacy/*.ini" = ["UW101"]\n'
        '"app.ini" = ["unknown-option"]\n'
    )
    result = found(lint([str(root)]))
    assert result == ["UW101 warning new.ini:3", "UW101 warning new.ini:4"]


def test_severity_overrides(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "a.ini").write_text(BAD)
    (root / ".uwsgi-lint.toml").write_text('[severity]\nUW1 = "info"\nunknown-option = "error"\n')
    assert found(lint([str(root / "a.ini")])) == ["UW101 error a.ini:3", "UW101 error a.ini:4"]
    s = load_settings(root / ".uwsgi-lint.toml")

    class R:
        code, name, severity = "UW102", "other", Severity.WARNING

    assert severity_of(s, R()) is Severity.INFO


def test_other_keys_are_read(tmp_path: Path) -> None:
    f = tmp_path / ".uwsgi-lint.toml"
    f.write_text(
        'target-version = "2.1"\nyaml-reader = "libyaml"\nplugins = ["python3"]\n'
        'container = true\nexclude = ["build"]\nextend-exclude = ["*.bak.ini"]\n'
    )
    s = load_settings(f)
    assert (s.target_version, s.yaml_reader, s.plugins, s.container) == (
        "2.1", "libyaml", ("python3",), True)
    assert (s.exclude, s.extend_exclude) == (("build",), ("*.bak.ini",))
    from uwsgi_lint.instance import Assumptions

    a = s.assumptions(Assumptions())
    assert (a.version, a.yaml_reader, a.plugins, a.container) == (
        "2.1", "libyaml", frozenset({"python3"}), True)


def test_exclude_drops_discovered_files_but_not_named_ones(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "gen.ini").write_text(BAD)
    (root / "a.ini").write_text("[uwsgi]\nprocesses = 4\n")
    (root / ".uwsgi-lint.toml").write_text('exclude = ["build"]\nselect = ["UW101"]\n')
    assert found(lint([str(root)])) == []
    assert len(found(lint([str(root / "build" / "gen.ini")]))) == 2


def test_glob_match() -> None:
    assert glob_match("legacy/*.ini", "legacy/a.ini")
    assert not glob_match("legacy/*.ini", "legacy/x/a.ini")
    assert not glob_match("legacy/*.ini", "x/legacy/a.ini")  # a `/` in it anchors it
    assert glob_match("legacy/**/*.ini", "legacy/x/a.ini")
    assert glob_match("legacy/**/*.ini", "legacy/a.ini")
    assert glob_match("**/vassals/*", "a/b/vassals/x.ini")
    assert glob_match("app[0-9].ini", "app7.ini")
    assert glob_match("*.bak", "a/b/x.bak") and glob_match("old/", "a/old/x.ini")
    assert not glob_match("a[!x]b", "a/b")  # a class never matches `/`, as in git


def show_files(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """What ``uwsgi-lint --show-files ARGS`` prints (it must succeed)."""
    from uwsgi_lint.cli import main

    assert main(["--show-files", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_exclude_globs_are_read_as_a_gitignore_in_the_settings_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    for name in ("a.bak.ini", "keep.bak.ini", "legacy/x.ini", "legacy/keep.ini",
                 "sub/legacy/y.ini", "sub/old.ini", "sub/deep/old.ini/z.ini"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("[uwsgi]\nmaster = true\n")
    (root / ".uwsgi-lint.toml").write_text(
        'exclude = ["*.bak.ini", "/legacy", "old.ini/"]\n'
        'extend-exclude = ["!keep.bak.ini", "!legacy/keep.ini"]\n'
    )
    monkeypatch.chdir(tmp_path)  # globs are relative to the settings file, not to here
    skipped = f"excluded by `exclude` in {root / '.uwsgi-lint.toml'}"
    assert show_files(capsys, "repo") == [
        "check  repo/keep.bak.ini",  # `!` re-includes it
        "check  repo/sub/legacy/y.ini",  # `/legacy` is only the one beside the settings
        "check  repo/sub/old.ini",  # `old.ini/` is for directories only
        "skip   repo/.uwsgi-lint.toml: not a uWSGI config",
        f"skip   repo/a.bak.ini: {skipped}",
        f"skip   repo/legacy/keep.ini: {skipped}",  # as in git: its directory is excluded
        f"skip   repo/legacy/x.ini: {skipped}",
        f"skip   repo/sub/deep/old.ini/z.ini: {skipped}",
    ]


def test_per_file_ignores_with_double_star(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from uwsgi_lint.cli import main

    root = repo(tmp_path)
    typo = "[uwsgi]\nmaster = true\nprocesess = 4\n"
    for name in ("legacy/a.ini", "sub/legacy/deep/b.ini", "sub/c.ini", "legacy.ini"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(typo)
    (root / ".uwsgi-lint.toml").write_text('[per-file-ignores]\n"**/legacy/**" = ["UW101"]\n')
    monkeypatch.chdir(tmp_path)  # globs are relative to the settings file, not to here
    assert main(["repo"]) == 1
    assert [line.split(" ")[:2] for line in capsys.readouterr().out.splitlines()[:-1]] == [
        ["repo/legacy.ini:3:1:", "UW101"], ["repo/sub/c.ini:3:1:", "UW101"]]


@given(
    st.lists(st.sampled_from(["a", "b", "*", "**", "?", "/", "[ab]", "[]a]", "\\*", "!", "."]),
             min_size=1, max_size=8).map("".join),
    st.lists(st.sampled_from(["a", "b", "/", "*", ".", "]"]), max_size=10).map("".join),
)
@examples(max_examples=300, deadline=None)
def test_globs_match_what_pathspec_matches(glob: str, path: str) -> None:
    """The expressions that do not backtrack match what pathspec's own expressions do,
    and tell a file that matches from one in a directory that matches as they do."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    from uwsgi_lint.globs import _linear_pattern

    try:
        theirs = GitIgnoreSpecPattern(glob)
    except ValueError:
        return
    ours = _linear_pattern()(glob)
    assert ours.include == theirs.include
    path = path.strip("/")
    for target in (path, path + "/"):
        a = theirs.match_file(target) if theirs.regex is not None else None
        b = ours.match_file(target) if ours.regex is not None else None
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.match.groupdict().get("ps_d") == b.match.groupdict().get("ps_d")


def test_double_star_globs_do_not_backtrack() -> None:
    """Linear in the depth of the path, where pathspec's own expression for this glob
    takes about n**4 steps for n directories (see ``tests/complexity.py``)."""

    def deeper(size: int) -> Callable[[], object]:
        path = "a/" * size + "c.ini"
        return lambda: glob_match("**/a/**/a/**/a/**/b/*.ini", path)

    assert growth(deeper, 2000) < LINEAR


# --- errors ------------------------------------------------------------------------------


def error(path: Path, text: str) -> str:
    path.write_text(text)
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    err = info.value
    assert str(err) == f"{err.path}:{err.line}:{err.column}: {err.message}"
    return f"{Path(err.path).name}:{err.line}:{err.column}: {err.message}"


def test_unknown_key_in_pyproject(tmp_path: Path) -> None:
    text = '[project]\nname = "x"\n\n[tool.uwsgi-lint]\nselect = ["UW1"]\n  selekt = []\n'
    assert error(tmp_path / "pyproject.toml", text).startswith(
        "pyproject.toml:6:3: unknown setting `selekt` (known: allow-read, container, context, "
        "docs-url, exclude,")


def test_unknown_key_in_dotfile_and_dotted_key(tmp_path: Path) -> None:
    assert error(tmp_path / ".uwsgi-lint.toml", 'select = []\n\nfoo.bar = 1\n').startswith(
        ".uwsgi-lint.toml:3:1: unknown setting `foo`")


def test_unknown_key_as_subtable_in_pyproject(tmp_path: Path) -> None:
    text = '[tool.uwsgi-lint]\nselect = ["UW1"]\n\n[tool.uwsgi-lint.severities]\nUW1 = "x"\n'
    assert error(tmp_path / "pyproject.toml", text).startswith(
        "pyproject.toml:4:18: unknown setting `severities`")


def test_bad_selector_in_a_multiline_list(tmp_path: Path) -> None:
    text = '[tool.uwsgi-lint]\nignore = [\n  "UW101",\n    "UW10x",\n]\n'
    assert error(tmp_path / "pyproject.toml", text) == (
        "pyproject.toml:4:5: unknown rule code, prefix, name or set `UW10x` in `ignore`")


def test_bad_selector_names_no_rule(tmp_path: Path) -> None:
    assert error(tmp_path / ".uwsgi-lint.toml", 'select = ["UW101", "UW999"]\n') == (
        ".uwsgi-lint.toml:1:20: unknown rule code, prefix, name or set `UW999` in `select`")


def test_bad_values(tmp_path: Path) -> None:
    f = tmp_path / ".uwsgi-lint.toml"
    assert error(f, '# c\ntarget-version = "2.2"\n') == (
        '.uwsgi-lint.toml:2:18: `target-version` must be "2.0" (any 2.0 release from 2.0.18 '
        'on), a release "2.0.18" to "2.0.31", or "2.1", not "2.2"')
    assert error(f, 'yaml-reader =   "pyyaml"\n') == (
        '.uwsgi-lint.toml:1:17: `yaml-reader` must be one of "embedded", "libyaml", '
        'not "pyyaml"')
    assert error(f, 'container = "yes"\n') == (
        '.uwsgi-lint.toml:1:13: `container` must be true or false, not "yes"')
    assert error(f, "select = \"UW1\"\n") == (
        ".uwsgi-lint.toml:1:10: `select` must be a list of strings")
    assert error(f, "plugins = [1]\n") == (
        ".uwsgi-lint.toml:1:11: `plugins` must be a list of strings, not 1")


def test_bad_severity_inline_and_table(tmp_path: Path) -> None:
    f = tmp_path / "pyproject.toml"
    assert error(f, '[tool.uwsgi-lint]\nseverity = { UW101 = "error", bogus = "info" }\n') == (
        "pyproject.toml:2:31: unknown rule code, prefix, name or set `bogus` in `severity`")
    assert error(f, '[tool.uwsgi-lint.severity]\nUW1 = "info"\n"UW101" = "fatal"\n') == (
        'pyproject.toml:3:11: severity of `UW101` must be one of "error", "warning", '
        '"info", not "fatal"')


def test_bad_per_file_ignores(tmp_path: Path) -> None:
    f = tmp_path / ".uwsgi-lint.toml"
    text = '[per-file-ignores]\n"a/*.ini" = ["UW101"]\n"b/*.ini" = ["nope"]\n'
    assert error(f, text) == (
        ".uwsgi-lint.toml:3:14: unknown rule code, prefix, name or set `nope` in "
        "`per-file-ignores.b/*.ini`")


def test_invalid_toml(tmp_path: Path) -> None:
    f = tmp_path / ".uwsgi-lint.toml"
    assert error(f, 'select = ["UW1"]\nignore = ["UW101", bogus]\n') == (
        ".uwsgi-lint.toml:2:20: invalid TOML: Invalid value")
    assert error(f, 'select = ["UW1"]\n\n[per-file-ignores\n') == (
        ".uwsgi-lint.toml:3:18: invalid TOML: Expected ']' at the end of a table declaration")
    assert error(f, 'select = ["UW1"\n') == (
        ".uwsgi-lint.toml:2:1: invalid TOML: Unclosed array")  # at the end of the file


def test_invalid_toml_in_pyproject_meant_for_us(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from uwsgi_lint.cli import main

    root = repo(tmp_path)
    (root / "a.ini").write_text("[uwsgi]\nmaster = true\n")
    (root / "pyproject.toml").write_text('[tool.uwsgi-lint]\nselect = ["UW1",,]\n')
    assert main([str(root / "a.ini")]) == 2
    assert capsys.readouterr().err == (
        f"uwsgi-lint: {root / 'pyproject.toml'}:2:17: invalid TOML: Invalid value\n")


@pytest.mark.parametrize(("text", "expected"), [
    ('exclude = ["old/", "x/[ab"]\n', "1:23: unclosed `[` (write `\\[` to match a `[`) "
     "in the glob `x/[ab` of `exclude`"),
    ("exclude = ['#old']\n", "1:13: a glob starting with `#` is a comment, as in .gitignore "
     "(write `\\#`) in the glob `#old` of `exclude`"),
    ('exclude = ["old/", ""]\n', "1:21: an empty glob matches nothing in the glob `` of "
     "`exclude`"),
    ('[per-file-ignores]\n"!legacy/*.ini" = ["UW101"]\n', "2:2: `!` re-includes what an "
     "earlier glob of a list excludes: here it would match nothing (write `\\!` to match a "
     "`!`) in the glob `!legacy/*.ini` of `per-file-ignores`"),
    ('[per-file-ignores]\n"./legacy/[z-a].ini" = ["UW101"]\n', "2:11: invalid class `[z-a]`: "
     "the range `z-a` is reversed (write `a-z`) in the glob `./legacy/[z-a].ini` of "
     "`per-file-ignores`"),
])
def test_unusable_glob(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path / ".uwsgi-lint.toml", text) == f".uwsgi-lint.toml:{expected}"


def test_settings_error_from_lint(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "a.ini").write_text(BAD)
    (root / ".uwsgi-lint.toml").write_text("nonsense = 1\n")
    with pytest.raises(SettingsError, match=r"\.uwsgi-lint\.toml:1:1: unknown setting"):
        lint([str(root / "a.ini")])


def test_key_found_in_its_own_table(tmp_path: Path) -> None:
    text = '[project]\nfoo = 1\n\n[tool.uwsgi-lint]\nselect = []\n foo = 1\n'
    assert error(tmp_path / "pyproject.toml", text).startswith(
        "pyproject.toml:6:2: unknown setting `foo`")


def test_dotted_severity_key(tmp_path: Path) -> None:
    text = '[tool.uwsgi-lint]\nseverity.UW1 = "info"\nseverity.UW101 = "fatal"\n'
    assert error(tmp_path / "pyproject.toml", text).startswith("pyproject.toml:3:18: severity")
    text = '[tool.uwsgi-lint]\nseverity.UW1 = "info"\nseverity.UWX = "info"\n'
    assert error(tmp_path / "pyproject.toml", text).startswith(
        "pyproject.toml:3:10: unknown rule code, prefix, name or set `UWX`")

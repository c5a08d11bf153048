"""Suppression comments in INI, YAML and XML; unused and unknown ones; --add-noqa."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.engine import lint
from uwsgi_lint.suppress import add_noqa, parse_comment

from .helpers import fixed


def run(path: Path, **kw: object) -> list[str]:
    report = lint([str(path)], **kw)  # type: ignore[arg-type]
    assert report.errors == []
    return [f"{d.code} {d.span.start.line}:{d.span.start.column} {d.message}"
            for d in report.diagnostics if not d.code.startswith("UW5")]


def codes(path: Path, **kw: object) -> list[str]:
    return [f.split(":")[0] for f in run(path, **kw)]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_parse_comment() -> None:
    p = parse_comment("; uwsgi-lint: disable=UW101, unknown-option -- legacy, keep")
    assert p is not None
    assert (p.kind, p.codes, p.reason) == ("disable", ("UW101", "unknown-option"),
                                           "legacy, keep")
    p = parse_comment("<!-- uwsgi-lint: disable-file=UW105 - reason here -->")
    assert p is not None
    assert (p.kind, p.codes, p.reason) == ("disable-file", ("UW105",), "reason here")
    p = parse_comment("# uwsgi-lint: enable=all")
    assert p is not None
    assert (p.kind, p.codes, p.reason) == ("enable", ("all",), "")
    assert parse_comment("# just a comment") is None


# --- INI --------------------------------------------------------------------------------


def test_ini_line_above_with_and_without_reason(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101 -- legacy\nbogus-one = 1\n"
              "# uwsgi-lint: disable=unknown-option\nbogus-two = 1\nbogus-three = 1\n")
    assert run(f) == ["UW101 6:1 unknown option 'bogus-three': uWSGI 2.0.31 ignores it"]


def test_ini_stacked_comments_reach_the_line(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\n; a note\n"
              "bogus-one = 1\n")
    assert run(f) == []


def test_ini_file_level(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\nbogus-one = 1\n; uwsgi-lint: disable-file=UW101\n"
              "bogus-two = 1\n")
    assert run(f) == []


def test_ini_range(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\nbogus-zero = 1\n; uwsgi-lint: disable=UW101\n"
              "bogus-one = 1\nprocesses = 4\nbogus-two = 1\n; uwsgi-lint: enable=UW101\n"
              "bogus-three = 1\n")
    assert codes(f) == ["UW101 2", "UW101 8"]


def test_all_and_enable_all(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=all\nbogus-one = 1\n"
              "bogus-two = 1\n; uwsgi-lint: enable=all\nbogus-three = 1\n")
    assert codes(f) == ["UW101 6"]


def test_unused_suppressions(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101 -- legacy\n"
              "processes = 4\n; uwsgi-lint: disable-file=UW102,UW101\nbogus = 1\n")
    assert run(f) == [
        "UW090 2:1 unused suppression: no `UW101` finding on line 3 to silence; remove it",
        "UW090 4:1 unused suppression: no `UW102` finding in this file to silence; remove it",
    ]


def test_unused_range_and_stray_enable(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\nprocesses = 4\n"
              "; uwsgi-lint: enable=UW101\n; uwsgi-lint: enable=UW102\n")
    assert run(f) == [
        "UW090 2:1 unused suppression: no `UW101` finding on lines 3-3 to silence; remove it",
        "UW090 5:1 `enable=UW102` ends no `disable=UW102` range above it; remove it",
    ]


def test_unknown_suppression(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW1O1,UW101\nbogus = 1\n")
    assert run(f) == [
        "UW091 2:1 `UW1O1` is no rule code or name: this suppression silences nothing; use a "
        "code like `UW101` or a name like `unknown-option` (or `all`)",
    ]


def test_disable_suppressions(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\nbogus = 1\n"
              "; uwsgi-lint: disable=UW9999\nprocesses = 4\n")
    assert codes(f, suppressions=False) == ["UW101 3"]


def test_settings_govern_the_suppression_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    f = write(tmp_path, "a.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\nprocesses = 4\n"
              "; uwsgi-lint: disable=UW102\nprocesses = 8\n")
    write(tmp_path, ".uwsgi-lint.toml", 'ignore = ["UW102"]\nseverity = { UW090 = "error" }\n')
    report = lint([str(f)])
    assert [(d.code, d.severity.value, d.span.start.line) for d in report.diagnostics
            if d.code == "UW090"] == [("UW090", "error", 2)]
    write(tmp_path, ".uwsgi-lint.toml", 'ignore = ["unused-suppression"]\n')
    assert "UW090" not in str(codes(f))


def test_included_file_suppressions(tmp_path: Path) -> None:
    write(tmp_path, "inc.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\nbogus = 1\n"
          "; uwsgi-lint: disable=UW101\nprocesses = 2\n")
    f = write(tmp_path, "a.ini", "[uwsgi]\nini = inc.ini\n")
    report = lint([str(f)])
    assert [(Path(d.span.file).name, d.code, d.span.start.line) for d in report.diagnostics
            if not d.code.startswith("UW5")] == [("inc.ini", "UW090", 4)]


# --- YAML -------------------------------------------------------------------------------


def test_yaml_same_line_above_file_and_range(tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", (
        "uwsgi:\n"
        "  bogus-one: 1  # uwsgi-lint: disable=UW101 -- legacy\n"
        "  # uwsgi-lint: disable=unknown-option\n"
        "  bogus-two: 1\n"
        "  bogus-three: 1\n"
        "  # uwsgi-lint: disable=UW101\n"
        "  bogus-four: 1\n"
        "  bogus-five: 1\n"
        "  # uwsgi-lint: enable=UW101\n"
        "  bogus-six: 1\n"
    ))
    assert codes(f) == ["UW101 5", "UW101 10"]
    g = write(tmp_path, "b.yaml", "# uwsgi-lint: disable-file=UW101\nuwsgi:\n  bogus: 1\n")
    assert run(g) == []


def test_yaml_unused_and_unknown(tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", "uwsgi:\n  processes: 4  # uwsgi-lint: disable=UW101\n"
              "  # uwsgi-lint: disable=nope\n  master: true\n")
    assert run(f) == [
        "UW090 2:17 unused suppression: no `UW101` finding on line 2 to silence; remove it",
        "UW091 3:3 `nope` is no rule code or name: this suppression silences nothing; use a "
        "code like `UW101` or a name like `unknown-option` (or `all`)",
    ]


# --- XML --------------------------------------------------------------------------------


def test_xml_same_line_above_file_and_range(tmp_path: Path) -> None:
    f = write(tmp_path, "a.xml", (
        "<uwsgi>\n"
        "  <bogus-one>1</bogus-one> <!-- uwsgi-lint: disable=UW101 -->\n"
        "  <!-- uwsgi-lint: disable=UW101 - legacy -->\n"
        "  <bogus-two>1</bogus-two>\n"
        "  <bogus-three>1</bogus-three>\n"
        "  <!-- uwsgi-lint: disable=UW101 -->\n"
        "  <bogus-four>1</bogus-four>\n"
        "  <bogus-five>1</bogus-five>\n"
        "  <!-- uwsgi-lint: enable=UW101 -->\n"
        "  <bogus-six>1</bogus-six>\n"
        "</uwsgi>\n"
    ))
    assert codes(f) == ["UW101 5", "UW101 10"]
    g = write(tmp_path, "b.xml", "<uwsgi>\n  <!-- uwsgi-lint: disable-file=unknown-option -->\n"
              "  <bogus>1</bogus>\n</uwsgi>\n")
    assert run(g) == []


def test_xml_multiline_comment_above(tmp_path: Path) -> None:
    f = write(tmp_path, "a.xml", "<uwsgi>\n  <!-- uwsgi-lint: disable=UW101\n       legacy -->\n"
              "  <bogus>1</bogus>\n</uwsgi>\n")
    assert run(f) == []


def test_xml_unused(tmp_path: Path) -> None:
    f = write(tmp_path, "a.xml", "<uwsgi>\n  <!-- uwsgi-lint: disable=UW101 -->\n"
              "  <processes>4</processes>\n</uwsgi>\n")
    assert codes(f) == ["UW090 2"]


# --- UW090's fix: the unused suppression removed ----------------------------------------

SUPPRESSED = ("UW090", "UW101", "UW102", "UW103")


def test_fix_removes_unused_lines_and_codes_ini(tmp_path: Path) -> None:
    text = ("[uwsgi]\n; uwsgi-lint: disable=UW101 -- legacy\nprocesses = 4\n"
            "; uwsgi-lint: disable-file=UW102,UW101 -- keep\nbogus = 1\n"
            "  ; uwsgi-lint: disable=UW101,UW103,UW102\nbogus-two = 1\n"
            "; uwsgi-lint: enable=UW102")
    after = fixed(tmp_path, "a.ini", text, *SUPPRESSED)
    assert after == ("[uwsgi]\nprocesses = 4\n; uwsgi-lint: disable-file=UW101 -- keep\n"
                     "bogus = 1\n  ; uwsgi-lint: disable=UW101\nbogus-two = 1\n")
    assert fixed(tmp_path, "b.ini", after, *SUPPRESSED) == after


def test_fix_yaml_trailing_comment(tmp_path: Path) -> None:
    text = ("uwsgi:\n  processes: 4  # uwsgi-lint: disable=UW101\n"
            "  bogus: 1 # uwsgi-lint: disable=UW102,UW103,UW101 -- keep\n"
            "  # uwsgi-lint: disable=UW101\n  master: true\n")
    after = fixed(tmp_path, "a.yaml", text, *SUPPRESSED)
    assert after == ("uwsgi:\n  processes: 4\n  bogus: 1 # uwsgi-lint: disable=UW101 -- keep\n"
                     "  master: true\n")
    assert fixed(tmp_path, "b.yaml", after, *SUPPRESSED) == after
    # with CRLF the comment cuts the CR off the value, which uWSGI's YAML reader keeps:
    # the trailing comment stays, the line of its own goes with its CRLF
    crlf = text.replace("\n", "\r\n")
    assert fixed(tmp_path, "c.yaml", crlf, *SUPPRESSED) == (
        "uwsgi:\r\n  processes: 4  # uwsgi-lint: disable=UW101\r\n"
        "  bogus: 1 # uwsgi-lint: disable=UW101 -- keep\r\n  master: true\r\n")


def test_fix_xml_leaves_a_comment_inside_an_element(tmp_path: Path) -> None:
    text = ("<uwsgi>\n  <!-- uwsgi-lint: disable=UW101\n       legacy -->\n"
            "  <processes>4</processes> <!-- uwsgi-lint: disable=UW101 -->\n"
            "  <socket>/run/a.sock<!-- uwsgi-lint: disable=UW101 --></socket>\n</uwsgi>\n")
    after = fixed(tmp_path, "a.xml", text, *SUPPRESSED)
    # the one inside <socket> splits its text: reported, never removed
    assert after == ("<uwsgi>\n  <processes>4</processes>\n"
                     "  <socket>/run/a.sock<!-- uwsgi-lint: disable=UW101 --></socket>\n</uwsgi>\n")
    assert codes(write(tmp_path, "c.xml", after)) == ["UW090 3"]
    assert fixed(tmp_path, "b.xml", after, *SUPPRESSED) == after


def test_fix_keeps_unknown_codes_and_what_settings_turn_off(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            ) -> None:
    text = "[uwsgi]\n; uwsgi-lint: disable=UW1O1,UW101\nprocesses = 4\n"
    assert fixed(tmp_path, "a.ini", text, *SUPPRESSED) == (
        "[uwsgi]\n; uwsgi-lint: disable=UW1O1\nprocesses = 4\n")
    # `all` silences a finding of a rule the run leaves out: used, not removed
    kept = "[uwsgi]\n; uwsgi-lint: disable=all\nbogus = 1\n"
    f = write(tmp_path, "b.ini", kept)
    assert main(["--fix", "--ignore", "UW101", str(f)]) == 0
    assert f.read_text() == kept
    unused = write(tmp_path, "c.ini", "[uwsgi]\n; uwsgi-lint: disable=UW101\nprocesses = 4\n")
    assert main(["--fix", "--unfixable", "UW090", str(unused)]) == 1
    assert "c.ini:2:1: UW090 [unused-suppression]" in capsys.readouterr().out
    assert main(["--fix", str(unused)]) == 0
    assert unused.read_text() == "[uwsgi]\nprocesses = 4\n"


# --- --add-noqa ---------------------------------------------------------------------------


TREE = {
    "a.ini": "[uwsgi]\r\nprocesses = 4\r\nbogus-one = 1\r\n; note\r\nbogus-two = 1\r\n",
    "b.yaml": "uwsgi:\n  processes: 4\n  bogus: 1\n",
    "c.xml": '<?xml version="1.0"?>\n<uwsgi>\n    <bogus>1</bogus>\n</uwsgi>\n',
    "d.json": '{"uwsgi": {"bogus": 1}}\n',
}


@pytest.mark.parametrize("reason", [None, "legacy -- keep"])
def test_add_noqa_then_clean_then_nothing(tmp_path: Path, reason: str | None) -> None:
    for name, text in TREE.items():
        write(tmp_path, name, text)
    os.chmod(tmp_path / "a.ini", 0o640)
    paths = [str(tmp_path / n) for n in TREE]
    skipped: list[str] = []
    changed = add_noqa(lint(paths), reason, roots=[str(tmp_path)], skipped=skipped)
    assert sorted(Path(c).name for c in changed) == ["a.ini", "b.yaml", "c.xml"]
    assert skipped == [f"{tmp_path / 'd.json'}:1: UW101"]
    after = lint(paths)
    assert [(Path(d.span.file).name, d.code) for d in after.diagnostics] == [
        ("d.json", "UW101")]
    assert add_noqa(after, reason, roots=[str(tmp_path)]) == []
    why = {None: "", "legacy -- keep": " -- legacy -- keep"}[reason]
    xml_why = {None: "", "legacy -- keep": " - legacy - keep"}[reason]
    assert (tmp_path / "a.ini").read_bytes() == (
        "[uwsgi]\r\nprocesses = 4\r\n"
        f"; uwsgi-lint: disable=UW101{why}\r\nbogus-one = 1\r\n; note\r\n"
        f"; uwsgi-lint: disable=UW101{why}\r\nbogus-two = 1\r\n"
    ).encode()
    assert stat.S_IMODE(os.stat(tmp_path / "a.ini").st_mode) == 0o640
    assert (tmp_path / "b.yaml").read_text() == (
        f"uwsgi:\n  processes: 4\n  # uwsgi-lint: disable=UW101{why}\n  bogus: 1\n")
    assert (tmp_path / "c.xml").read_text() == (
        '<?xml version="1.0"?>\n<uwsgi>\n'
        f"    <!-- uwsgi-lint: disable=UW101{xml_why} -->\n    <bogus>1</bogus>\n</uwsgi>\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TREE)  # no temp files left


def test_add_noqa_merges_codes_of_one_line(tmp_path: Path) -> None:
    f = write(tmp_path, "a.ini", "[uwsgi]\nsocket = 0.0.0.0:3031\n")
    before = lint([str(f)])
    on_line = sorted({d.code for d in before.diagnostics if d.span.start.line == 2})
    assert on_line
    add_noqa(before, roots=[str(tmp_path)])
    assert f.read_text().splitlines()[1] == f"; uwsgi-lint: disable={','.join(on_line)}"
    assert [d for d in lint([str(f)]).diagnostics if d.span.start.line > 1] == []


@pytest.mark.parametrize(
    ("name", "data", "added"),
    [
        # a comment in the block scalar would be text of `env` (to libyaml and to people)
        ("a.yaml", b"uwsgi:\n  env: |\n    A=1\n    procesess = 4\n  procesess: 4\n",
         b"# uwsgi-lint: disable-file=UW007\n"),
        # a comment above `[uwsgi]` would take the byte order mark away from it
        ("b.ini", b"\xef\xbb\xbf[uwsgi]\nprocesess = 4\n", b"; uwsgi-lint: disable-file=UW003\n"),
        ("c.xml", b"<uwsgi>\n<eval><![CDATA[\nx = '\n<procesess>4</procesess>\n]]></eval>\n"
                  b"<procesess>4</procesess>\n</uwsgi>\n", None),
    ],
)
def test_add_noqa_never_writes_where_a_comment_would_be_text(
    tmp_path: Path, name: str, data: bytes, added: bytes | None
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    report = lint([str(path)])
    assert report.diagnostics
    assert add_noqa(report, roots=[str(tmp_path)]) == [str(path)]
    if added is not None:
        assert path.read_bytes() == data + added  # only appended: nothing moved
    else:  # the CDATA is untouched, the option after it silenced above its line
        assert path.read_bytes() == data.replace(
            b"]]></eval>\n<procesess>", b"]]></eval>\n<!-- uwsgi-lint: disable=UW101 -->\n"
                                        b"<procesess>")
    assert lint([str(path)]).diagnostics == []
    # a second run changes nothing
    assert add_noqa(lint([str(path)]), roots=[str(tmp_path)]) == []

"""The format rules UW002-UW019: exact positions and messages, and what must stay silent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.readers import ini, json, xml, yaml
from uwsgi_lint.rules import all_rules

from .helpers import fixed, write

Finding = tuple[str, int, int, int, int, str]
FORMAT_CODES = tuple(f"UW{n:03d}" for n in range(2, 20))


def findings(
    tmp_path: Path, name: str, text: str | bytes, *codes: str, **assume: object
) -> list[Finding]:
    """``(code, line, column, end line, end column, message)`` of the given rules (all
    format rules when none is given) for one file; the message is followed by its detail
    paragraph, on a line of its own, when it has one (as the GitHub annotations show it)."""
    path = write(tmp_path, name, text)
    report = lint([str(path)], Assumptions(**assume))  # type: ignore[arg-type]
    assert report.errors == []
    wanted = codes or FORMAT_CODES
    return [
        (
            d.code,
            d.span.start.line,
            d.span.start.column,
            d.span.end.line,
            d.span.end.column,
            f"{d.message}\n{d.detail}" if d.detail else d.message,
        )
        for d in report.diagnostics
        if d.code in wanted
    ]


def where(found: list[Finding]) -> list[tuple[str, int, int, int, int]]:
    return [f[:5] for f in found]


def test_every_reader_code_is_a_rule() -> None:
    """Readers record problems under the code of the rule that reports them."""
    codes = {r.code for r in all_rules()}
    for module in (ini, json, xml, yaml):
        text = Path(module.__file__ or "").read_text(encoding="utf-8")
        used = set(re.findall(r'= "(UW\d{3})"', text)) | set(
            re.findall(r'Problem\(\s*"(UW\d{3})"', text)
        )
        assert used, module.__name__
        assert used <= codes, (module.__name__, used - codes)
        assert not re.search(r'"(yaml|json|xml|ini)-[a-z-]+"', text), module.__name__


# -- UW002 section-not-found -----------------------------------------------------------


def test_ini_without_the_section(tmp_path: Path) -> None:
    # no sign of uWSGI in it: named alone, it is no uWSGI config and is skipped (pre-commit
    # passes such files), but asked for its `uwsgi` section it has none
    text = "; app\n[app]\nsocket = :3031\n[prod]\nx = 1\n"
    assert findings(tmp_path, "a.ini", text) == []
    report = lint([f"{tmp_path / 'a.ini'}:uwsgi"])
    found = [(d.code, d.span.start.line, d.span.start.column, d.span.end.line,
              d.span.end.column, f"{d.message}\n{d.detail}") for d in report.diagnostics]
    assert found == [
        (
            "UW002", 2, 1, 2, 6,
            "no `[uwsgi]` section in this file, which has sections `[app]`, `[prod]`: uWSGI "
            "reads nothing from it\n"
            "uWSGI logs \"Can't find section\" and goes on without this file's options.",
        )
    ]


def test_ini_section_case_and_no_header(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uWSGI]\nsocket = :3031\n")
    assert found[0][:5] == ("UW002", 1, 1, 1, 8)
    assert "; write `[uwsgi]` (section names are case-sensitive)\n" in found[0][5]
    found = findings(tmp_path, "b.ini", "socket = :3031\nmaster = true\n")
    assert found == [
        (
            "UW002", 1, 1, 1, 15,
            "no `[uwsgi]` section in this file, which has 2 keys but no section header: "
            "uWSGI reads nothing from it; put `[uwsgi]` above them\n"
            "uWSGI logs \"Can't find section\" and goes on without this file's options.",
        )
    ]


def test_ini_section_asked_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "a.ini", "[uwsgi]\nsocket = :3031\n")
    report = lint([f"{path}:prod"])
    assert [(d.code, d.span.start.line) for d in report.diagnostics] == [("UW002", 1)]
    assert "no `[prod]` section" in report.diagnostics[0].message
    # the exposure rules (UW5xx) judge `socket = :3031` itself (tests/test_rules_exposure.py)
    assert [d for d in lint([str(path)]).diagnostics if not d.code.startswith("UW5")] == []


def test_yaml_without_the_section(tmp_path: Path) -> None:
    for reader in ("embedded", "libyaml"):
        found = findings(tmp_path, "a.yaml", "socket: :3031\nmaster: true\n", yaml_reader=reader)
        assert found == [
            (
                "UW002", 1, 1, 1, 7,
                "no `uwsgi:` key at the top of this file (it has `socket`, `master`): uWSGI "
                "reads nothing from it; put a `uwsgi:` line first, the options indented under "
                "it\nuWSGI reads nothing from this file, without a warning.",
            )
        ], reader
    found = findings(tmp_path, "b.yaml", "uWSGI:\n  socket: :3031\n")
    assert found[0][:5] == ("UW002", 1, 1, 1, 6)
    assert "Keys are case-sensitive" in found[0][5]


def test_empty_files_and_comments_have_no_section_to_miss(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.ini", "; nothing yet\n\n") == []
    assert findings(tmp_path, "a.yaml", "# nothing yet\n") == []
    assert findings(tmp_path, "b.ini", "[uwsgi]\n") == []


# -- UW003 byte-order-mark ----------------------------------------------------------------


def test_bom_hides_the_ini_header(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "\ufeff[uwsgi]\nsocket = :3031\n")
    assert found == [
        (
            "UW003", 1, 1, 1, 9,
            "uWSGI does not see `[uwsgi]` behind the UTF-8 byte order mark and reads nothing "
            "from this file; save the file without the BOM\n"
            "The file starts with a UTF-8 byte order mark, so its first line is no section "
            "header for uWSGI: it finds no such section.",
        )
    ]
    # a later [uwsgi] is found, the keys under the hidden one are not
    found = findings(tmp_path, "b.ini", "\ufeff[uwsgi]\nsocket = :3031\n[uwsgi]\nmaster = 1\n")
    assert [f[:3] for f in found] == [("UW003", 1, 1)]
    assert "and ignores the 1 key under it (`socket`)" in found[0][5]


def test_bom_hides_the_yaml_section(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.yaml", "\ufeffuwsgi:\n  socket: :3031\n")
    assert where(found) == [("UW003", 1, 1, 1, 8)]
    assert "reads the first key as BOM + `uwsgi`" in found[0][5]
    # libyaml skips the mark; the embedded reader's loss is then UW013
    found = findings(tmp_path, "b.yaml", "\ufeffuwsgi:\n  socket: :3031\n", yaml_reader="libyaml")
    assert [f[0] for f in found] == ["UW013"]


def test_bom_before_a_blank_line_or_another_section_is_harmless(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.ini", "\ufeff\n[uwsgi]\nsocket = :3031\n") == []
    assert findings(tmp_path, "b.ini", "\ufeff[app]\nx = 1\n[uwsgi]\nsocket = :3031\n") == []


# -- UW004 ini-header-misread ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "read"),
    [("[uwsgi", "uwsg"), ("[ uwsgi ]", " uwsgi "), ("[uwsgi] ; main", "uwsgi] ; mai"),
     ("[uwsgi]]", "uwsgi]")],
)
def test_headers_uwsgi_reads_otherwise(tmp_path: Path, header: str, read: str) -> None:
    found = findings(tmp_path, "a.ini", f"{header}\nsocket = :3031\nmaster = true\n")
    assert found == [
        (
            "UW004", 1, 1, 1, len(header) + 1,
            f"uWSGI reads this header as section `{read}`: the 2 keys under it (`socket`, "
            "`master`) are ignored; write `[uwsgi]` alone on the line\n"
            "For the section name, uWSGI takes everything after `[` but the last character of "
            "the line, so the keys under it are not in `[uwsgi]`.",
        )
    ]


def test_misread_header_of_another_section(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = :3031\n[prod ]\nprocesses = 8\n"
    found = findings(tmp_path, "a.ini", text)
    assert where(found) == [("UW004", 3, 1, 3, 8)]
    assert "the 1 key under it (`processes`) is in section `prod `, not `prod`" in found[0][5]


def test_headers_read_as_written(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = :3031\n[uwsgi:prod]\nx = 1\n  [app]  \ny = 2\n"
    assert findings(tmp_path, "a.ini", text) == []


# -- UW005 ini-keys-before-section ---------------------------------------------------------


def test_keys_before_the_first_header(tmp_path: Path) -> None:
    text = "socket = :3031\nmaster\n[uwsgi]\nprocesses = 2\n"
    assert findings(tmp_path, "a.ini", text) == [
        (
            "UW005", 1, 1, 1, 15,
            "2 keys (`socket`, `master`) before the first section header belong to no "
            "section: uWSGI ignores them; move them under `[uwsgi]`",
        )
    ]


def test_comments_before_the_first_header_are_fine(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.ini", "; app\n# x = 1\n\n[uwsgi]\nsocket = :3031\n") == []


# -- UW006 ini-backslash-continuation -----------------------------------------------------


NO_CONTINUATION = (
    "uWSGI's INI reader has no line continuation: a `\\` that ends a line stays in the value, "
    "and the line after it is read on its own."
)


def test_trailing_backslash(tmp_path: Path) -> None:
    text = "[uwsgi]\nenv = A=1 \\\n  B=2\nlog-format = %(addr) \\\n\nmaster = true\n"
    found = findings(tmp_path, "a.ini", text)
    assert found == [
        (
            "UW006", 2, 11, 2, 12,
            "`env` keeps the `\\` at the end of its value, and the next line is an option of "
            f"its own: `B`; write the whole value on one line\n{NO_CONTINUATION}",
        ),
        (
            "UW006", 4, 22, 4, 23,
            "`log-format` keeps the `\\` at the end of its value; write the whole value on one "
            f"line\n{NO_CONTINUATION}",
        ),
    ]


def test_backslash_elsewhere_or_in_another_section(tmp_path: Path) -> None:
    text = "[uwsgi]\nroute = ^/a\\.b$ last:\n[other]\nx = y \\\nz\n"
    assert findings(tmp_path, "a.ini", text) == []


# -- UW007 yaml-reader-stops ---------------------------------------------------------------


def test_embedded_reader_stops_at_a_list(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  env:\n    - A=1\n  master: true\n"
    found = findings(tmp_path, "a.yaml", text, "UW007")
    assert found == [
        (
            "UW007", 3, 3, 3, 7,
            "uWSGI's embedded YAML reader stops here: 2 keys (env, master) and 1 list item "
            "from here to the end of the `uwsgi` section are ignored\n"
            "It stops at this line: nothing follows the colon: a nested block, a list or an "
            "empty value.",
        )
    ]
    # libyaml reads the list; the embedded reader's stop is then UW013
    assert findings(tmp_path, "a.yaml", text, "UW007", yaml_reader="libyaml") == []


def test_libyaml_reader_stops_at_a_tag(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  chdir: !!str /srv\n  master: true\n"
    found = findings(tmp_path, "a.yaml", text, "UW007", yaml_reader="libyaml")
    assert where(found) == [("UW007", 3, 10, 3, 20)]
    assert "2 options (chdir, master) of the `uwsgi` section from there on" in found[0][5]


# -- UW008 yaml-inline-section -------------------------------------------------------------


def test_inline_section(tmp_path: Path) -> None:
    text = 'uwsgi: {socket: ":3031", master: true}\n'
    found = findings(tmp_path, "a.yaml", text)
    assert where(found) == [("UW008", 1, 8, 1, 39)]
    assert found[0][5].startswith("`{socket: \":3031\", master: true}` after `uwsgi:` is never "
                                  "read; write `uwsgi:` alone")
    found = findings(tmp_path, "a.yaml", text, yaml_reader="libyaml")
    assert where(found) == [("UW008", 1, 8, 1, 9)]
    assert found[0][5].startswith("uWSGI's libyaml reader skips this flow mapping `{...}`")
    assert found[0][5].endswith("\nIt reads the `uwsgi` section only as a block mapping.")


def test_anchor_on_the_section_line_is_no_inline_section(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.yaml", "uwsgi: &cfg\n  socket: :3031\n", "UW008") == []


# -- UW009 yaml-raw-value ------------------------------------------------------------------


def test_quotes_kept(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: \"/tmp/app.sock\"\n  chdir: '/srv/app'\n  log-format: \"%(uri)\"\n"
    found = findings(tmp_path, "a.yaml", text, "UW009")
    assert found == [
        (
            "UW009", 2, 11, 2, 26,
            "uWSGI's embedded YAML reader keeps quotes: `socket` gets `\"/tmp/app.sock\"`, "
            "quotes included; write the value without quotes",
        ),
        (
            "UW009", 3, 10, 3, 20,
            "uWSGI's embedded YAML reader keeps quotes: `chdir` gets `'/srv/app'`, quotes "
            "included; write the value without quotes",
        ),
        (
            "UW009", 4, 15, 4, 23,
            "uWSGI's embedded YAML reader keeps quotes: `log-format` gets `\"%(uri)\"`, quotes "
            "included; write the value without quotes\nA libyaml build needs them here: no "
            "spelling of this value reads the same in both.",
        ),
    ]


def test_quotes_left_to_other_rules_or_harmless(tmp_path: Path) -> None:
    # numbers: UW103; flags: UW102; unknown keys: UW101; libyaml strips quotes
    text = 'uwsgi:\n  processes: "4"\n  master: "true"\n  nosuch: "x"\n  socket: a"b"\n'
    assert findings(tmp_path, "a.yaml", text, "UW009") == []
    text = 'uwsgi:\n  socket: "/tmp/app.sock"\n'
    assert findings(tmp_path, "b.yaml", text, yaml_reader="libyaml") == []


def test_quotes_on_a_placeholder(tmp_path: Path) -> None:
    text = 'uwsgi:\n  base: "/srv"\n  chdir: %(base)/app\n'
    assert where(findings(tmp_path, "a.yaml", text, "UW009")) == [("UW009", 2, 9, 2, 15)]


def test_crlf_values(tmp_path: Path) -> None:
    text = b"uwsgi:\r\n  processes: 4\r\n  socket: /tmp/a.sock\r\n  chdir: /srv\r\n"
    path = write(tmp_path, "a.yaml", text)
    report = lint([str(path)])
    (d,) = [d for d in report.diagnostics if d.code == "UW009"]
    assert (d.span.start.line, d.span.start.column, d.span.end.column) == (3, 11, 23)
    assert (d.message, d.detail) == (
        "uWSGI keeps the carriage return of the CRLF line ends: `socket` is `/tmp/a.sock\\r`; "
        "convert the file to LF line ends",
        "This file has Windows (CRLF) line ends and uWSGI's embedded YAML reader keeps the "
        "carriage return at the end of each value. 2 values get a stray CR: `socket`, "
        "`chdir`.",
    )
    assert [(r.span.start.line, r.message) for r in d.related] == [
        (4, "`chdir` ends with a CR too")
    ]


def test_crlf_harmless_for_numbers_and_other_readers(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.yaml", b"uwsgi:\r\n  processes: 4\r\n", "UW009") == []
    assert findings(tmp_path, "b.yaml", b"uwsgi:\r\n  socket: :1\r\n", yaml_reader="libyaml") == []
    assert findings(tmp_path, "c.ini", b"[uwsgi]\r\nsocket = /tmp/a.sock\r\n") == []
    # a comment ends the value before the CR
    assert findings(tmp_path, "d.yaml", b"uwsgi:\r\n  socket: /tmp/a # x\r\n", "UW009") == []


# -- UW010 yaml-hash-comment --------------------------------------------------------------


def test_hash_cuts_values(tmp_path: Path) -> None:
    text = (
        'uwsgi:\n  procname: "app#1"\n  socket: :3031\n  static-map: /x=/srv/#top\n'
        "  chdir: /srv # a real comment\n  env: 'A=#1'  # and another\n"
    )
    found = findings(tmp_path, "a.yaml", text, "UW010")
    assert where(found) == [
        ("UW010", 2, 17, 2, 20),
        ("UW010", 4, 23, 4, 27),
        ("UW010", 6, 11, 6, 14),
    ]
    assert found[1][5] == (
        "`static-map` gets `/x=/srv/`, not `/x=/srv/#top`: the `#` starts a comment; set this "
        "option in an INI file instead (`ini: file.ini`)\n"
        "uWSGI's embedded YAML reader starts a comment at every `#`, even with no blank "
        "before it, and `#top` is dropped. No quoting helps."
    )
    assert found[2][5].startswith("`env` gets `'A=`, not `A=#1`")
    assert "every `#`, even inside quotes" in found[2][5]
    assert findings(tmp_path, "a.yaml", text, "UW010", yaml_reader="libyaml") == []


def test_hash_in_an_unclosed_quote_is_no_yaml_either(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.yaml", 'uwsgi:\n  socket: "a#b\n', "UW010") == []


# -- UW011 yaml-key-without-value ----------------------------------------------------------


def test_last_key_without_value(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  if-env: PROD\n  processes: 4\n  endif:\n"
    found = findings(tmp_path, "a.yaml", text)
    assert found == [
        (
            "UW011", 5, 3, 5, 9,
            "`endif:` has no value: uWSGI's embedded YAML reader stops here and loses `endif`; "
            "write `endif: 1`\nIt stops at this line; as it is the last one of the `uwsgi` "
            "section, only `endif` is lost.",
        )
    ]


def test_libyaml_skips_keys_without_value(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  master:\n  processes: 4\n  nested:\n    threads: 2\n"
    found = findings(tmp_path, "a.yaml", text, "UW011", yaml_reader="libyaml")
    assert found == [
        (
            "UW011", 3, 3, 3, 9,
            "uWSGI's libyaml reader skips a key with no value: `master` is never set; give "
            "`master` a value",
        )
    ]
    # the embedded reader stops there instead (UW007)
    assert findings(tmp_path, "a.yaml", text, "UW011") == []


# -- UW012 yaml-alias ----------------------------------------------------------------------


def test_anchors_and_aliases_kept_as_text(tmp_path: Path) -> None:
    text = (
        "uwsgi:\n  socket: :3031\n  chdir: &app /srv/app\n  touch-reload: *app\n"
        "  static-skip-ext: *.py\n"
    )
    found = findings(tmp_path, "a.yaml", text, "UW012")
    assert found == [
        (
            "UW012", 3, 10, 3, 23,
            "`chdir` gets `&app /srv/app`, anchor included, not `/srv/app`; remove the anchor "
            "(and write out the values that refer to it)\n"
            "uWSGI's embedded YAML reader does not know YAML anchors.",
        ),
        (
            "UW012", 4, 17, 4, 21,
            "`touch-reload` gets the text `*app`, not the value of `&app`; write the value out\n"
            "uWSGI's embedded YAML reader does not know YAML aliases.",
        ),
    ]


def test_libyaml_drops_aliases(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  chdir: *app\n"
    found = findings(tmp_path, "a.yaml", text, "UW012", yaml_reader="libyaml")
    assert found == [
        (
            "UW012", 3, 10, 3, 14,
            "uWSGI's libyaml reader skips aliases: `chdir` gets no value from `*app`; write "
            "the value out",
        )
    ]
    # no anchor in the file: the embedded reader's `*app` may be meant as text
    assert findings(tmp_path, "a.yaml", text, "UW012") == []
    # an anchor outside the section (where libyaml stops: UW007)
    text = "base: &app /srv/app\nuwsgi:\n  socket: :3031\n  chdir: *app\n"
    found = findings(tmp_path, "b.yaml", text, "UW012")
    assert where(found) == [("UW012", 4, 10, 4, 14)]
    found = findings(tmp_path, "b.yaml", text, "UW007", yaml_reader="libyaml")
    assert where(found) == [("UW007", 1, 7, 1, 20)]


# -- UW013 yaml-reader-differs -------------------------------------------------------------


def test_a_file_libyaml_refuses(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  log-format: UWSGI: %(method)\n"
    found = findings(tmp_path, "a.yaml", text)
    assert found == [
        (
            "UW013", 3, 20, 3, 21,
            "a libyaml build of uWSGI reads this file differently: uWSGI exits on this YAML "
            "(error parsing YAML file): mapping values are not allowed in this context\n"
            "The other build: a libyaml build of uWSGI (as Debian and Ubuntu package it).",
        )
    ]
    found = findings(tmp_path, "a.yaml", text, yaml_reader="libyaml")
    assert [f[0] for f in found] == []  # UW001 there


def test_a_file_the_embedded_reader_stops_in(tmp_path: Path) -> None:
    text = "uwsgi:\n  socket: :3031\n  env:\n    - A=1\n    - B=2\n  master: true\n"
    found = findings(tmp_path, "a.yaml", text, yaml_reader="libyaml")
    assert where(found) == [("UW013", 3, 3, 3, 7)]
    assert found[0][5].startswith(
        "the embedded YAML reader of a pip-installed uWSGI reads this file differently: "
        "uWSGI's embedded YAML reader stops here"
    )


def test_placeholders_at_the_start_of_a_value_are_no_news(tmp_path: Path) -> None:
    text = "uwsgi:\n  base: /srv\n  chdir: %(base)\n  wsgi-file: %d/app.py\n"
    assert findings(tmp_path, "a.yaml", text) == []


# -- UW014 json-value-dropped ---------------------------------------------------------------


def test_json_values_dropped(tmp_path: Path) -> None:
    text = (
        '{"uwsgi": {\n "socket": ":3031",\n "ratio": 1.5,\n "python": {"path": "/srv"},\n'
        ' "env": ["A=1", [2], 1e3],\n "socket": ":3032"\n}}\n'
    )
    found = findings(tmp_path, "a.json", text)
    assert found == [
        (
            "UW014", 2, 2, 2, 19,
            "`socket` is repeated: uWSGI never sees this value, only the last one (line 6); to "
            'give several values, use one array: `"socket": [..., ...]`\n'
            "jansson, uWSGI's JSON parser, keeps only the last value of a repeated key.",
        ),
        (
            "UW014", 3, 2, 3, 14,
            "uWSGI drops a number with a fraction or exponent without a word: `ratio` is "
            "never set; write it as a string or an integer",
        ),
        (
            "UW014", 4, 2, 4, 28,
            "uWSGI drops an object without a word: `python` is never set; uWSGI reads only "
            '`"option": value` members of the section: move its members up one level',
        ),
        (
            "UW014", 5, 17, 5, 20,
            "uWSGI drops an array inside an array without a word: this element gives `env` "
            "nothing; use a string",
        ),
        (
            "UW014", 5, 22, 5, 25,
            "uWSGI drops a number with a fraction or exponent inside an array without a word: "
            "this element gives `env` nothing; use a string",
        ),
    ]


def test_json_section_repeated(tmp_path: Path) -> None:
    text = '{"uwsgi": {"socket": ":1", "master": true},\n "uwsgi": {"socket": ":2"}}\n'
    found = findings(tmp_path, "a.json", text)
    assert where(found) == [("UW014", 1, 2, 1, 12)]
    assert "never sees the 2 options of this one" in found[0][5]


def test_json_other_sections_and_broken_files_are_not_checked(tmp_path: Path) -> None:
    text = '{"uwsgi": {"socket": ":1"}, "other": {"ratio": 1.5, "a": 1, "a": 2}}\n'
    assert findings(tmp_path, "a.json", text) == []
    assert findings(tmp_path, "b.json", '{"uwsgi": {"ratio": 1.5,}}\n') == []


# -- UW015 json-integer-cut -----------------------------------------------------------------


CAST = "uWSGI casts JSON integers to a 32-bit int and prints them into 10 characters."


def test_json_integers_cut(tmp_path: Path) -> None:
    text = '{"uwsgi": {"env": 5000000000, "procname": -1000000000, "socket": ":3031"}}\n'
    found = findings(tmp_path, "a.json", text)
    assert found == [
        (
            "UW015", 1, 19, 1, 29,
            "`env` gets the text `705032704`, not `5000000000`; write it as a string, "
            f'`"5000000000"`\n{CAST}',
        ),
        (
            "UW015", 1, 43, 1, 54,
            "`procname` gets the text `-100000000`, not `-1000000000`; write it as a string, "
            f'`"-1000000000"`\n{CAST}',
        ),
    ]


def test_json_integers_left_alone(tmp_path: Path) -> None:
    # numbers are UW103's; -0 and in-range integers read as written
    text = '{"uwsgi": {"limit-as": 5000000000, "env": -0, "procname": 2147483647}}\n'
    assert findings(tmp_path, "a.json", text, "UW015") == []


# -- UW016 boolean-as-value ------------------------------------------------------------------


def test_json_booleans_on_value_options(tmp_path: Path) -> None:
    text = (
        '{"uwsgi": {"socket": ":3031", "daemonize": null, "harakiri": true, '
        '"chdir": false, "env": [true]}}\n'
    )
    found = findings(tmp_path, "a.json", text)
    assert where(found) == [
        ("UW016", 1, 44, 1, 48),
        ("UW016", 1, 62, 1, 66),
        ("UW016", 1, 77, 1, 82),
        ("UW016", 1, 92, 1, 96),
    ]
    assert found[0][5] == (
        "`daemonize` takes a value, not a switch: JSON `null` becomes the text `0`, so uWSGI "
        "sets `daemonize` to `0`; write the value, or remove the option"
    )


def test_json_booleans_that_mean_what_they_say(tmp_path: Path) -> None:
    text = (
        '{"uwsgi": {"socket": ":3031", "master": false, "vacuum": true, "harakiri": false, '
        '"chmod-socket": true, "need-app": null, "if-env": "X", "endif": true, '
        '"nosuch": true}}\n'
    )
    assert findings(tmp_path, "a.json", text, "UW016") == []


def test_xml_empty_elements(tmp_path: Path) -> None:
    text = (
        "<uwsgi>\n  <socket/>\n  <master/>\n  <chmod-socket/>\n  <harakiri></harakiri>\n"
        "  <if-env>X</if-env><endif/>\n</uwsgi>\n"
    )
    found = findings(tmp_path, "a.xml", text, "UW016")
    assert where(found) == [("UW016", 2, 3, 2, 12), ("UW016", 5, 3, 5, 24)]
    assert found[0][5] == (
        "`socket` takes a value, not a switch: the empty element <socket/> becomes the text "
        "`1`, so uWSGI sets `socket` to `1`; write the value, or remove the option"
    )


# -- UW017 xml-attribute-ignored -------------------------------------------------------------


def test_xml_attributes(tmp_path: Path) -> None:
    text = (
        '<uwsgi id="x">\n  <harakiri value="30"/>\n  <socket name="main">:3031</socket>\n'
        '  <socket mode="dev" id="b">:3032</socket>\n'
        '  <app mountpoint="/" foo="1"><script>app</script></app>\n</uwsgi>\n'
    )
    found = findings(tmp_path, "a.xml", text)
    assert where(found) == [
        ("UW017", 2, 13, 2, 23),
        ("UW017", 3, 11, 3, 22),
        ("UW017", 4, 11, 4, 21),
        ("UW017", 5, 23, 5, 30),
    ]
    assert found[0][5] == (
        "`value=\"30\"` never reaches `harakiri`, which gets `1`, the value of an empty "
        "element; write <harakiri>30</harakiri>\n"
        "uWSGI ignores XML attributes (only `id` selects a block)."
    )
    assert found[1][5] == (
        "uWSGI ignores XML attributes (only `id` selects): `name=\"main\"` has no effect on "
        "<socket>"
    )
    assert found[2][5] == (
        "uWSGI 2.0.31 never filters on `mode`: the `mode` option is not set yet while the XML "
        "is read, so this <socket> always applies"
    )


def test_xml_attributes_of_unknown_elements_are_unknown_option_s(tmp_path: Path) -> None:
    text = '<uwsgi>\n  <routing base="x">\n    <route>a</route>\n  </routing>\n</uwsgi>\n'
    assert findings(tmp_path, "a.xml", text) == []
    assert [f[0] for f in findings(tmp_path, "a.xml", text, "UW101")] == ["UW101"]
    # an element first: uWSGI crashes (UW001), nothing else is said
    text = '<uwsgi>\n  <socket name="x"><route>a</route></socket>\n</uwsgi>\n'
    assert [f[0] for f in findings(tmp_path, "b.xml", text, "UW001", *FORMAT_CODES)] == [
        "UW001"
    ]


# -- UW018 xml-whitespace-kept --------------------------------------------------------------


def test_xml_whitespace(tmp_path: Path) -> None:
    text = (
        "<uwsgi>\n  <socket> /tmp/a.sock </socket>\n  <chdir>\n    /srv/app\n  </chdir>\n"
        "  <processes> 4 </processes>\n  <chmod-socket> 660</chmod-socket>\n</uwsgi>\n"
    )
    found = findings(tmp_path, "a.xml", text)
    assert where(found) == [
        ("UW018", 2, 11, 2, 24),
        ("UW018", 3, 10, 5, 3),
        ("UW018", 7, 17, 7, 21),
    ]
    assert found[0][5] == (
        "uWSGI keeps the blanks around the text: `socket` gets ` /tmp/a.sock `; write "
        "<socket>/tmp/a.sock</socket>\n"
        "uWSGI keeps the whitespace around the text of an XML element: the value of `socket` "
        "starts with a blank and ends with a blank."
    )
    assert found[1][5] == (
        "uWSGI keeps the blanks around the text: `chdir` gets `\\n    /srv/app\\n  `; write "
        "<chdir>/srv/app</chdir>\n"
        "uWSGI keeps the whitespace around the text of an XML element: the value of `chdir` "
        "starts with a line break and 4 blanks and ends with a line break and 2 blanks."
    )


def test_xml_whitespace_left_to_others_or_harmless(tmp_path: Path) -> None:
    text = (
        "<uwsgi>\n  <master> true </master>\n  <eval>\nprint(1)\n</eval>\n"
        "  <nosuch> x </nosuch>\n  <socket>:3031</socket>\n</uwsgi>\n"
    )
    assert findings(tmp_path, "a.xml", text, "UW018") == []


# -- UW019 xml-first-child-only -------------------------------------------------------------


def test_xml_first_child(tmp_path: Path) -> None:
    text = (
        "<uwsgi>\n  <chdir><!-- app -->/srv/app</chdir>\n  <module>app<!-- x -->.wsgi</module>\n"
        "  <socket>:3031<!-- main --></socket>\n</uwsgi>\n"
    )
    found = findings(tmp_path, "a.xml", text)
    assert found == [
        (
            "UW019", 2, 10, 2, 22,
            "the first child node of <chdir> is a comment: uWSGI takes its text ` app ` as the "
            "value of `chdir` and ignores `/srv/app`; move the comment out of <chdir>",
        ),
        (
            "UW019", 3, 24, 3, 29,
            "uWSGI takes only the first child node of <module>, `app`: the rest (`.wsgi`) is "
            "ignored; write the whole value as one text, without comments or elements inside",
        ),
    ]


# -- fixes (issue 15) ----------------------------------------------------------------------


def test_bom_removed(tmp_path: Path) -> None:
    ini = "\ufeff[uwsgi]\r\nsocket = :3031\r\n"
    assert fixed(tmp_path, "a.ini", ini, "UW003") == ini  # unsafe: the keys take effect
    once = fixed(tmp_path, "a.ini", ini, "UW003", unsafe=True)
    assert once == "[uwsgi]\r\nsocket = :3031\r\n"
    assert fixed(tmp_path, "a.ini", once, "UW003", unsafe=True) == once
    yaml = "\ufeffuwsgi:\n  socket: :3031\n"
    assert fixed(tmp_path, "a.yaml", yaml, "UW003", unsafe=True) == "uwsgi:\n  socket: :3031\n"
    # a mark before another section hides nothing uWSGI is asked for: left alone
    other = "\ufeff[app]\nx = 1\n[uwsgi]\nsocket = :3031\n"
    assert fixed(tmp_path, "b.ini", other, unsafe=True) == other


@pytest.mark.parametrize(
    ("header", "written"),
    [("[uwsgi", "[uwsgi]"), ("  [ uwsgi ]", "  [uwsgi]"),
     ("[uwsgi] ; main section", "; main section\r\n[uwsgi]"),
     ("\t[uwsgi]  # main", "\t# main\r\n\t[uwsgi]")],
)
def test_misread_header_rewritten(tmp_path: Path, header: str, written: str) -> None:
    text = f"{header}\r\nsocket = :3031\r\n"
    assert fixed(tmp_path, "a.ini", text, "UW004") == text  # unsafe: the keys take effect
    once = fixed(tmp_path, "a.ini", text, "UW004", unsafe=True)
    assert once == f"{written}\r\nsocket = :3031\r\n"
    assert findings(tmp_path, "a.ini", once) == []
    assert fixed(tmp_path, "a.ini", once, "UW004", unsafe=True) == once


def test_misread_header_left_when_its_meaning_is_a_guess(tmp_path: Path) -> None:
    for text in ("[uwsgi]x\nsocket = :3031\n", "[uwsgi main\nsocket = :3031\n",
                 "[uwsgi]]\nsocket = :3031\n"):
        assert [f[0] for f in findings(tmp_path, "a.ini", text, "UW004")] == ["UW004"]
        assert fixed(tmp_path, "a.ini", text, unsafe=True) == text


def test_keys_before_the_first_header_moved_into_the_section(tmp_path: Path) -> None:
    text = "; app\nsocket = :3031\nmaster\n\n[uwsgi]\nprocesses = 2\n"
    assert fixed(tmp_path, "a.ini", text, "UW005") == text  # unsafe: the keys take effect
    once = fixed(tmp_path, "a.ini", text, "UW005", unsafe=True)
    assert once == "; app\n[uwsgi]\nsocket = :3031\nmaster\n\nprocesses = 2\n"
    assert findings(tmp_path, "a.ini", once) == []
    assert fixed(tmp_path, "a.ini", once, "UW005", unsafe=True) == once
    # another section first: a header of their own, which uWSGI merges with the later one
    text = "  socket = :3031\r\n[app]\r\nx = 1\r\n[uwsgi]\r\nmaster = true\r\n"
    assert fixed(tmp_path, "b.ini", text, "UW005", unsafe=True) == (
        "  [uwsgi]\r\n  socket = :3031\r\n[app]\r\nx = 1\r\n[uwsgi]\r\nmaster = true\r\n")
    # a line left over from a shell here-document is no option to put in the section
    text = "sudo tee /etc/uwsgi/app.ini <<EOF\n[uwsgi]\nsocket = :3031\nEOF\n"
    assert [f[0] for f in findings(tmp_path, "c.ini", text)] == ["UW005"]
    assert fixed(tmp_path, "c.ini", text, unsafe=True) == text


def test_ini_section_missing_fixed_when_its_name_is_clear(tmp_path: Path) -> None:
    text = "socket = :3031\nmaster = true\n"
    assert fixed(tmp_path, "a.ini", text, "UW002") == text  # unsafe
    once = fixed(tmp_path, "a.ini", text, "UW002", unsafe=True)
    assert once == "[uwsgi]\nsocket = :3031\nmaster = true\n"
    assert fixed(tmp_path, "a.ini", once, "UW002", unsafe=True) == once
    text = "[uWSGI]\nsocket = :3031\n[app]\nx = 1\n[uWSGI]\nmaster = true\n"
    assert fixed(tmp_path, "b.ini", text, "UW002", unsafe=True) == (
        "[uwsgi]\nsocket = :3031\n[app]\nx = 1\n[uwsgi]\nmaster = true\n")
    # two near names: which one is meant is a guess
    text = "[UWSGI]\nx = 1\n[Uwsgi]\ny = 2\n"
    assert [f[0] for f in findings(tmp_path, "c.ini", text)] == ["UW002"]
    assert fixed(tmp_path, "c.ini", text, unsafe=True) == text


def test_json_repeated_keys_merged(tmp_path: Path) -> None:
    text = ('{"uwsgi": {\n  "socket": ":3031",\n  "master": true,\n'
            '  "socket": [":3032", ":3033"],\n  "socket": ":3034"\n}}\n')
    assert fixed(tmp_path, "a.json", text, "UW014") == text  # unsafe
    once = fixed(tmp_path, "a.json", text, "UW014", unsafe=True)
    assert once == ('{"uwsgi": {\n  "socket": [":3031", ":3032", ":3033", ":3034"],\n'
                    '  "master": true\n}}\n')
    assert findings(tmp_path, "a.json", once, "UW014") == []
    assert fixed(tmp_path, "a.json", once, "UW014", unsafe=True) == once


def test_json_drops_without_a_fix(tmp_path: Path) -> None:
    # a real (the value to write is a guess), an object, a repeated key whose values are
    # not all appended (a real, objects)
    text = ('{"uwsgi": {"limit-as": 1.5, "python": {"path": "x"}, "harakiri": 30, '
            '"harakiri": 30.5, "python": {"path": "y"}}}')
    assert len(findings(tmp_path, "a.json", text, "UW014")) == 5
    assert fixed(tmp_path, "a.json", text, "UW014", unsafe=True) == text


def test_json_integers_written_as_strings(tmp_path: Path) -> None:
    text = '{"uwsgi": {"env": 5000000000, "route": [-1000000000, 7], "processes": 5000000000}}'
    once = fixed(tmp_path, "a.json", text, "UW015")  # safe
    assert once == ('{"uwsgi": {"env": "5000000000", "route": ["-1000000000", 7], '
                    '"processes": 5000000000}}')  # a number: UW103's
    assert fixed(tmp_path, "a.json", once, "UW015") == once


def test_xml_attribute_written_as_the_text(tmp_path: Path) -> None:
    text = ('<uwsgi>\n  <harakiri value="30"/>\n  <limit-as id="a" v=\'512\'></limit-as>\n'
            '</uwsgi>\n')
    assert fixed(tmp_path, "a.xml", text, "UW017") == text  # unsafe
    once = fixed(tmp_path, "a.xml", text, "UW017", unsafe=True)
    assert once == ('<uwsgi>\n  <harakiri>30</harakiri>\n  <limit-as id="a">512</limit-as>\n'
                    '</uwsgi>\n')
    assert fixed(tmp_path, "a.xml", once, "UW017", unsafe=True) == once


def test_xml_attributes_left_when_the_value_is_a_guess(tmp_path: Path) -> None:
    text = ('<uwsgi>\n  <socket addr="x" port="1"/>\n  <chdir mode="dev">/srv</chdir>\n'
            '  <master value="true">1</master>\n  <chdir path=" /srv "/>\n</uwsgi>\n')
    assert len(findings(tmp_path, "a.xml", text, "UW017")) == 5
    assert fixed(tmp_path, "a.xml", text, "UW017", unsafe=True) == text


def test_xml_whitespace_trimmed(tmp_path: Path) -> None:
    text = ("<uwsgi>\r\n  <socket> /tmp/app.sock </socket>\r\n  <chdir>\r\n    /srv/app\r\n"
            "  </chdir>\r\n  <env><![CDATA[ A=1 ]]></env>\r\n</uwsgi>\r\n")
    once = fixed(tmp_path, "a.xml", text, "UW018")  # safe
    assert once == ("<uwsgi>\r\n  <socket>/tmp/app.sock</socket>\r\n  <chdir>/srv/app</chdir>\r\n"
                    "  <env><![CDATA[A=1]]></env>\r\n</uwsgi>\r\n")
    assert fixed(tmp_path, "a.xml", once, "UW018") == once


def test_xml_whitespace_trimmed_only_where_written(tmp_path: Path) -> None:
    # a blank written as a character reference, a text of blanks only (emptied, the element
    # would be `1`): no fix; a magic variable next to a blank: the blank goes
    text = ("<uwsgi>\n  <module>&#32;app</module>\n  <chdir>%d </chdir>\n  <socket>  </socket>\n"
            "</uwsgi>\n")
    found = findings(tmp_path, "a.xml", text, "UW018")
    assert where(found) == [("UW018", 2, 11, 2, 19), ("UW018", 3, 10, 3, 13),
                            ("UW018", 4, 11, 4, 13)]
    assert fixed(tmp_path, "a.xml", text, "UW018", unsafe=True) == (
        "<uwsgi>\n  <module>&#32;app</module>\n  <chdir>%d</chdir>\n  <socket>  </socket>\n"
        "</uwsgi>\n")

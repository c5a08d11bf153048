"""The JSON reader against uWSGI 2.0.31 with jansson 2.14 (``core/json.c``) and the oracle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from uwsgi_lint.magic import Host, file_table, substitute
from uwsgi_lint.model import Block, ConfigFile, Format, Span
from uwsgi_lint.readers import json as reader
from uwsgi_lint.source import decode, identity

from .complexity import LINEAR, growth
from .conftest import ORACLE, ORACLE_BIN, run_oracle

OPENERS = frozenset({"if-env", "for", "if-exists", "if-opt"})


def cfg_of(text: str | bytes, section: str = "uwsgi") -> ConfigFile:
    if isinstance(text, bytes):
        text = decode(text)
    return reader.parse(identity(text, "app.json"), OPENERS, section)


def pairs(cfg: ConfigFile, section: str = "uwsgi") -> list[tuple[str, str]]:
    sec = cfg.section(section)
    return [] if sec is None else [(d.key, d.value) for d in sec.directives()]


def at(span: Span) -> tuple[int, int, int, int]:
    return span.start.line, span.start.column, span.end.line, span.end.column


def message(cfg: ConfigFile) -> str:
    (problem,) = cfg.problems
    assert problem.code == "UW001"
    return problem.message


# --- positions -----------------------------------------------------------------------------

POSITIONED = """{
  "uwsgi": {
    "socket": "/tmp/s",
    "master": true,
    "env": ["A=1", 2],
    "esc": "a\\tb"
  }
}
"""


def test_positions() -> None:
    cfg = cfg_of(POSITIONED)
    assert cfg.format is Format.JSON and cfg.problems == [] and cfg.comments == []
    sec = cfg.section("uwsgi")
    assert sec is not None and sec.span is not None
    assert at(sec.span) == (2, 3, 2, 10)
    got = [
        (d.key, d.value, d.raw_key, d.raw_value, at(d.span), at(d.key_span), at(d.value_span))
        for d in sec.directives()
    ]
    assert got == [
        ("socket", "/tmp/s", '"socket"', '"/tmp/s"', (3, 5, 3, 23), (3, 5, 3, 13), (3, 15, 3, 23)),
        ("master", "1", '"master"', "true", (4, 5, 4, 19), (4, 5, 4, 13), (4, 15, 4, 19)),
        ("env", "A=1", '"env"', '"A=1"', (5, 13, 5, 18), (5, 5, 5, 10), (5, 13, 5, 18)),
        ("env", "2", '"env"', "2", (5, 20, 5, 21), (5, 5, 5, 10), (5, 20, 5, 21)),
        ("esc", "a\tb", '"esc"', '"a\\tb"', (6, 5, 6, 18), (6, 5, 6, 10), (6, 12, 6, 18)),
    ]
    assert sec.directives()[1].note == "JSON true becomes 1"


def test_columns_count_characters() -> None:
    cfg = cfg_of('{"uwsgi": {"é€😀": "x", "b": "é"}}')
    a, b = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (a.key, at(a.key_span)) == ("é€😀", (1, 12, 1, 17))
    assert (b.value, at(b.key_span), at(b.value_span)) == ("é", (1, 24, 1, 27), (1, 29, 1, 32))


# --- oracle table, row 25 ------------------------------------------------------------------

ROW25 = (
    '{"uwsgi": {"master": true, "vacuum": false, "nothing": null, "ratio": 1.5, '
    '"nested": {"a": "b"}, "env": ["A=1", 3, true, null, false, 1.5, [2], {"x": 1}], '
    '"processes": 4, "socket": "/s", "processes": 8}}'
)


def test_row25() -> None:
    cfg = cfg_of(ROW25)
    assert pairs(cfg) == [
        ("master", "1"),
        ("vacuum", "0"),
        ("nothing", "0"),
        ("env", "A=1"),
        ("env", "3"),
        ("env", "1"),
        ("env", "0"),
        ("env", "0"),
        ("processes", "8"),
        ("socket", "/s"),
    ]
    notes = [d.note for d in cfg.section("uwsgi").directives()]  # type: ignore[union-attr]
    assert notes[:3] == ["JSON true becomes 1", "JSON false becomes 0", "JSON null becomes 0"]
    # what uWSGI drops without a word: the first `processes`, the real, the object and
    # the three array elements that are no scalars
    dropped = [(p.code, at(p.span)[1]) for p in cfg.problems]
    assert dropped == [("UW014", c) for c in (62, 76, 135, 140, 145, 156)]


def test_duplicate_key_keeps_the_last_value_at_the_first_place() -> None:
    cfg = cfg_of('{"uwsgi": {"a": 1,\n "b": 2,\n "a": [3, 4]}}')
    assert pairs(cfg) == [("a", "3"), ("a", "4"), ("b", "2")]
    a = cfg.section("uwsgi").directives()[0]  # type: ignore[union-attr]
    assert at(a.key_span) == (3, 2, 3, 5)
    assert "duplicate key" in a.note and "line 1, column 12" in a.note
    dup_root = '{"uwsgi": {"a": "1"}, "x": {}, "uwsgi": {"z": 1}}'
    assert pairs(cfg_of(dup_root)) == [("z", "1")]


def test_row25_errors() -> None:
    assert "you must define a object named uwsgi" in message(cfg_of('{"other": {"a": "b"}}'))
    assert "you must define a object named uwsgi" in message(cfg_of('[{"uwsgi": {}}]'))
    cfg = cfg_of('{"uwsgi": 3}')
    assert "you must define a object named uwsgi" in message(cfg)
    assert at(cfg.problems[0].span) == (1, 2, 1, 12)
    assert "string or '}' expected near '}'" in message(cfg_of('{"uwsgi": {"a": 1,}}'))


@pytest.mark.parametrize(
    ("number", "text"),
    [
        ("5000000000", "705032704"),
        ("-5000000000", "-705032704"),
        ("2147483647", "2147483647"),
        ("2147483648", "-214748364"),  # -2147483648 cut to 10 characters
        ("-1000000000", "-100000000"),
        ("-999999999", "-999999999"),
        ("9223372036854775807", "-1"),
        ("-0", "0"),
        ("0", "0"),
    ],
)
def test_integers_become_c_ints(number: str, text: str) -> None:
    cfg = cfg_of(f'{{"uwsgi": {{"a": {number}}}}}')
    (d,) = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (d.value, d.raw_value) == (text, number)
    assert bool(d.note) == (text != number)


def test_reals_and_objects_are_dropped() -> None:
    text = '{"uwsgi": {"a": 1.5, "b": 1e5, "c": -0.0, "d": {}, "e": 1e-400, "f": "x"}}'
    assert pairs(cfg_of(text)) == [("f", "x")]


# --- sections --------------------------------------------------------------------------------


def test_sections() -> None:
    text = '{"other": {"a": "b"}, "list": [1], "uwsgi": {"x": 1}}'
    cfg = cfg_of(text, "other")
    assert pairs(cfg, "other") == [("a", "b")] and cfg.problems == []
    assert [s.name for s in cfg.sections] == ["other", "uwsgi"]
    assert pairs(cfg) == [("x", "1")]
    # FILE: (an empty name) keeps "uwsgi"
    assert pairs(cfg_of(text, ""), "uwsgi") == [("x", "1")]
    assert "named list" in message(cfg_of(text, "list"))


def test_logic_blocks_are_grouped() -> None:
    cfg = cfg_of('{"uwsgi": {"if-env": "X", "a": "1", "endif": "", "b": 2}}')
    sec = cfg.section("uwsgi")
    assert sec is not None and isinstance(sec.items[0], Block)
    assert [d.key for d in sec.items[0].body] == ["a"]
    assert [d.key for d in sec.directives()] == ["if-env", "a", "endif", "b"]


def test_magic_inside_values(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    text = '{"uwsgi": {\n  "name": "%n", "x": "50% off", "pct": "100%%"}}\n'
    path.write_text(text)
    exp = substitute(text, file_table(str(path), str(path), "", Host()), str(path))
    cfg = reader.parse(exp, OPENERS)
    name, x, pct = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (name.value, name.raw_value, at(name.value_span)) == ("app", '"%n"', (2, 11, 2, 15))
    assert (x.value, x.raw_value) == ("50off", '"50% off"')
    assert (pct.value, pct.raw_value, at(pct.value_span)) == ("100%", '"100%%"', (2, 40, 2, 47))


# --- malformed input: jansson's own messages (all checked against uWSGI) ---------------------

ERRORS = [
    ('{"uwsgi": {"a": NaN}}', "line 1 invalid token near 'NaN'"),
    ('{"uwsgi": {"a": 1} // c\n}', "line 1 '}' expected near '/'"),
    ('{"uwsgi": {"a": "x\\u0000y"}}', "\\u0000 is not allowed without JSON_ALLOW_NUL near"),
    ('{"uwsgi": {"a\\u0000": 1}}', "line 1 NUL byte in object key not supported near"),
    ('{"uwsgi": {"a": 99999999999999999999}}', "too big integer near '99999999999999999999'"),
    ('{"uwsgi": {"a": -9999999999999999999}}', "too big negative integer near"),
    ('{"uwsgi": {"a": -99999999999999999999}}', "line 1 too big negative integer"),
    ('{"uwsgi": {"a": 1.5e400}}', "real number overflow near '1.5e400'"),
    ('{"uwsgi": {"a": 01}}', "line 1 invalid token near '0'"),
    ('{"uwsgi": {"a": "1"}} x', "line 1 end of file expected near 'x'"),
    ('{\n"uwsgi":\n {"a":\n 1,\n}\n}\n', "line 5 string or '}' expected near '}'"),
    ('{\n"uwsgi":\n {"a":\n 1\n\n', "line 6 '}' expected near end of file"),
    ('{"uwsgi": {"a": "abc\ndef"}}', "line 1 unexpected newline near '\"abc'"),
    ('{"uwsgi": {"a": "x\ty"}}', "line 1 control character 0x9 near '\"x'"),
    ('{"uwsgi": {"a": "\\ud800x"}}', "line 1 invalid Unicode '\\uD800' near"),
    ('{"uwsgi": {"a":"\\ud800\\u0041"}}', "invalid Unicode '\\uD800\\u0041'"),
    ('{"uwsgi": {"a": "\\q"}}', "line 1 invalid escape near '\"\\q'"),
    ('{"uwsgi": {"a": "\\u12g4"}}', "line 1 invalid escape near '\"\\u12g'"),
    ('{"uwsgi": {"a": "' + "a" * 30 + '\\x"}}', "line 1 invalid escape"),
    ('{"uwsgi": {"a": 1.}}', "line 1 invalid token near '1.'"),
    ('{"uwsgi": {"a": -}}', "line 1 invalid token near '-'"),
    ('{"uwsgi": {"a": 1e+}}', "line 1 invalid token near '1e+'"),
    ('{"uwsgi": {"a": truex}}', "line 1 invalid token near 'truex'"),
    ('{"uwsgi": {"a": 1 "b": 2}}', "line 1 '}' expected near '\"b\"'"),
    ('{"uwsgi": {"a": [1,]}}', "line 1 unexpected token near ']'"),
    ('{"uwsgi": {"a": [', "line 1 ']' expected near end of file"),
    ('{"uwsgi": {"a": ', "line 1 unexpected token near end of file"),
    ('{"uwsgi" {}}', "line 1 ':' expected near '{'"),
    ('{"uwsgi": {"a": "\\', "line 1 invalid escape near '\"\\'"),
    ('{"uwsgi": {"a": "1}}', "line 1 premature end of input near '\"1}}'"),
    ("", "line 1 '[' or '{' expected near end of file"),
    ("   \n  ", "line 2 '[' or '{' expected near end of file"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_jansson_messages(text: str, expected: str) -> None:
    got = message(cfg_of(text))
    assert got.startswith("invalid JSON, uWSGI exits: error parsing JSON data: ")
    assert expected in got


def test_error_positions() -> None:
    cfg = cfg_of('{"uwsgi": {\n  "a": 1,\n  "b": tru }}')
    assert at(cfg.problems[0].span) == (3, 8, 3, 11)
    cfg = cfg_of('{"uwsgi": {"a": 1}')
    assert at(cfg.problems[0].span) == (1, 19, 1, 19)


def test_partial_result_after_an_error() -> None:
    cfg = cfg_of('{"uwsgi": {"a": 1, "b": [true, "x",], "c": 3}}')
    assert pairs(cfg) == [("a", "1"), ("b", "1"), ("b", "x")]
    cfg = cfg_of('{"uwsgi": {"a": "1"}} trailing')
    assert pairs(cfg) == [("a", "1")] and len(cfg.problems) == 1


def test_bom_invalid_utf8_and_nul() -> None:
    got = message(cfg_of(b'\xef\xbb\xbf{"uwsgi": {"a": 1}}'))
    assert "'[' or '{' expected near '\ufeff'" in got and "byte order mark" in got
    cfg = cfg_of(b'{"uwsgi": {"a": "\xe9"}}')
    assert "line 1 unable to decode byte 0xe9 near '\"'" in message(cfg)
    assert at(cfg.problems[0].span) == (1, 18, 1, 19)
    assert message(cfg_of(b"\xe9{}")).endswith("line 1 unable to decode byte 0xe9")
    assert "unable to decode byte 0xe9 near 'tru'" in message(cfg_of(b'{"uwsgi": {"a": tru\xe9}}'))
    assert "unable to decode byte 0xed" in message(cfg_of(b'{"uwsgi": {"a": "\xed\xa0\x80"}}'))
    # the text ends at the first NUL byte, as C strings do
    assert pairs(cfg_of(b'{"uwsgi": {"a": "1"}}\x00garbage')) == [("a", "1")]
    assert "premature end of input near '\"1'" in message(cfg_of(b'{"uwsgi": {"a": "1\x00"}}'))


def test_escapes_and_surrogate_pairs() -> None:
    text = '{"uwsgi": {"a": "\\u0041\\u00e9\\/\\ud83d\\ude00\\"\\\\\\b\\f\\n\\r\\t"}}'
    assert pairs(cfg_of(text)) == [("a", 'Aé/😀"\\\b\f\n\r\t')]


def test_garbage_never_raises() -> None:
    for text in ["{", "[", "}", '{"', '{"uwsgi"', '{"uwsgi":{', "-", "tru", "\udcff", "{,}"]:
        assert cfg_of(text).problems, text


# --- hostile input ------------------------------------------------------------------------


def test_depth_limit_is_janssons() -> None:
    def doc(depth: int) -> str:
        return '{"uwsgi": {"a": ' + "[" * depth + "]" * depth + ', "b": 1}}'

    assert pairs(cfg_of(doc(2046))) == [("b", "1")]
    assert "maximum parsing depth reached near '['" in message(cfg_of(doc(2047)))


def parsing(make: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    """A :func:`growth` case: parse the document ``make(n)``."""
    def case(n: int) -> Callable[[], object]:
        text = make(n)
        return lambda: cfg_of(text)

    return case


def test_deep_nesting_is_quick() -> None:
    for opener, closer in (("[", "]"), ('{"a": ', "}")):
        def doc(depth: int, opener: str = opener, closer: str = closer) -> str:
            return '{"uwsgi": {"a": ' + opener * depth + "1" + closer * depth + "}}"

        assert "maximum parsing depth reached" in message(cfg_of(doc(100_000)))
        assert growth(parsing(doc), 50_000) < LINEAR  # the parse stops at the limit


def test_ten_megabyte_single_line() -> None:
    for fill in ("x", "é", "\\n"):
        def doc(size: int, fill: str = fill) -> str:
            return '{"uwsgi": {"a": "' + fill * (size // len(fill)) + '", "b": 2}}'

        a, b = cfg_of(doc(10_000_000)).section("uwsgi").directives()  # type: ignore[union-attr]
        assert len(a.value) == 10_000_000 // len(fill) and b.value == "2"
        assert growth(parsing(doc), 500_000) < LINEAR
    for prefix, fill in (('{"uwsgi": {"a": "', "x"), ('{"uwsgi": {"a": ', "1")):
        def cut(size: int, prefix: str = prefix, fill: str = fill) -> str:
            return prefix + fill * size

        assert cfg_of(cut(10_000_000)).problems
        assert growth(parsing(cut), 500_000) < LINEAR


# --- the real uWSGI -----------------------------------------------------------------------

FIXTURES = {
    "row25.json": ROW25,
    "ints.json": '{"uwsgi": {"a": 5000000000, "b": -1000000000, "c": [2147483648, -0, "s"]}}',
    "magic.json": '{"uwsgi": {"n": "%n", "x": "50% off"}, "other": {"y": true}}',
    "escapes.json": '{"uwsgi": {"a": "\\u0041\\u00e9\\ud83d\\ude00", "a": "dup", "b": null}}',
    "trailing.json": '{"uwsgi": {"a": 1,}}',
    "missing.json": '{"other": {"a": "b"}}',
}


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("name", "section"), [(n, None) for n in sorted(FIXTURES)] + [("magic.json", "other")]
)
def test_against_real_uwsgi(name: str, section: str | None, tmp_path: Path) -> None:
    if not ORACLE.exists() or not ORACLE_BIN.exists():
        pytest.skip("uwsgi-oracle binary not built")
    path = tmp_path / name
    path.write_text(FIXTURES[name])
    oracle = run_oracle(path, "--no-strict", *(["--section", section] if section else []))
    table = file_table(str(path), str(path), section or "", Host())
    cfg = reader.parse(substitute(FIXTURES[name], table, str(path)), OPENERS, section or "uwsgi")
    if oracle["ok"]:
        assert [list(p) for p in pairs(cfg, section or "uwsgi")] == oracle["options"]
        assert [p for p in cfg.problems if p.code == "UW001"] == []
    else:
        error = str(oracle.get("error"))
        assert error in message(cfg)

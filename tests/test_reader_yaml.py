"""The two YAML readers against uWSGI 2.0.31 (``core/yaml.c``) and the oracle table."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint.magic import Host, file_table, substitute
from uwsgi_lint.model import ConfigFile, Span
from uwsgi_lint.readers import yaml as reader
from uwsgi_lint.source import decode, identity

from .complexity import LINEAR, growth
from .conftest import ORACLE, ORACLE_BIN, ORACLE_LIBYAML_BIN, SHARED, run_oracle

OPENERS = frozenset({"if-env", "for"})
Reader = Callable[..., ConfigFile]
BOTH = pytest.mark.parametrize("read", [reader.parse, reader.parse_libyaml], ids=["emb", "lib"])


def cfg_of(text: str, read: Reader = reader.parse, section: str = "uwsgi") -> ConfigFile:
    return read(identity(text, "app.yml"), OPENERS, section)


def parsing(make: Callable[[int], str], read: Reader) -> Callable[[int], Callable[[], object]]:
    """A :func:`growth` case: read the document ``make(n)`` with ``read``."""
    def case(n: int) -> Callable[[], object]:
        text = make(n)
        return lambda: cfg_of(text, read)

    return case


def pairs(cfg: ConfigFile, section: str = "uwsgi") -> list[tuple[str, str]]:
    sec = cfg.section(section)
    return [] if sec is None else [(d.key, d.value) for d in sec.directives()]


def at(span: Span) -> tuple[int, int, int, int]:
    return span.start.line, span.start.column, span.end.line, span.end.column


def codes(cfg: ConfigFile) -> list[str]:
    return [p.code for p in cfg.problems]


# --- positions -----------------------------------------------------------------------------

POSITIONED = 'uwsgi:\n  socket: "/x"   # c\n  master:\ttrue\n'


def test_embedded_positions() -> None:
    cfg = cfg_of(POSITIONED)
    sec = cfg.section("uwsgi")
    assert sec is not None and sec.span is not None
    assert at(sec.span) == (1, 1, 1, 7)
    socket, master = sec.directives()
    assert (socket.key, socket.value, socket.raw_value) == ("socket", '"/x"', '"/x"')
    assert at(socket.span) == (2, 3, 2, 15)
    assert at(socket.key_span) == (2, 3, 2, 9)
    assert at(socket.value_span) == (2, 11, 2, 15)
    assert (master.key, master.value) == ("master", "true")
    assert at(master.key_span) == (3, 3, 3, 9)
    assert at(master.value_span) == (3, 11, 3, 15)
    assert [(c.text, at(c.span)) for c in cfg.comments] == [("# c", (2, 18, 2, 21))]


def test_libyaml_positions() -> None:
    text = POSITIONED + "  env:\n    - A=1\n    - 'B=2'\n  multi: |\n    l1\n    l2\n  f: [a, b]\n"
    cfg = cfg_of(text, reader.parse_libyaml)
    sec = cfg.section("uwsgi")
    assert sec is not None and sec.span is not None
    assert at(sec.span) == (1, 1, 1, 7)
    got = [(d.key, d.value, at(d.span), at(d.key_span), at(d.value_span)) for d in sec.directives()]
    assert got == [
        ("socket", "/x", (2, 3, 2, 15), (2, 3, 2, 9), (2, 11, 2, 15)),
        ("master", "true", (3, 3, 3, 15), (3, 3, 3, 9), (3, 11, 3, 15)),
        ("env", "A=1", (5, 5, 5, 10), (4, 3, 4, 6), (5, 7, 5, 10)),
        ("env", "B=2", (6, 5, 6, 12), (4, 3, 4, 6), (6, 7, 6, 12)),
        ("multi", "l1\nl2\n", (7, 3, 9, 7), (7, 3, 7, 8), (7, 10, 9, 7)),
        ("f", "a", (10, 7, 10, 8), (10, 3, 10, 4), (10, 7, 10, 8)),
        ("f", "b", (10, 10, 10, 11), (10, 3, 10, 4), (10, 10, 10, 11)),
    ]
    assert sec.directives()[0].raw_value == '"/x"'
    assert sec.directives()[2].note
    assert [(c.text, at(c.span)) for c in cfg.comments] == [("# c", (2, 18, 2, 21))]


@BOTH
def test_comments_everywhere(read: Reader) -> None:
    text = "# head\nuwsgi:\n  a: 1 # tail\n  # own line\n# top\n  b: 2\n"
    cfg = cfg_of(text, read)
    assert pairs(cfg) == [("a", "1"), ("b", "2")]
    got = [(c.text, c.span.start.line, c.span.start.column) for c in cfg.comments]
    assert got == [("# head", 1, 1), ("# tail", 3, 8), ("# own line", 4, 3), ("# top", 5, 1)]


# --- oracle table, row 22: the embedded reader stops silently ------------------------------

ROW22 = {
    "list": ("uwsgi:\n  master: true\n  env:\n    - A=1\n    - B=2\n  socket: /x\n", 3),
    "empty": ("uwsgi:\n  master: true\n  empty:\n  socket: /x\n", 3),
    "nested": ("uwsgi:\n  master: true\n  nested:\n    deep: 1\n  socket: /x\n", 3),
}


@pytest.mark.parametrize("name", sorted(ROW22))
def test_row22_embedded_stops(name: str) -> None:
    text, line = ROW22[name]
    cfg = cfg_of(text)
    assert pairs(cfg) == [("master", "true")]
    assert cfg.stopped is not None
    assert cfg.stopped.code == reader.STOP
    assert cfg.stopped.span.start == cfg.stopped.span.start.__class__(line, 3)
    assert "socket" in cfg.stopped.message


def test_row22_block_list_and_flow_map_give_nothing() -> None:
    listed = cfg_of("uwsgi:\n  - master\n  - socket\n")
    assert pairs(listed) == []
    assert listed.stopped is not None
    assert listed.stopped.detail == "It stops at this line: a list item."
    assert "2 list items" in listed.stopped.message
    flow = cfg_of("uwsgi: {master: true, socket: /x}\n")
    assert pairs(flow) == []
    assert codes(flow) == [reader.INLINE]
    assert "{master: true, socket: /x}" in flow.problems[0].message
    assert at(flow.problems[0].span) == (1, 8, 1, 34)


def test_stop_message_names_lost_keys() -> None:
    text = "uwsgi:\n  a: 1\n  env:\n  - A=1\n  - B=2\n  socket: /x\n  master: true\n"
    text += "other:\n  x: 1\n"
    cfg = cfg_of(text)
    assert pairs(cfg) == [("a", "1")]
    assert cfg.stopped is not None
    assert (cfg.stopped.message, cfg.stopped.detail) == (
        "uWSGI's embedded YAML reader stops here: 3 keys (env, socket, master) and 2 list "
        "items from here to the end of the `uwsgi` section are ignored",
        "It stops at this line: nothing follows the colon: a nested block, a list or an empty "
        "value.",
    )
    assert at(cfg.stopped.span) == (3, 3, 3, 7)
    assert pairs(cfg, "other") == [("x", "1")]


def test_stop_at_list_item_and_endif() -> None:
    item = cfg_of("uwsgi:\n  a: 1\n  - x\n  b: 2\n")
    assert item.stopped is not None
    assert item.stopped.message.startswith(
        "uWSGI's embedded YAML reader stops here: 1 key (b) and 1 list item"
    )
    assert item.stopped.detail == "It stops at this line: a list item."
    logic = cfg_of("uwsgi:\n  if-env: FOO\n  a: 1\n  endif:\n  b: 2\n")
    assert logic.stopped is not None
    assert logic.stopped.message.endswith("; write `endif: 1`")
    assert logic.stopped.detail == "It stops at this line: `endif:` has no value."


@pytest.mark.parametrize(
    "text",
    [
        "uwsgi:\n  a: 1\nother:\n  b: 2\n",  # a dedent to the next section
        "uwsgi:\n  a: 1\n  empty:\n",  # a trailing empty key loses nothing
        "uwsgi:\n  a: 1\n  empty:\n  # just a comment\n\nother:\n  - x\n",
        "other:\n  - x\n",  # no uwsgi section at all
    ],
)
def test_no_stop_reported_when_nothing_is_lost(text: str) -> None:
    assert cfg_of(text).stopped is None


def test_later_duplicate_block_is_reported() -> None:
    cfg = cfg_of("uwsgi:\n  a: 1\nother:\n  b: 2\nuwsgi:\n  c: 3\n  d: 4\n")
    assert pairs(cfg) == [("a", "1")]
    assert cfg.stopped is not None
    assert at(cfg.stopped.span) == (3, 1, 3, 7)
    assert "2 keys (c, d) in the later one (line 5) are ignored" in cfg.stopped.message


# --- row 23: quotes, comments in quotes, ": " split, CR kept, column 0 ends ---------------

ROW23 = (
    "uwsgi:\n"
    '  socket: "/x"\n'
    "  q: 'single'\n"
    '  hash: "a # b"\n'
    "  url: http://h/#x\n"
    "  c: a: b\n"
    "top: 1\n"
    "  lost: 1\n"
)


def test_row23_embedded() -> None:
    cfg = cfg_of(ROW23)
    assert pairs(cfg) == [
        ("socket", '"/x"'),
        ("q", "'single'"),
        ("hash", '"a'),
        ("url", "http://h/"),
        ("c", "a: b"),
    ]
    assert cfg.stopped is None


def test_row23_crlf_keeps_cr() -> None:
    text = "uwsgi:\r\n  master: false\r\n  processes: 2\r\n  empty: \r\n  last: x\r\n"
    cfg = cfg_of(text)
    assert cfg.newline == "\r\n"
    kept = [("master", "false\r"), ("processes", "2\r"), ("empty", ""), ("last", "x\r")]
    assert pairs(cfg) == kept
    lib = cfg_of(text, reader.parse_libyaml)
    assert pairs(lib) == [("master", "false"), ("processes", "2"), ("last", "x")]


def test_embedded_depth_rules() -> None:
    # only a line in column 1 opens the section; TAB and CR indent like spaces
    assert pairs(cfg_of("app:\n  uwsgi:\n    master: true\n")) == []
    assert pairs(cfg_of("uwsgi:\n\tmaster: true\n \tx: 1\n")) == [("master", "true"), ("x", "1")]
    assert pairs(cfg_of("uwsgi:\n    a: 1\n  b: 2\n  c :  d  \n")) == [
        ("a", "1"),
        ("b", "2"),
        ("c", "d"),
    ]
    # a list before the section is skipped, a bare `uwsgi:x` opens it
    assert pairs(cfg_of("- x\nuwsgi:x\n  a: 1\n")) == [("a", "1")]


# --- row 24: the libyaml build --------------------------------------------------------------


def test_row24_libyaml() -> None:
    text = (
        "uwsgi:\n"
        "  env:\n    - A=1\n    - B=2\n"
        '  socket: "/x"\n'
        "  flow: [a, b]\n"
        "  multi: |\n    line1\n    line2\n"
        "  empty:\n"
        "  nested:\n    deep: 1\n"
        "  last: z\n"
    )
    cfg = cfg_of(text, reader.parse_libyaml)
    assert pairs(cfg) == [
        ("env", "A=1"),
        ("env", "B=2"),
        ("socket", "/x"),
        ("flow", "a"),
        ("flow", "b"),
        ("multi", "line1\nline2\n"),
        ("deep", "1"),
        ("last", "z"),
    ]
    # `empty:` is dropped; the embedded reader would stop at `env:`
    assert codes(cfg) == [reader.EMPTY, reader.OTHER_READER] and cfg.stopped is None
    assert "`empty` is never set" in cfg.problems[0].message
    assert at(cfg.problems[0].span) == (10, 3, 10, 8)
    assert "embedded YAML reader" in cfg.problems[1].message
    assert at(cfg.problems[1].span) == (2, 3, 2, 7)


def test_row24_mapping_value_error() -> None:
    cfg = cfg_of("uwsgi:\n  a: 1\n  c: a: b\n  d: 2\n", reader.parse_libyaml)
    assert codes(cfg) == ["UW001"]
    assert "mapping values are not allowed" in cfg.problems[0].message
    assert at(cfg.problems[0].span) == (3, 7, 3, 8)


def test_row24_flow_map_section() -> None:
    cfg = cfg_of("uwsgi: {master: true, b: 2}\n", reader.parse_libyaml)
    assert pairs(cfg) == [] and cfg.section("uwsgi") is None
    assert codes(cfg) == [reader.INLINE]
    bare = cfg_of("uwsgi: {master, b: 2}\n", reader.parse_libyaml)  # "unsupported YAML token"
    assert pairs(bare) == [] and bare.stopped is None
    inner = cfg_of("uwsgi:\n  a: 1\n  sub: {x: 1}\n  b: 2\n", reader.parse_libyaml)
    assert pairs(inner) == [("a", "1"), ("x", "1"), ("b", "2")]


def test_libyaml_anchor_tag_halt() -> None:
    for value in ("&anc val", "!!str val"):
        cfg = cfg_of(f"uwsgi:\n  a: 1\n  b: {value}\n  c: 3\n  d: [x, y]\n", reader.parse_libyaml)
        assert pairs(cfg) == [("a", "1")]
        assert cfg.stopped is not None and cfg.stopped.code == reader.STOP
        assert at(cfg.stopped.span) == (3, 6, 3, 6 + len(value))
        assert "unsupported YAML token 21 in uwsgi block" in cfg.stopped.detail
        assert "4 options (b, c, d)" in cfg.stopped.message


def test_libyaml_halt_before_section() -> None:
    cfg = cfg_of("base: &x val\nuwsgi:\n  a: 1\n", reader.parse_libyaml)
    assert pairs(cfg) == [] and cfg.section("uwsgi") is None
    assert cfg.stopped is not None and at(cfg.stopped.span) == (1, 7, 1, 13)
    assert "1 option (a)" in cfg.stopped.message


def test_libyaml_aliases_are_skipped_and_bombs_are_cheap() -> None:
    cfg = cfg_of("uwsgi:\n  a: 1\n  b: *nothing\n  c: 3\n", reader.parse_libyaml)
    assert pairs(cfg) == [("a", "1"), ("c", "3")]
    assert codes(cfg) == [reader.ALIAS]
    assert "`b` gets no value from `*nothing`" in cfg.problems[0].message

    def laughs(levels: int) -> str:  # expanded, 9**levels items
        lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in range(1, levels):
            prev = chr(ord("a") + i - 1) if i < 26 else f"z{i - 1}"
            name = chr(ord("a") + i) if i < 26 else f"z{i}"
            lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
        return "\n".join(lines) + "\nuwsgi:\n  ok: 1\n"

    assert pairs(cfg_of(laughs(30), reader.parse_libyaml)) == [("ok", "1")]
    assert growth(parsing(laughs, reader.parse_libyaml), 7) < LINEAR  # 7 levels, then 28


def test_libyaml_sections_and_documents() -> None:
    nested = cfg_of("app:\n  uwsgi:\n    master: true\n  z: 1\n", reader.parse_libyaml)
    assert pairs(nested) == [("master", "true")]
    assert pairs(nested, "app") == [("master", "true"), ("z", "1")]
    docs = cfg_of("---\nuwsgi:\n  a: 1\n...\n---\nother:\n  b: 2\n", reader.parse_libyaml)
    assert pairs(docs) == [("a", "1")] and pairs(docs, "other") == [("b", "2")]
    dup = cfg_of("uwsgi:\n  a: 1\nuwsgi:\n  b: 2\n", reader.parse_libyaml)
    assert pairs(dup) == [("a", "1")]
    # a TAB after the colon is fine for libyaml; one in the indentation is not
    assert pairs(cfg_of("uwsgi:\n  a:\t\t1\n", reader.parse_libyaml)) == [("a", "1")]
    assert codes(cfg_of("uwsgi:\n  a: 1\n\t b: 2\n", reader.parse_libyaml)) == ["UW001"]


def test_libyaml_pure_python_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    text = "uwsgi:\n  a:\t\t1\n  b: x\t# c\n  l: [p,\tq]\n"
    expected = pairs(cfg_of(text, reader.parse_libyaml))
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert expected == [("a", "1"), ("b", "x"), ("l", "p"), ("l", "q")]
    assert pairs(cfg_of(text, reader.parse_libyaml)) == expected


def test_libyaml_without_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    cfg = cfg_of("uwsgi:\n  a: 1\n", reader.parse_libyaml)
    assert codes(cfg) == [reader.UNAVAILABLE] and cfg.sections == []


# --- sections ----------------------------------------------------------------------------


@BOTH
def test_named_sections(read: Reader) -> None:
    text = "uwsgi:\n  a: 1\nother:\n  b: 2\n  c: 3\nscalar: x\n"
    cfg = cfg_of(text, read, section="other")
    assert [s.name for s in cfg.sections] == ["uwsgi", "other"]
    assert pairs(cfg, "other") == [("b", "2"), ("c", "3")]
    assert pairs(cfg) == [("a", "1")]
    assert cfg.section("missing") is None
    assert cfg_of(text, read, section="missing").stopped is None


@BOTH
def test_logic_blocks(read: Reader) -> None:
    cfg = cfg_of("uwsgi:\n  if-env: FOO\n  a: 1\n  endif: 1\n  b: 2\n", read)
    sec = cfg.section("uwsgi")
    assert sec is not None
    assert [type(i).__name__ for i in sec.items] == ["Block", "Directive"]


# --- magic % -------------------------------------------------------------------------------


@BOTH
def test_magic_variables(read: Reader, tmp_path: Path) -> None:
    path = str(tmp_path / "app.yml")
    text = "uwsgi:\n  name: %n-%e\n  dir: %dlogs\n  pct: 100%%\n  ratio: 50%\n  after: 1\n"
    Path(path).write_text(text)
    exp = substitute(text, file_table(path, path, "uwsgi", Host()), path)
    cfg = read(exp, OPENERS, "uwsgi")
    sec = cfg.section("uwsgi")
    assert sec is not None
    name, folder, pct, ratio = sec.directives()
    assert (name.value, name.raw_value, at(name.value_span)) == ("app-yml", "%n-%e", (2, 9, 2, 14))
    assert folder.value == os.path.realpath(tmp_path) + "/logs"
    assert at(folder.value_span) == (3, 8, 3, 14)
    assert (pct.value, at(pct.value_span)) == ("100%", (4, 8, 4, 13))
    # `%` + newline is a magic variable: it swallows the line break
    assert ratio.value.startswith("50  after")
    assert ratio.value_span.end.line == 6


# --- hostile input -------------------------------------------------------------------------


def test_bom() -> None:
    text = "\ufeffuwsgi:\n  a: 1\n"
    emb = cfg_of(text)
    assert pairs(emb) == [] and codes(emb) == [reader.BOM]
    lib = cfg_of(text, reader.parse_libyaml)
    assert pairs(lib) == [("a", "1")]
    directive = lib.sections[0].directives()[0]
    assert at(directive.key_span) == (2, 3, 2, 4)
    assert at(directive.value_span) == (2, 6, 2, 7)


def test_nul_and_invalid_utf8() -> None:
    nul = "uwsgi:\n  a: x\0y\n  b: 2\n"
    assert pairs(cfg_of(nul)) == [("a", "x"), ("b", "2")]
    lib = cfg_of(nul, reader.parse_libyaml)
    assert codes(lib) == ["UW001"] and at(lib.problems[0].span) == (2, 7, 2, 8)
    assert "control characters" in lib.problems[0].message
    bad = decode(b"uwsgi:\n  a: caf\xe9\n  b: 2\n")
    assert pairs(cfg_of(bad)) == [("a", "caf\udce9"), ("b", "2")]
    lib = cfg_of(bad, reader.parse_libyaml)
    assert codes(lib) == ["UW001"] and "0xe9" in lib.problems[0].message


def test_bad_character_after_the_section_in_a_later_chunk() -> None:
    # libyaml checks 16 KiB at a time: a NUL far behind the section is never reached
    body = "".join(f"  k{i}: v{i}\n" for i in range(3000))
    late = cfg_of("uwsgi:\n  a: 1\nother:\n" + body + "  z: \0\n", reader.parse_libyaml)
    assert pairs(late) == [("a", "1")] and late.problems == []
    early = cfg_of("uwsgi:\n  a: 1\nother:\n  z: \0\n" + body, reader.parse_libyaml)
    assert codes(early) == ["UW001"]


@BOTH
def test_empty_and_odd_files(read: Reader) -> None:
    for text in ("", "\n\n", "# only\n", "hello\n", "[1, 2]\n", "- a\n- b\n", "\0", ":"):
        cfg = cfg_of(text, read)
        assert pairs(cfg) == []


@BOTH
def test_huge_single_line(read: Reader) -> None:
    def doc(size: int) -> str:
        return "uwsgi:\n  a: " + "x" * size

    cfg = cfg_of(doc(10_000_000), read)
    assert [(k, len(v)) for k, v in pairs(cfg)] == [("a", 10_000_000)]
    assert pairs(cfg_of("y" * 10_000_000 + "\n", read)) == []
    assert growth(parsing(doc, read), 500_000) < LINEAR


@BOTH
def test_fifty_megabytes(read: Reader) -> None:
    def doc(lines: int) -> str:  # lines of 1 000 characters
        line = "  k{}: " + "v" * 990 + "\n"
        return "uwsgi:\n" + "".join(line.format(i) for i in range(lines))

    text = doc(50_000)
    assert len(text) > 50_000_000
    sec = cfg_of(text, read).section("uwsgi")
    assert sec is not None and len(sec.items) == 50_000
    assert growth(parsing(doc, read), 250) < LINEAR


def test_deep_block_nesting_has_no_limit() -> None:
    # libyaml 0.2.5 (uWSGI's) has no nesting limit; the one bundled with newer PyYAML has
    levels = "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1100))
    cfg = cfg_of("uwsgi:\n" + levels + " " * 1101 + "x: 1\n y: 2\n", reader.parse_libyaml)
    assert pairs(cfg) == [("x", "1"), ("y", "2")]
    assert codes(cfg) == [reader.OTHER_READER]  # the embedded reader stops at `k0:`


def test_deep_flow_nesting_is_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    # libyaml slows down quadratically with the nesting: the scan must stop at the limit
    # (500 levels, about half a second) rather than read 2 000 000 tokens
    scan, tokens = yaml.scan, 0

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        nonlocal tokens
        for token in scan(*args, **kwargs):
            tokens += 1
            yield token

    monkeypatch.setattr(yaml, "scan", counted)
    cfg = cfg_of("uwsgi:\n  a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n", reader.parse_libyaml)
    assert codes(cfg) == [reader.LIMIT]
    assert tokens < 1_000  # 520 today
    assert pairs(cfg_of("uwsgi:\n  a: " + "[" * 200 + "x" + "]" * 200, reader.parse_libyaml)) == [
        ("a", "x")
    ]


# --- the real uWSGI ------------------------------------------------------------------------

BINARIES = {reader.parse: ORACLE_BIN, reader.parse_libyaml: ORACLE_LIBYAML_BIN}

FIXTURES = {
    "row22.yml": "uwsgi:\n  master: true\n  env:\n    - A=1\n    - B=2\n  socket: /x\n",
    "row23.yml": ROW23.replace("  c: a: b\n", ""),
    "crlf.yml": "uwsgi:\r\n  master: false\r\n  empty:\r\n  last: x\r\n",
    "row24.yml": "uwsgi:\n  multi: |\n    l1\n    l2\n  flow: [a, b]\n  empty:\n  q: 'x'\n",
    "nested.yml": "app:\n  uwsgi:\n    master: true\n  z: 1\nuwsgi:\n  y: 2\n",
    "halt.yml": "uwsgi:\n  a: 1\n  b: &x val\n  c: *x\n  d: 2\n",
    "tabs.yml": "uwsgi:\n  a:\t1\n\tb: 2\n  c: x\t# t\n",
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(FIXTURES))
@BOTH
def test_against_real_uwsgi(read: Reader, name: str, tmp_path: Path) -> None:
    if not ORACLE.exists() or not BINARIES[read].exists():
        pytest.skip("uwsgi-oracle binary not built")
    path = tmp_path / name
    path.write_bytes(FIXTURES[name].encode())
    oracle = run_oracle(path, "--no-strict",  # its option list, as in the JSON and XML tests
                        *(["--libyaml"] if read is reader.parse_libyaml else []))
    exp = substitute(FIXTURES[name], file_table(str(path), str(path), "", Host()), str(path))
    cfg = read(exp, OPENERS, "uwsgi")
    if oracle["ok"]:
        assert [list(p) for p in pairs(cfg)] == oracle["options"]
        assert "UW001" not in codes(cfg)
    else:
        assert "UW001" in codes(cfg)


@pytest.mark.corpus
@BOTH
def test_corpus_reads_without_surprises(read: Reader) -> None:
    files = sorted(SHARED.glob("corpus/**/*.y*ml"))
    if not files:
        pytest.skip("no corpus")
    for path in files:
        exp = identity(decode(path.read_bytes()), str(path))
        cfg = read(exp, OPENERS, "uwsgi")
        assert cfg.format.value == "yaml"

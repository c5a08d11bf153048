"""The INI reader against uWSGI's core/ini.c behaviour, with exact positions."""

from __future__ import annotations

from pathlib import Path

from .helpers import pairs, read, where, write


def test_no_inline_comments_quotes_kept_whitespace_trimmed(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", (
        "[uwsgi]\n"
        "processes = 4 ; c\n"
        "http-socket = :8080  # t\n"
        'quoted = "a b"\n'
        "  threads   =   2   \n"
        "= v\n"
        "env = A=B=C\n"
        "path = /x \\\n"
        "next = 1\n"
    )))
    assert pairs(cfg) == [
        ("processes", "4 ; c"),
        ("http-socket", ":8080  # t"),
        ("quoted", '"a b"'),
        ("threads", "2"),
        ("", "v"),
        ("env", "A=B=C"),
        ("path", "/x \\"),
        ("next", "1"),
    ]


def test_positions_of_key_value_and_directive(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "[uwsgi]\n  threads   =   2   \nsocket = :80 # x\n"))
    sec = cfg.section("uwsgi")
    assert sec is not None and sec.span is not None
    assert (sec.span.start.line, sec.span.start.column, sec.span.end.column) == (1, 1, 8)
    threads, socket = sec.directives()
    assert where(threads) == (2, 3, 2, 18)
    assert (threads.key_span.start.column, threads.key_span.end.column) == (3, 10)
    assert (threads.value_span.start.column, threads.value_span.end.column) == (17, 18)
    assert (threads.raw_key, threads.raw_value) == ("threads", "2")
    assert (socket.value, socket.value_span.start.column, socket.value_span.end.column) == (
        ":80 # x", 10, 17)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "[uwsgi]\nprocname = é€😀\nmaster = true\n"))
    sec = cfg.section("uwsgi")
    assert sec is not None
    procname, master = sec.directives()
    assert procname.value == "é€😀"
    assert procname.value_span.end.column == 15
    assert where(master) == (3, 1, 3, 14)


def test_sections_merge_keys_before_header_and_bracket_quirk(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", (
        "orphan = 1\n"
        "[uwsgi]\na = 1\n"
        "[other]\nb = 2\n"
        "[uwsgi]\nc = 3\n"
        "[uwsgi\nd = 4\n"
        "[ uwsgi ]\ne = 5\n"
    )))
    assert [s.name for s in cfg.sections] == ["", "uwsgi", "other", "uwsg", " uwsgi "]
    assert pairs(cfg) == [("a", "1"), ("c", "3")]
    assert pairs(cfg, "") == [("orphan", "1")]
    assert pairs(cfg, "uwsg") == [("d", "4")]


def test_crlf_and_key_without_equals(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "[uwsgi]\r\nmaster\r\nprocesses = 2\r\n"))
    assert pairs(cfg) == [("master", ""), ("processes", "2")]
    assert cfg.newline == "\r\n"
    master = cfg.sections[0].directives()[0]
    assert where(master) == (2, 1, 2, 7)


def test_comments_are_kept_with_positions(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "; top\n[uwsgi]\n  # indented\nmaster = 1\n"))
    assert [(c.text, c.span.start.line, c.span.start.column) for c in cfg.comments] == [
        ("; top", 1, 1), ("# indented", 3, 3)]


def test_percent_at_line_end_swallows_the_next_line(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", (
        "[uwsgi]\nratio = 50%\nprocesses = 2\n# cpu at 100%\nthreads = 2\nmaster = 1\n")))
    assert pairs(cfg) == [("ratio", "50processes = 2"), ("master", "1")]
    ratio = cfg.sections[0].directives()[0]
    # the directive spans the two physical lines the user wrote
    assert where(ratio) == (2, 1, 3, 14)
    assert ratio.raw_value == "50%\nprocesses = 2"


def test_magic_variables_in_keys_values_and_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "app.ini", "[%n]\nname = %n\nlog = %Y-%m-%d.log\npct = 100%%\n")
    cfg = read(path, section="app")
    assert pairs(cfg, "app") == [
        ("name", "app"), ("log", f"--{tmp_path}/.log"), ("pct", "100%")]
    log = cfg.sections[0].directives()[1]
    assert log.raw_value == "%Y-%m-%d.log"
    assert (log.value_span.start.column, log.value_span.end.column) == (7, 19)


def test_nul_byte_ends_the_line_like_a_c_string(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", b"[uwsgi]\nmaster = tr\x00ue junk\nprocesses = 2\n"))
    assert pairs(cfg) == [("master", "tr"), ("processes", "2")]


def test_bom_hides_the_first_header(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "\ufeff[uwsgi]\nmaster = 1\n"))
    assert cfg.section("uwsgi") is None


def test_invalid_utf8_is_kept_not_fatal(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", b"[uwsgi]\nprocname = \xff\xfe\nmaster = 1\n"))
    assert [k for k, _ in pairs(cfg)] == ["procname", "master"]
    [problem] = cfg.problems  # reported (UW024) at the byte, and the rest is still read
    assert (problem.code, problem.span.start.line, problem.span.start.column) == ("UW024", 2, 12)


def test_logic_blocks_become_nodes(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", (
        "[uwsgi]\nif-env = PROD\nprocesses = 8\nendif =\nmaster = 1\n")))
    sec = cfg.section("uwsgi")
    assert sec is not None
    block, master = sec.items
    from uwsgi_lint.model import Block

    assert isinstance(block, Block)
    assert (block.kind, block.argument) == ("if-env", "PROD")
    assert [d.key for d in block.body] == ["processes"]
    assert block.closer is not None and block.closer.key == "endif"
    assert block.body[0].block is block
    assert master.block is None  # type: ignore[union-attr]


def test_unclosed_block_and_inner_opener(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", (
        "[uwsgi]\nif-env = A\nif-env = B\nx = 1\nendif =\ny = 2\nfor = a b\nz = %(_)\n")))
    sec = cfg.section("uwsgi")
    assert sec is not None
    first, _, second = sec.items
    from uwsgi_lint.model import Block

    assert isinstance(first, Block) and isinstance(second, Block)
    # uWSGI has no nesting: the inner opener is a body line and the first closer ends it
    assert [d.key for d in first.body] == ["if-env", "x"]
    assert second.closer is None


def test_vanished_variables_belong_to_the_value_they_touch(tmp_path: Path) -> None:
    cfg = read(write(tmp_path, "a.ini", "[uwsgi]\na = 1%Y\nb = %q2\n"))
    a, b = cfg.sections[0].directives()
    assert (a.value, a.raw_value, a.value_span.end.column) == ("1", "1%Y", 8)
    assert (b.value, b.raw_value, b.value_span.start.column) == ("2", "%q2", 5)

"""The XML reader against uWSGI 2.0.31 with libxml2 (``core/xmlconf.c``) and the oracle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from uwsgi_lint.magic import Host, file_table, substitute
from uwsgi_lint.model import Block, ConfigFile, Format, Span
from uwsgi_lint.readers import xml as reader
from uwsgi_lint.source import decode, identity

from .complexity import LINEAR, growth
from .conftest import ORACLE, ORACLE_BIN, run_oracle

OPENERS = frozenset({"if-env", "for", "if-exists", "if-opt"})


def cfg_of(text: str | bytes, section: str = "uwsgi") -> ConfigFile:
    if isinstance(text, bytes):
        text = decode(text)
    return reader.parse(identity(text, "app.xml"), OPENERS, section)


def pairs(cfg: ConfigFile, section: str = "uwsgi") -> list[tuple[str, str]]:
    sec = cfg.section(section)
    return [] if sec is None else [(d.key, d.value) for d in sec.directives()]


def at(span: Span) -> tuple[int, int, int, int]:
    return span.start.line, span.start.column, span.end.line, span.end.column


def messages(cfg: ConfigFile) -> list[str]:
    assert all(p.code == "UW001" for p in cfg.problems)
    return [p.message for p in cfg.problems]


# --- positions -----------------------------------------------------------------------------

POSITIONED = (
    "<uwsgi>\n"
    '  <socket name="x">/tmp/s</socket>\n'
    "  <master/>\n"
    "  <!-- c -->\n"
    "  <e></e>\n"
    "  <ws>  2  </ws>\n"
    "</uwsgi>\n"
)


def test_positions() -> None:
    cfg = cfg_of(POSITIONED)
    assert cfg.format is Format.XML
    sec = cfg.section("uwsgi")
    assert sec is not None and sec.span is not None
    assert at(sec.span) == (1, 1, 1, 8)
    got = [
        (d.key, d.value, d.raw_key, d.raw_value, at(d.span), at(d.key_span), at(d.value_span))
        for d in sec.directives()
    ]
    assert got == [
        ("socket", "/tmp/s", "socket", "/tmp/s", (2, 3, 2, 35), (2, 4, 2, 10), (2, 20, 2, 26)),
        ("master", "1", "master", "", (3, 3, 3, 12), (3, 4, 3, 10), (3, 12, 3, 12)),
        ("e", "1", "e", "", (5, 3, 5, 10), (5, 4, 5, 5), (5, 6, 5, 6)),
        ("ws", "  2  ", "ws", "  2  ", (6, 3, 6, 17), (6, 4, 6, 6), (6, 7, 6, 12)),
    ]
    assert [d.note for d in sec.directives()][1:3] == ["empty element becomes 1"] * 2
    assert [(c.text, at(c.span)) for c in cfg.comments] == [("<!-- c -->", (4, 3, 4, 13))]
    assert [(p.code, at(p.span)) for p in cfg.problems] == [("UW017", (2, 11, 2, 19))]


def test_columns_count_characters() -> None:
    cfg = cfg_of("<uwsgi>\n  <a>é€😀</a><b>x</b>\n</uwsgi>")
    a, b = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (a.value, at(a.value_span)) == ("é€😀", (2, 6, 2, 9))
    assert (b.key, at(b.key_span), at(b.value_span)) == ("b", (2, 14, 2, 15), (2, 16, 2, 17))


def test_multiline_value_and_crlf() -> None:
    cfg = cfg_of("<uwsgi>\r\n  <a>1\r\n2</a>\r\n</uwsgi>\r\n")
    (a,) = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (a.value, a.raw_value) == ("1\n2", "1\r\n2")
    assert at(a.value_span) == (2, 6, 3, 2)
    assert cfg.newline == "\r\n"


def test_entities_are_decoded_in_values() -> None:
    cfg = cfg_of("<uwsgi><ent>a&amp;b&#65;&lt;c&#x263A;</ent></uwsgi>")
    (d,) = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (d.value, d.raw_value) == ("a&bA<c\u263a", "a&amp;b&#65;&lt;c&#x263A;")


# --- oracle table, row 26, and the first-child rule --------------------------------------

ROW26 = (
    '<uwsgi><master/><socket name="x">/s</socket><harakiri value="30"/>'
    "<threads>  2  </threads><mixed>t<b>b</b>tail</mixed></uwsgi>"
)


def test_row26() -> None:
    cfg = cfg_of(ROW26)
    assert pairs(cfg) == [
        ("master", "1"),
        ("socket", "/s"),
        ("harakiri", "1"),
        ("threads", "  2  "),
        ("mixed", "t"),
    ]
    # ignored attributes, and the child nodes of <mixed> after the first one
    assert [(p.code, at(p.span)) for p in cfg.problems] == [
        ("UW017", (1, 25, 1, 33)),
        ("UW017", (1, 55, 1, 65)),
        ("UW019", (1, 99, 1, 111)),
    ]
    assert "only the first child" in cfg.section("uwsgi").directives()[-1].note  # type: ignore[union-attr]


def test_row26_nested_element_crashes_uwsgi() -> None:
    cfg = cfg_of("<uwsgi><a>1</a>\n<nested><deep>1</deep></nested><z>2</z></uwsgi>")
    assert pairs(cfg) == [("a", "1"), ("z", "2")]
    (problem,) = cfg.problems
    assert problem.code == "UW001"
    assert "SIGSEGV" in problem.message and "<nested><deep>" in problem.message
    assert at(problem.span) == (2, 1, 2, 32)


def test_whitespace_before_a_nested_element_is_the_value() -> None:
    assert pairs(cfg_of("<uwsgi><a> <b/></a></uwsgi>")) == [("a", " ")]


def test_first_child_kinds() -> None:
    text = (
        "<uwsgi><c><!-- com -->x</c><cd><![CDATA[ <cdata> ]]>x</cd><ecd><![CDATA[]]></ecd>"
        "<pi><?foo bar baz ?></pi><epi><?t ?></epi><r><!----></r></uwsgi>"
    )
    cfg = cfg_of(text)
    assert pairs(cfg) == [
        ("c", " com "),
        ("cd", " <cdata> "),
        ("ecd", ""),
        ("pi", "bar baz "),
        ("epi", ""),
        ("r", ""),
    ]
    ds = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert ds[0].raw_value == " com " and "comment" in ds[0].note
    assert ds[1].raw_value == " <cdata> "
    assert ds[3].raw_value == "bar baz " and "processing instruction" in ds[3].note
    assert [(p.code, at(p.span)[1]) for p in cfg.problems] == [
        ("UW019", c) for c in (11, 53, 86, 112, 127)
    ]


def test_pi_without_data_crashes_uwsgi() -> None:
    cfg = cfg_of("<uwsgi><q><?t?></q><a>1</a></uwsgi>")
    assert pairs(cfg) == [("a", "1")]
    assert "SIGSEGV" in messages(cfg)[0]


def test_cdata_directly_under_uwsgi_is_eval() -> None:
    cfg = cfg_of("<uwsgi><![CDATA[print 1]]><![CDATA[]]> <![CDATA[x]]><a>1</a></uwsgi>")
    assert pairs(cfg) == [("eval", "print 1"), ("eval", "x"), ("a", "1")]
    first = cfg.section("uwsgi").directives()[0]  # type: ignore[union-attr]
    assert (first.raw_key, at(first.key_span), at(first.value_span)) == (
        "<![CDATA[",
        (1, 8, 1, 17),
        (1, 17, 1, 36),
    )
    assert "eval" in first.note


def test_adjacent_cdata_sections_merge() -> None:
    text = "<uwsgi><![CDATA[a]]><![CDATA[b]]><x><![CDATA[c]]><![CDATA[d]]>e</x></uwsgi>"
    assert pairs(cfg_of(text)) == [("eval", "ab"), ("x", "cd")]


def test_app_becomes_mount() -> None:
    text = (
        '<uwsgi><app mountpoint="/x">file.py</app><app domain="h">f2</app><app>f3</app>'
        '<app/><app mountpoint="/y">\n <script>s.py</script>\n</app><app>a<!--c--></app>'
        '<app mountpoint="/m"><![CDATA[f.py]]></app><app mountpoint="/n"><x/></app>'
        '<app mountpoint="/p"><x/><y>z</y></app></uwsgi>'
    )
    cfg = cfg_of(text)
    assert pairs(cfg) == [
        ("mount", "/x=file.py"),
        ("app", ""),
        ("mount", "h|=f2"),
        ("app", ""),
        ("mount", "f3"),
        ("app", ""),
        ("app", ""),
        ("mount", "/y=s.py"),
        ("app", ""),
        ("mount", "/m=f.py"),
        ("app", ""),
        ("mount", "/p=z"),
        ("app", ""),
    ]
    mount = cfg.section("uwsgi").directives()[0]  # type: ignore[union-attr]
    assert (mount.raw_key, mount.raw_value, at(mount.value_span)) == (
        "app",
        "file.py",
        (1, 29, 1, 36),
    )
    assert "mount" in mount.note
    # `<app>a<!--c--></app>` and `<app><x/></app>`: no target where uWSGI looks (UW026)
    assert [(p.code, at(p.span), p.message.rpartition("; ")[2]) for p in cfg.problems] == [
        ("UW026", (3, 7, 3, 27), "write <mount>/=a</mount>"),
        ("UW026", (3, 70, 3, 101), "write <mount>/n=FILE</mount>"),
    ]


# --- which <uwsgi> block and which children (ids) -----------------------------------------

IDS = (
    '<root><uwsgi id="a"><x>a</x></uwsgi><uwsgi><x>noid</x></uwsgi>'
    '<uwsgi id="b"><x>b</x></uwsgi><uwsgi id="c"><x>c</x></uwsgi></root>'
)


def test_first_direct_child_uwsgi_matching_the_id() -> None:
    assert pairs(cfg_of(IDS)) == [("x", "a")]
    assert pairs(cfg_of(IDS, "a"), "a") == [("x", "a")]
    # an element without id matches any requested id, and comes first here
    assert pairs(cfg_of(IDS, "b"), "b") == [("x", "noid")]
    assert pairs(cfg_of(IDS, "zz"), "zz") == [("x", "noid")]


def test_other_sections_are_listed() -> None:
    cfg = cfg_of(IDS)
    assert [s.name for s in cfg.sections] == ["uwsgi", "a", "b", "c"]
    assert pairs(cfg, "c") == [("x", "noid")]
    sec = cfg.section("b")
    assert sec is not None and sec.span is not None and at(sec.span) == (1, 37, 1, 44)


def test_root_uwsgi_id_is_never_checked_but_children_are_filtered() -> None:
    text = '<uwsgi id="zz"><x id="a">a</x><x>n</x><x id="b">b</x></uwsgi>'
    assert pairs(cfg_of(text, "a"), "a") == [("x", "a"), ("x", "n")]
    assert pairs(cfg_of(text)) == [("x", "a"), ("x", "n"), ("x", "b")]
    # an explicit FILE:uwsgi cannot be told from no id; the default filters nothing
    assert len(cfg_of(text).sections) == 1


def test_empty_id_is_refused() -> None:
    cfg = cfg_of("<uwsgi><a>1</a></uwsgi>", "")
    assert cfg.sections == [] and "invalid xml id" in messages(cfg)[0]


def test_root_rules() -> None:
    # only direct children of the root are searched
    cfg = cfg_of("<foo><x><uwsgi><a>1</a></uwsgi></x></foo>")
    assert cfg.sections == [] and "invalid xml root element" in messages(cfg)[0]
    assert at(cfg.problems[0].span) == (1, 1, 1, 6)
    # a root without any child node is accepted and gives nothing
    cfg = cfg_of("<foo/>")
    assert cfg.problems == [] and pairs(cfg) == []
    # a comment is a child node: no <uwsgi> found
    assert "invalid xml root element" in messages(cfg_of("<root><!-- c --></root>"))[0]
    # whitespace before the block is fine
    assert pairs(cfg_of('<root> <uwsgi id="x"><a>1</a></uwsgi></root>')) == [("a", "1")]


def test_namespaces() -> None:
    text = '<uwsgi xmlns:p="urn:p"><p:a>1</p:a><q:b>2</q:b></uwsgi>'
    assert pairs(cfg_of(text)) == [("a", "1"), ("q:b", "2")]
    assert pairs(cfg_of('<p:uwsgi xmlns:p="urn:p"><a>1</a></p:uwsgi>')) == [("a", "1")]
    assert pairs(cfg_of('<uwsgi xmlns="urn:x"><a>1</a></uwsgi>')) == [("a", "1")]
    assert cfg_of("<q:uwsgi><a>1</a></q:uwsgi>").sections == []
    ids = (
        '<uwsgi xmlns:p="urn:p"><c p:id="no">3</c><d q:id="no">4</d>'
        '<e xml:id="no">5</e><f ID="no">6</f></uwsgi>'
    )
    assert pairs(cfg_of(ids, "zz"), "zz") == [("d", "4"), ("f", "6")]


def test_dtd_default_id_attribute_filters() -> None:
    text = '<!DOCTYPE uwsgi [<!ATTLIST a id CDATA "zz">]><uwsgi><a>1</a><b>2</b></uwsgi>'
    assert pairs(cfg_of(text, "qq"), "qq") == [("b", "2")]


def test_logic_blocks_are_grouped() -> None:
    cfg = cfg_of("<uwsgi><if-env>X</if-env><a>1</a><endif/><b>2</b></uwsgi>")
    sec = cfg.section("uwsgi")
    assert sec is not None
    block = sec.items[0]
    assert isinstance(block, Block)
    assert block.opener.value == "X" and [d.key for d in block.body] == ["a"]
    assert block.closer is not None and block.closer.key == "endif"
    assert [d.key for d in sec.directives()] == ["if-env", "a", "endif", "b"]


# --- magic variables ----------------------------------------------------------------------


def test_magic_inside_values(tmp_path: Path) -> None:
    path = tmp_path / "app.xml"
    text = "<uwsgi>\n  <name>%n</name><dir>%d/x</dir><pct>100%%</pct>\n</uwsgi>\n"
    path.write_text(text)
    exp = substitute(text, file_table(str(path), str(path), "", Host()), str(path))
    cfg = reader.parse(exp, OPENERS)
    name, dir_, pct = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
    assert (name.value, name.raw_value, at(name.value_span)) == ("app", "%n", (2, 9, 2, 11))
    real = str(path.resolve().parent) + "/"
    assert (dir_.value, dir_.raw_value) == (real + "/x", "%d/x")
    assert (pct.value, pct.raw_value, at(pct.value_span)) == ("100%", "100%%", (2, 38, 2, 43))
    assert at(pct.span) == (2, 33, 2, 49)


# --- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("<uwsgi><a>1</b></uwsgi>", (1, 14), "mismatched tag"),
        ("<uwsgi><a>1</a></uwsgi><b/>", (1, 24), "junk after document element"),
        ("<uwsgi><a>&nope;</a></uwsgi>", (1, 11), "undefined entity"),
        ("", (1, 1), "no element found"),
        ("<uwsgi>\n<a>x\0y</a></uwsgi>", (2, 5), "invalid token"),
        ("<uwsgi><a>1</a>", (1, 16), "no element found"),
    ],
)
def test_malformed(text: str, where: tuple[int, int], what: str) -> None:
    cfg = cfg_of(text)
    (message,) = messages(cfg)
    assert "uWSGI exits" in message and what in message
    assert at(cfg.problems[0].span)[:2] == where


def test_parse_error_keeps_the_finished_elements() -> None:
    cfg = cfg_of("<uwsgi><a>1</a><b>2</c></uwsgi>")
    assert pairs(cfg) == [("a", "1")]
    assert len(cfg.problems) == 1


def test_invalid_utf8_is_reported() -> None:
    cfg = cfg_of(b"<uwsgi>\n<a>\xe9</a></uwsgi>")
    (message,) = messages(cfg)
    assert "not proper UTF-8 (byte 0xE9)" in message
    assert at(cfg.problems[0].span) == (2, 4, 2, 5)


def test_declared_encoding_and_bom() -> None:
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?><uwsgi><a>\xe9</a></uwsgi>'
    cfg = cfg_of(latin)
    assert pairs(cfg) == [("a", "é")] and cfg.problems == []
    assert at(cfg.section("uwsgi").directives()[0].value_span) == (1, 54, 1, 55)  # type: ignore[union-attr]
    assert pairs(cfg_of(b"\xef\xbb\xbf<uwsgi><a>1</a></uwsgi>")) == [("a", "1")]


def test_garbage_never_raises() -> None:
    for text in ["<", "<<<>>>", "<uwsgi", "<?xml?>", "<!DOCTYPE", "\udcff", "<a b='>", "]]>"]:
        cfg = cfg_of(text)
        assert cfg.problems, text


# --- hostile input ------------------------------------------------------------------------


def lol(levels: int) -> str:
    decl = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    )
    return f"<!DOCTYPE uwsgi [{decl}]><uwsgi><a>&lol{levels - 1};</a></uwsgi>"


def parsing(make: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    """A :func:`growth` case: parse the document ``make(n)``."""
    def case(n: int) -> Callable[[], object]:
        text = make(n)
        return lambda: cfg_of(text)

    return case


def test_billion_laughs_is_refused_quickly() -> None:
    # expanded, 12 levels are 10**12 characters and 3 levels 1 000: refused, both are cheap
    assert growth(parsing(lol), 3) < LINEAR
    cfg = cfg_of(lol(10))
    (message,) = messages(cfg)
    assert "entity declarations are refused" in message
    assert at(cfg.problems[0].span)[:2] == (1, 18)
    assert pairs(cfg) == []


@pytest.mark.parametrize(
    "text",
    [
        '<!DOCTYPE uwsgi [<!ENTITY x SYSTEM "file:///etc/passwd">]><uwsgi><a>&x;</a></uwsgi>',
        '<!DOCTYPE uwsgi [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><uwsgi/>',
        '<!DOCTYPE uwsgi SYSTEM "http://127.0.0.1:9/x.dtd"><uwsgi><a>&x;</a></uwsgi>',
        '<!DOCTYPE uwsgi [<!ENTITY n SYSTEM "x" NDATA gif>]><uwsgi/>',
    ],
)
def test_external_entities_are_refused(text: str) -> None:
    cfg = cfg_of(text)
    (message,) = messages(cfg)
    assert "refused" in message
    assert pairs(cfg) == []


def test_external_dtd_alone_is_not_fetched() -> None:
    cfg = cfg_of('<!DOCTYPE uwsgi SYSTEM "http://127.0.0.1:9/x.dtd"><uwsgi><a>1</a></uwsgi>')
    assert cfg.problems == [] and pairs(cfg) == [("a", "1")]


def test_depth_limit_is_libxml2s() -> None:
    def doc(depth: int) -> str:
        return f"<root><deep>{'<x>' * depth}{'</x>' * depth}</deep><uwsgi><a>1</a></uwsgi></root>"

    assert pairs(cfg_of(doc(255))) == [("a", "1")]
    cfg = cfg_of(doc(256))
    assert "Excessive depth in document: 256" in messages(cfg)[0]


def test_deep_nesting_is_quick() -> None:
    def doc(depth: int) -> str:
        return "<uwsgi>" + "<a>" * depth + "</a>" * depth + "</uwsgi>"

    assert "Excessive depth" in messages(cfg_of(doc(100_000)))[0]
    assert growth(parsing(doc), 50_000) < LINEAR


def test_ten_megabyte_single_line() -> None:
    for fill in ("x", "é"):
        def doc(size: int, fill: str = fill) -> str:
            return "<uwsgi><a>" + fill * size + '</a><b k="' + "y" * 1000 + '">2</b></uwsgi>'

        assert growth(parsing(doc), 1_000_000) < LINEAR
        cfg = cfg_of(doc(10_000_000))
        a, b = cfg.section("uwsgi").directives()  # type: ignore[union-attr]
        assert len(a.value) == 10_000_000 and b.value == "2"
        assert at(b.key_span) == (1, 10_000_016, 1, 10_000_017)


# --- the real uWSGI -----------------------------------------------------------------------

FIXTURES = {
    "row26.xml": ROW26,
    "ids.xml": IDS,
    "kinds.xml": (
        "<uwsgi>\n  <c><!-- com -->x</c>\n  <cd><![CDATA[ cdata ]]>x</cd>\n  <e></e>\n"
        "  <pi><?foo bar ?></pi>\n  <ent>a&amp;b&#65;</ent>\n  <![CDATA[print 1]]>\n"
        '  <app mountpoint="/x">file.py</app>\n  <n>%n</n>\n</uwsgi>\n'
    ),
    "nested.xml": "<uwsgi><a>1</a><nested><deep>1</deep></nested></uwsgi>",
    "bad.xml": "<uwsgi><a>1</b></uwsgi>",
    "root.xml": "<foo><x><uwsgi><a>1</a></uwsgi></x></foo>",
}


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("name", "section"), [(n, None) for n in sorted(FIXTURES)] + [("ids.xml", "b")]
)
def test_against_real_uwsgi(name: str, section: str | None, tmp_path: Path) -> None:
    if not ORACLE.exists() or not ORACLE_BIN.exists():
        pytest.skip("uwsgi-oracle binary not built")
    path = tmp_path / name
    path.write_text(FIXTURES[name])
    oracle = run_oracle(path, "--no-strict", *(["--section", section] if section else []))
    exp = substitute(
        FIXTURES[name], file_table(str(path), str(path), section or "", Host()), str(path)
    )
    cfg = reader.parse(exp, OPENERS, section or "uwsgi")
    if oracle["ok"]:
        assert [list(p) for p in pairs(cfg, section or "uwsgi")] == oracle["options"]
        assert [p for p in cfg.problems if p.code == "UW001"] == []
    else:
        assert messages(cfg)

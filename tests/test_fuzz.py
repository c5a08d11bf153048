"""Property-based tests (hypothesis) for every reader: any input reads, positions lie in the
file, and every directive's raw text is exactly the source slice of its span.

Bounded for the normal suite (about 200 examples per property); ``HYPOTHESIS_PROFILE=long``
(registered in ``tests/conftest.py``) runs a longer campaign, see ``fuzz/README.md``.
Crashing inputs are kept as ``@example(...)`` regressions or as files under
``tests/fixtures/fuzz/`` (so far none was found; both hold hand-picked hostile seeds).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from uwsgi_lint.catalog import load_catalog
from uwsgi_lint.instance.logic import logic_openers
from uwsgi_lint.magic import Host
from uwsgi_lint.model import ConfigFile, Directive, Format, Span
from uwsgi_lint.readers import read_file
from uwsgi_lint.source import LineIndex, decode

OPENERS = logic_openers(load_catalog("2.0"))
HOST = Host(cwd="/srv/app", hostname="fuzz", cpus="2", uid="0", user="root", gid="0",
            group="root", binary="/usr/bin/uwsgi")
FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
READERS = [
    ("app.ini", Format.INI, "embedded"),
    ("app.xml", Format.XML, "embedded"),
    ("app.json", Format.JSON, "embedded"),
    ("app.yml", Format.YAML, "embedded"),
    ("app.yml", Format.YAML, "libyaml"),
]
# the loaded profile decides when it asks for more (HYPOTHESIS_PROFILE=long, see conftest.py)
RUNS = max(200, settings().max_examples)
FUZZ = settings(max_examples=RUNS, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def read(data: bytes, name: str, fmt: Format, yaml_reader: str = "embedded") -> ConfigFile:
    return read_file(f"/srv/app/{name}", openers=OPENERS, data=data, fmt=fmt, host=HOST,
                     yaml_reader=yaml_reader)


def _offset(index: LineIndex, line: int, column: int) -> int:
    return index.starts[line - 1] + column - 1


def _inside(index: LineIndex, span: Span) -> None:
    text = index.text
    nlines = len(index.starts)
    for pos in (span.start, span.end):
        assert 1 <= pos.line <= nlines, (span, nlines)
        start = index.starts[pos.line - 1]
        stop = index.starts[pos.line] - 1 if pos.line < nlines else len(text)  # at its "\n"
        assert 1 <= pos.column <= stop - start + 1, (span, stop - start)
    assert span.start <= span.end, span


def directives(cfg: ConfigFile) -> list[Directive]:
    return [d for sec in cfg.sections for d in sec.directives()]


def check(data: bytes, name: str, fmt: Format, yaml_reader: str = "embedded") -> ConfigFile:
    """The properties every reader keeps, for any bytes."""
    source = decode(data)
    # the text a reader works on gives back the same bytes (the basis for safe fixes)
    assert source.encode("utf-8", "surrogateescape") == data
    cfg = read(data, name, fmt, yaml_reader)
    assert isinstance(cfg, ConfigFile)
    index = LineIndex(source)
    for d in directives(cfg):
        exp = d.loc.text
        assert exp.path == cfg.path
        assert getattr(exp, "source", source) == source
        for span, raw in ((d.key_span, d.raw_key), (d.value_span, d.raw_value)):
            _inside(index, span)
            s = _offset(index, span.start.line, span.start.column)
            e = _offset(index, span.end.line, span.end.column)
            assert source[s:e] == raw, (d, span)
        _inside(index, d.span)
    for problem in cfg.problems:
        if problem.span.file == cfg.path:
            _inside(index, problem.span)
    for comment in cfg.comments:
        _inside(index, comment.span)
    return cfg


# -- arbitrary input -----------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
SMALL = st.text(alphabet="[]%()$@{}<>!&;#=:-,\"' \t\r\n\\/axyz019\ufeff\x00", max_size=200)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(READERS))
def test_any_bytes(data: bytes, reader: tuple[str, Format, str]) -> None:
    check(data, *reader)


@FUZZ
@given(st.one_of(TEXT, SMALL), st.sampled_from(READERS))
def test_any_text(text: str, reader: tuple[str, Format, str]) -> None:
    check(text.encode("utf-8"), *reader)


# -- near-valid INI ------------------------------------------------------------------------

WORD = st.sampled_from(["socket", "processes", "master", "env", "chdir", "module", "x", "y",
                        "if-env", "endif", "for", "endfor", "if-exists", "ini", "set-ph",
                        "declare-option", "plugins", "", "threads"])
ATOM = st.sampled_from(["4", "true", "/srv", "%n", "%d", "%%", "%(x)", "%(y)", "$(HOME)",
                        "@(%dx)", "%q", "%", "%(x + 1)", "A=B", " ", "é", "\t", "%[", ";c",
                        "#c", "\\", "%é", "%\udcff"])
VALUE = st.lists(ATOM, max_size=4).map("".join)
INI_LINE = st.one_of(
    st.builds(lambda k, v, sp: f"{k}{sp}={sp}{v}", WORD, VALUE, st.sampled_from(["", " ", "\t"])),
    st.sampled_from(["[uwsgi]", "[other]", "[ uwsgi ]", "[uwsgi", "", "; c", "# c", "  ",
                     "[%n]", "endif", "endfor", "x"]),
    VALUE,
)
INI = st.tuples(st.lists(INI_LINE, max_size=12), st.sampled_from(["\n", "\r\n"]),
                st.booleans()).map(lambda t: t[1].join(t[0]) + (t[1] if t[2] else ""))


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@FUZZ
@given(INI)
@example("[uwsgi]\nx = %")
@example("[uwsgi]\nx = %é\n")
@example("%\udcff = 1")
def test_near_valid_ini(text: str) -> None:
    check(_b(text), "app.ini", Format.INI)


# -- near-valid YAML -----------------------------------------------------------------------

YKEY = st.sampled_from(["socket", "processes", "env", "if-env", "endif", "- x", "uwsgi",
                        "for", "endfor", "a b", "&a x", "*a", "? k", "\"q\"", "'q'", ""])
YVAL = st.one_of(VALUE, st.sampled_from(["|", ">", "[1, 2]", "{a: 1}", "&x 1", "*x", "'a'",
                                        "\"b\\n\"", "- 1", "!!str 1", "~"]))
YLINE = st.one_of(
    st.builds(lambda ind, k, v: f"{' ' * ind}{k}: {v}", st.integers(0, 6), YKEY, YVAL),
    st.builds(lambda ind, v: f"{' ' * ind}- {v}", st.integers(0, 6), YVAL),
    st.sampled_from(["uwsgi:", "other:", "---", "...", "# c", "", "\tx: 1", "%YAML 1.1"]),
)
YAML = st.tuples(st.sampled_from(["uwsgi:\n", "", "---\nuwsgi:\n", "\ufeffuwsgi:\n"]),
                 st.lists(st.one_of(YLINE, YLINE.map(lambda line: "  " + line.lstrip())),
                          max_size=12).map("\n".join)).map("".join)
YAML_VALID = st.lists(st.builds(lambda k, v: f"  {k}: {v}", WORD.filter(bool), VALUE),
                      max_size=8).map(lambda lines: "uwsgi:\n" + "\n".join(lines) + "\n")


@FUZZ
@given(st.one_of(YAML, YAML_VALID), st.sampled_from(["embedded", "libyaml"]))
def test_near_valid_yaml(text: str, yaml_reader: str) -> None:
    check(_b(text), "app.yml", Format.YAML, yaml_reader)


# -- near-valid XML ------------------------------------------------------------------------

XNAME = st.sampled_from(["uwsgi", "socket", "processes", "env", "if-env", "endif", "app", "x"])
XATTR = st.builds(lambda n, v, q: f' {n}={q}{v}{q}', st.sampled_from(["id", "a", "b"]), VALUE,
                  st.sampled_from(['"', "'"]))


def _xml_node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def element_text(n: str, a: list[str], body: str, close: bool) -> str:
        return f"<{n}{''.join(a)}>{body}</{n if close else 'x'}>"

    bodies = st.lists(children, max_size=4).map("".join)
    element = st.builds(element_text, XNAME, st.lists(XATTR, max_size=2), bodies, st.booleans())
    return st.one_of(element, st.builds(lambda n, a: f"<{n}{''.join(a)}/>", XNAME,
                                        st.lists(XATTR, max_size=2)))


XLEAF = st.one_of(VALUE, st.sampled_from(["<!-- c -->", "<![CDATA[a<b]]>", "&amp;", "&lt;",
                                         "&#65;", "&x;", "<!--", "<", ">", "\n", "]]>"]))
XML = st.tuples(st.sampled_from(["", '<?xml version="1.0"?>\n', "<!DOCTYPE x>", "\ufeff"]),
                st.sampled_from(["<uwsgi>", "<uwsgi id='a'>", "<x>", ""]),
                st.lists(st.recursive(XLEAF, _xml_node, max_leaves=12), max_size=6).map("".join),
                st.sampled_from(["</uwsgi>", "</uwsgi>", "", "</x>"])).map("".join)
XML_VALID = st.lists(st.builds(lambda k, v: f"  <{k}>{v}</{k}>\n", XNAME, VALUE.map(
    lambda v: v.replace("&", "&amp;").replace("<", "&lt;"))), max_size=8).map(
    lambda items: "<uwsgi>\n" + "".join(items) + "</uwsgi>\n")


@FUZZ
@given(st.one_of(XML, XML_VALID))
def test_near_valid_xml(text: str) -> None:
    check(_b(text), "app.xml", Format.XML)


# -- near-valid JSON -----------------------------------------------------------------------

JSCALAR = st.one_of(st.sampled_from(["true", "false", "null", "1", "-1e3", "1.5", "0x1",
                                     '"%n"', '"a\\u00e9"', '"\\ud800"', '"$(HOME)"', '"%(x)"',
                                     '""', "", ",", '"']),
                    VALUE.map(lambda v: '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'))


def _json_node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    obj = st.lists(st.tuples(JSON_KEY, children), max_size=4).map(
        lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")
    arr = st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    return st.one_of(obj, arr)


JSON_KEY = st.sampled_from(['"uwsgi"', '"socket"', '"processes"', '"env"', '"if-env"',
                            '"endif"', '"a"', "a", '""'])
JSON = st.recursive(JSCALAR, _json_node, max_leaves=12).map(lambda s: '{"uwsgi": ' + s + "}")


@FUZZ
@given(st.one_of(JSON, st.recursive(JSCALAR, _json_node, max_leaves=8)))
def test_near_valid_json(text: str) -> None:
    check(_b(text), "app.json", Format.JSON)


# -- regression fixtures and the whole pipeline --------------------------------------------


def test_regression_fixtures() -> None:
    for path in sorted(FIXTURES.glob("*")):
        if path.is_file():
            suffix = path.suffix
            for name, fmt, yaml_reader in READERS:
                if name.endswith(suffix):
                    check(path.read_bytes(), name, fmt, yaml_reader)


LINT_INI = st.lists(st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(
        ["socket", "processes", "master", "threads", "env", "chdir", "module", "set-ph",
         "harakiri", "max-requests", "x"]), VALUE),
    st.sampled_from(["if-env = HOME", "endif", "for = a b", "endfor", "[other]", "; c"]),
), max_size=10).map(lambda lines: "[uwsgi]\n" + "\n".join(lines) + "\n")


@settings(max_examples=RUNS // 3, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(LINT_INI)
def test_lint_pipeline_never_raises(tmp_path: Path, text: str) -> None:
    from uwsgi_lint.engine import lint

    path = tmp_path / "app.ini"
    path.write_bytes(_b(text))
    report = lint([str(path)], isolated=True)
    assert report.errors == [], report.errors

"""Hover, completion, go to definition and document symbols of the language server
(``uwsgi_lint.server.features``), on real files linted as the server lints an open
document: what the user sees in the editor."""

from __future__ import annotations

import importlib.util
import random
import subprocess
from pathlib import Path

import pytest

from uwsgi_lint.model import Position, Span
from uwsgi_lint.server.analysis import Analysis, HoverAnswer
from uwsgi_lint.server.features import complete, definition, hover, symbols
from uwsgi_lint.server.state import analyse

from .conftest import ORACLE, ORACLE_BIN, ROOT, needs_shared, run_oracle
from .helpers import write

EMPEROR = "[uwsgi]\nemperor = %dvassals\nmaster = true\n"
APP = """\
[uwsgi]
; the socket and the workers come from the shared file

processes = 4
include = ../shared/common.ini
base = /srv/app
chdir = %(base)/src
db_password = hunter2-in-the-clear
env = DB_PASS=%(db_password)
pidfile = %d%n.pid
[tools]
buffer-size = 8192
"""
COMMON = "[uwsgi]\nprocesses = 2\nsocket = /run/app.sock\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A git work tree: an Emperor, its vassal ``app.ini`` and the file the vassal includes."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root, "emperor.ini", EMPEROR)
    write(root, "vassals/app.ini", APP)
    write(root, "shared/common.ini", COMMON)
    return root


def analysed(path: Path, text: str | None = None) -> Analysis:
    """The document ``path`` (with ``text``, unsaved, in place of the file) as linted."""
    if text is not None:
        write(path.parent, path.name, text)
    return analyse(str(path), path.read_text(encoding="utf-8"))


def at(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """The 1-based line and column of ``needle`` in ``text`` (plus ``offset`` characters)."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def labels(analysis: Analysis, line: int, column: int) -> list[str]:
    return [item.label for item in complete(analysis, line, column)]


# -- hover --------------------------------------------------------------------------------


def test_hover_on_an_option_shows_its_help_and_the_value_in_effect(tree: Path) -> None:
    answer = hover(analysed(tree / "vassals/app.ini"), *at(APP, "processes", 2))
    assert answer is not None
    shown = answer.markdown
    assert "spawn the specified number of workers/processes" in shown  # uWSGI's --help
    assert "- aliases: `workers`" in shown
    assert "- repeatable: no, the last line wins" in shown
    assert "- default: 1\n" in shown  # core/init.c: uwsgi_init_default()
    assert "**Here:** `4`" in shown
    # the include below sets it again: that one is in effect, from the other file
    assert f"**In effect:** `2`, from {tree / 'shared/common.ini'}:2" in shown
    assert (answer.span.start, answer.span.end) == (Position(4, 1), Position(4, 10))


def test_hover_gives_the_default_of_a_flag_and_none_it_does_not_know(tree: Path) -> None:
    """A flag is off unless set; a default that no source gives is not made up."""
    emperor = analysed(tree / "emperor.ini")
    assert "- default: off\n" in _markdown(hover(emperor, *at(EMPEROR, "master", 2)))
    assert "- default:" not in _markdown(hover(analysed(tree / "vassals/app.ini"),
                                               *at(APP, "chdir", 2)))


def _markdown(answer: HoverAnswer | None) -> str:
    assert answer is not None
    return answer.markdown


def test_hover_on_a_plugin_option_says_the_default_build_lacks_it(tmp_path: Path) -> None:
    text = "[uwsgi]\nphp-docroot = /srv\n"
    answer = hover(analysed(tmp_path / "php.ini", text), 2, 2)
    assert answer is not None
    assert ("plugin: `php`, not in the default build: until `plugins = php` loads it, uWSGI "
            "takes `php-docroot` for an unknown key") in answer.markdown


def test_hover_on_an_unknown_key_suggests_the_option_and_calls_it_a_placeholder(
    tmp_path: Path,
) -> None:
    text = "[uwsgi]\nproccesses = 4\n"
    answer = hover(analysed(tmp_path / "typo.ini", text), 2, 3)
    assert answer is not None
    assert "Not a uWSGI 2.0 option." in answer.markdown
    assert "Did you mean `processes`" in answer.markdown
    assert "`%(proccesses)` reads it" in answer.markdown


def test_hover_on_a_placeholder_shows_its_value_and_where_it_is_set(tree: Path) -> None:
    answer = hover(analysed(tree / "vassals/app.ini"), *at(APP, "%(base)", 3))
    assert answer is not None
    assert answer.markdown == ("**`%(base)`**: `/srv/app`, the value of the first `base` in "
                               "the option list (app.ini:6).")
    assert (answer.span.start, answer.span.end) == (Position(7, 9), Position(7, 16))


def test_hover_never_shows_a_secret(tree: Path) -> None:
    analysis = analysed(tree / "vassals/app.ini")
    for needle in ("%(db_password)", "db_password =", "env ="):
        answer = hover(analysis, *at(APP, needle, 1))
        assert answer is not None
        assert "hunter2" not in answer.markdown
        assert "********" in answer.markdown


def test_hover_on_a_magic_variable_shows_what_it_becomes_here(tree: Path) -> None:
    answer = hover(analysed(tree / "vassals/app.ini"), *at(APP, "%n", 1))
    assert answer is not None
    assert answer.markdown == ("**`%n`**: the file name of this config file without its "
                               "extension: `app` here.")


def test_hover_on_a_file_reference_shows_its_content_unless_a_secret(tmp_path: Path) -> None:
    write(tmp_path, "name.txt", "blue\n")
    write(tmp_path, "db.txt", "hunter2-from-a-file\n")
    text = "[uwsgi]\nprocname = @(name.txt)\nenv = DB_PASSWORD=@(db.txt)\nlogto = @(gone.txt)\n"
    analysis = analysed(tmp_path / "files.ini", text)
    name, secret, gone = (hover(analysis, *at(text, n)) for n in ("name.txt", "db.txt", "gone"))
    assert name is not None and name.markdown.endswith("newline removed: `blue` here.")
    assert secret is not None and secret.markdown.endswith("removed: `********` here.")
    assert gone is not None and gone.markdown.endswith("; not read here: file not found.")


def test_hover_on_an_environment_variable_says_it_is_unresolved(tmp_path: Path) -> None:
    text = "[uwsgi]\nlogto = $(LOGDIR)/app.log\n"
    answer = hover(analysed(tmp_path / "env.ini", text), *at(text, "LOGDIR"))
    assert answer is not None
    assert "taken from the environment uWSGI starts with" in answer.markdown
    assert "unresolved here" in answer.markdown


def test_hover_on_a_placeholder_in_an_immediate_option_says_it_stays_literal(
    tmp_path: Path,
) -> None:
    text = "[uwsgi]\nname = base\ninclude = %(name).ini\n"
    write(tmp_path, "%(name).ini", "[uwsgi]\n")
    answer = hover(analysed(tmp_path / "imm.ini", text), *at(text, "%(name)", 2))
    assert answer is not None
    assert "never expanded: uWSGI applies `include` while it reads the file" in answer.markdown


def test_hover_on_a_line_of_a_section_not_read_says_so(tree: Path) -> None:
    answer = hover(analysed(tree / "vassals/app.ini"), *at(APP, "buffer-size", 1))
    assert answer is not None
    assert "uWSGI does not add this line to the options of app.ini" in answer.markdown


def test_hover_on_a_comment_or_a_blank_line_shows_nothing(tree: Path) -> None:
    analysis = analysed(tree / "vassals/app.ini")
    assert hover(analysis, 2, 5) is None  # the comment
    assert hover(analysis, 3, 1) is None  # the blank line
    assert hover(analysis, 99, 1) is None  # past the end


# -- completion ---------------------------------------------------------------------------


def test_completion_of_an_option_name(tmp_path: Path) -> None:
    analysis = analysed(tmp_path / "app.ini", "[uwsgi]\nproc\n")
    items = complete(analysis, 2, 5)
    by_label = {item.label: item for item in items}
    assert "processes" in by_label
    assert by_label["processes"].detail == "core, int"
    assert by_label["processes"].replace == Span(str(tmp_path / "app.ini"), Position(2, 1),
                                                 Position(2, 5))
    assert all("proc" in label for label in by_label)


def test_completion_marks_an_alias(tmp_path: Path) -> None:
    items = complete(analysed(tmp_path / "app.ini", "[uwsgi]\nworkers\n"), 2, 8)
    assert [i.detail for i in items if i.label == "workers"] == ["alias of processes; core, int"]


def test_completion_offers_a_plugin_option_only_once_the_plugin_is_loaded(
    tmp_path: Path,
) -> None:
    assert "php-docroot" not in labels(analysed(tmp_path / "a.ini", "[uwsgi]\nphp-doc\n"), 2, 8)
    loaded = analysed(tmp_path / "b.ini", "[uwsgi]\nplugins = php\nphp-doc\n")
    assert "php-docroot" in labels(loaded, 3, 8)


def test_completion_after_a_placeholder_opens_offers_the_names_set(tmp_path: Path) -> None:
    text = "[uwsgi]\nbase = /srv/app\nset-ph = port=8000\nchdir = %(\n"
    items = complete(analysed(tmp_path / "app.ini", text), 4, 11)
    assert [(i.label, i.detail, i.insert_text) for i in items] == [
        ("base", "app.ini:2", "base)"),
        ("set-ph", "app.ini:3", "set-ph)"),
        ("port", "app.ini:3", "port)"),
    ]
    assert items[0].documentation == "value: `/srv/app`"


def test_completion_of_flag_values_and_of_the_lists_the_binary_prints(tmp_path: Path) -> None:
    text = "[uwsgi]\nmaster = \ncheaper-algo = \nlogger = main f\nroute = ^/old$ red\n"
    analysis = analysed(tmp_path / "app.ini", text)
    assert labels(analysis, 2, 10) == ["true", "on", "yes", "1", "false", "off", "no", "0"]
    assert labels(analysis, 3, 16) == ["busyness", "spare", "backlog", "manual"]
    assert labels(analysis, 4, 16) == ["file", "fd"]
    route = complete(analysis, 5, 19)
    assert [(i.label, i.insert_text) for i in route][:2] == [
        ("redirect", "redirect:"), ("redirect-302", "redirect-302:")]


def test_completion_inside_a_comment_offers_nothing(tmp_path: Path) -> None:
    analysis = analysed(tmp_path / "app.ini", "[uwsgi]\n; proc\n# proc\n")
    assert complete(analysis, 2, 7) == []
    assert complete(analysis, 3, 7) == []


# -- the other formats --------------------------------------------------------------------

FORMATS = {
    "app.xml": ("<uwsgi>\n  <!-- <proc -->\n  <processes>4</processes>\n  <proc\n</uwsgi>\n",
                (4, 8)),
    "app.yaml": ("uwsgi:\n  # proc\n  processes: 4\n  proc\n", (4, 7)),
    "app.json": ('{"uwsgi": {\n  "processes": 4,\n  "proc": 1\n}}\n', (3, 8)),
}


@pytest.mark.parametrize("name", FORMATS)
def test_hover_and_completion_in_every_format(tmp_path: Path, name: str) -> None:
    text, typing = FORMATS[name]
    analysis = analysed(tmp_path / name, text)
    answer = hover(analysis, *at(text, "processes", 1))
    assert answer is not None
    assert "spawn the specified number of workers/processes" in answer.markdown
    assert "processes" in labels(analysis, *typing)
    if "#" in text or "<!--" in text:  # the commented-out `proc`
        assert complete(analysis, *at(text, "proc", 4)) == []


def test_completion_of_a_json_value_string(tmp_path: Path) -> None:
    text = '{"uwsgi": {\n  "cheaper-algo": "sp",\n  "master": t\n}}\n'
    analysis = analysed(tmp_path / "app.json", text)
    assert labels(analysis, 2, 22) == ["spare"]
    assert labels(analysis, 3, 14) == ["true"]


def test_a_uwsgiconf_module_answers_only_symbols(tmp_path: Path) -> None:
    source = ROOT / "tests/fixtures/uwsgiconf/cheaper_busyness.py"
    analysis = analysed(tmp_path / "conf.py", source.read_text(encoding="utf-8"))
    assert hover(analysis, 7, 20) is None
    assert complete(analysis, 7, 20) == []
    assert definition(analysis, 7, 20) == []
    (section,) = symbols(analysis)
    assert [c.name for c in section.children][:2] == ["workers", "cheaper-algo"]


# -- go to definition ---------------------------------------------------------------------


def test_definition_of_a_placeholder_is_the_line_that_sets_it(tree: Path) -> None:
    (span,) = definition(analysed(tree / "vassals/app.ini"), *at(APP, "%(base)", 4))
    assert (span.file, span.start.line) == (str(tree / "vassals/app.ini"), 6)


def test_definition_of_an_include_is_the_file(tree: Path) -> None:
    (span,) = definition(analysed(tree / "vassals/app.ini"), *at(APP, "../shared", 3))
    assert span == Span(str(tree / "shared/common.ini"), Position(1, 1), Position(1, 1))


def test_definition_of_a_vassal_header_is_its_emperor_monitor(tree: Path) -> None:
    (span,) = definition(analysed(tree / "vassals/app.ini"), 1, 3)
    assert (span.file, span.start.line) == (str(tree / "emperor.ini"), 2)


def test_definition_elsewhere_goes_nowhere(tree: Path) -> None:
    analysis = analysed(tree / "vassals/app.ini")
    assert definition(analysis, *at(APP, "/srv/app")) == []
    assert definition(analysis, 2, 3) == []


# -- document symbols ---------------------------------------------------------------------


def test_symbols_are_the_sections_with_their_options(tree: Path) -> None:
    sections = symbols(analysed(tree / "vassals/app.ini"))
    assert [(s.name, s.selection.start.line) for s in sections] == [("uwsgi", 1), ("tools", 11)]
    uwsgi, tools = sections
    assert [(c.name, c.detail) for c in uwsgi.children] == [
        ("processes", "4"),
        ("include", "../shared/common.ini"),
        ("base", "/srv/app"),
        ("chdir", "%(base)/src"),
        ("db_password", "********"),
        ("env", "DB_PASS=********"),
        ("pidfile", f"{tree / 'vassals'}/app.pid"[:57] + "..."),  # long values are cut
    ]
    assert uwsgi.span.end == Position(10, 19)
    assert [c.name for c in tools.children] == ["buffer-size"]


# -- against the real uWSGI 2.0.31 -----------------------------------------------------------


@pytest.fixture(scope="module")
def oracle_binary() -> Path:
    if not ORACLE_BIN.exists():  # a fresh machine: build it, as tests/test_oracle.py does
        built = subprocess.run(["sh", str(ORACLE.parent / "setup.sh")], capture_output=True,
                               text=True, timeout=1800)
        if built.returncode != 0 or not ORACLE_BIN.exists():
            pytest.fail(f"building the uWSGI oracle failed:\n{built.stdout}{built.stderr}")
    return ORACLE_BIN


@needs_shared
@pytest.mark.oracle
def test_the_packaged_help_is_what_the_binary_prints(oracle_binary: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_option_help", ROOT / "scripts" / "gen_option_help.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    packaged = ROOT / "uwsgi_lint" / "catalog" / "help-2.0.31.json"
    assert generator.render(generator.extract(str(oracle_binary))) == packaged.read_text(
        encoding="utf-8")


@needs_shared
@pytest.mark.oracle
def test_a_placeholder_is_the_first_line_that_sets_it_as_uwsgi_reads_it(
    tmp_path: Path, oracle_binary: Path,
) -> None:
    text = "[uwsgi]\nbase = /srv/one\nchdir = %(base)\nbase = /srv/two\n"
    path = write(tmp_path, "app.ini", text)
    assert ["chdir", "/srv/one"] in run_oracle(path, "--no-strict")["options"]
    analysis = analysed(path)
    (span,) = definition(analysis, 3, 11)
    assert span.start.line == 2
    answer = hover(analysis, 3, 11)
    assert answer is not None
    assert "`/srv/one`, the value of the first `base`" in answer.markdown
    assert "not the app.ini:4 one that is in effect" in answer.markdown


# -- never an exception -------------------------------------------------------------------

MANGLERS = ["%(", ")", "$(", "@(", "%", "<", ">", '"', ":", "=", "\n", "\r", "\U0001F600",
            "\t", "[", "]", "{", "}", "#", ";", "<!--", "]]>", "%(x)", "\x00"]


@pytest.mark.parametrize("name", ["emperor.ini", "vassals/api.json", "vassals/blog.ini",
                                  "vassals/legacy.xml", "vassals/shop.yaml"])
def test_every_position_of_a_mangled_config_gets_an_answer(name: str, tmp_path: Path) -> None:
    """Hover, definition and completion at every line and column (and past them) of the
    bundled examples with random breakage typed in, as an editor sends them mid-edit:
    each returns an answer, none raises."""
    rng = random.Random(name)
    original = (ROOT / "examples" / name).read_text(encoding="utf-8")
    for _ in range(6):
        text = original
        for _ in range(rng.randint(1, 6)):
            at_ = rng.randint(0, len(text))
            text = text[:at_] + rng.choice(MANGLERS) + text[at_ + rng.randint(0, 2):]
        path = tmp_path / name
        analysis = analysed(path, text)
        assert isinstance(symbols(analysis), list)
        lines = text.split("\n")
        for line in range(0, len(lines) + 2):
            width = len(lines[line - 1]) if 1 <= line <= len(lines) else 0
            for column in range(0, width + 3):
                hover(analysis, line, column)
                assert isinstance(definition(analysis, line, column), list)
                assert isinstance(complete(analysis, line, column), list)

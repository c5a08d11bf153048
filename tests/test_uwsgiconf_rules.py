"""The uwsgiconf rules UW600-UW609 on ``uwsgicfg.py`` files, and what each says about
uwsgiconf checked against uwsgiconf 2.4.0 itself.

Every claim a page makes about the library (a keyword swallowed, a crash, an empty output,
``workers = %k``) is compiled with the real uwsgiconf in one subprocess, as ``uwsgiconf
compile`` does it (the module is run, each item of ``uwsgi_configuration`` formatted): the
bad examples of the pages, their good examples, and the further cases the pages list.
The findings themselves are checked through the real CLI, never by running the file."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from uwsgi_lint import cli
from uwsgi_lint.uwsgiconf import api
from uwsgi_lint.uwsgiconf.checks import find_pin

from .conftest import ROOT
from .helpers import compile_with_uwsgiconf, write

CODES = ("UW600", "UW601", "UW602", "UW603", "UW604", "UW605", "UW607", "UW608", "UW609")
# the findings about the file's uwsgiconf use, without the reader's notes (UW609)
UWSGICONF_RULES = CODES[:-1]
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```[ \t]*$", re.S | re.M)



def examples(code: str, heading: str) -> list[str]:
    """The Python blocks under a heading of a rule's page (a tree's ``uwsgicfg.py``)."""
    text = (ROOT / "rules" / f"{code}.md").read_text(encoding="utf-8")
    start = text.index(f"{heading}\n")
    stop = text.find("\n## ", start + len(heading))
    return [m.group(3) for m in FENCE.finditer(text, start, len(text) if stop < 0 else stop)
            if m.group(1) == "python"]


HEADER = "from uwsgiconf.config import Section, configure_uwsgi\n"


def snippet(body: str, imports: str = HEADER) -> str:
    """A module that hands one Section built by ``body`` (indented, ``s`` the section) to
    ``configure_uwsgi``."""
    lines = "".join(f"    {line}\n" for line in body.strip().splitlines())
    return (f"{imports}\n\ndef get():\n    s = Section()\n{lines}    return s\n\n\n"
            "configure_uwsgi(get)\n")


@dataclass(frozen=True)
class Claim:
    """What uwsgiconf 2.4.0 does with a module: fails (``error``: how the exception starts),
    or prints INI text that ``has`` these lines and ``lacks`` any line holding these."""

    error: str = ""
    has: list[str] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)


# (page, heading, index) -> what uwsgiconf does with that example
PAGE_CLAIMS: dict[tuple[str, str, int], Claim] = {
    ("UW600", "## Example", 0): Claim(error="SyntaxError"),
    ("UW601", "## Example", 0): Claim(has=["workers = %k"], lacks=["workers = 4"]),
    ("UW601", "## Example", 1): Claim(
        error="TypeError: Workers.set_basic_params() got an unexpected keyword argument"),
    ("UW601", "## Use instead", 0): Claim(has=["workers = 4"], lacks=["workers = %k"]),
    ("UW602", "## Example", 0): Claim(has=["emperor-throttle = 2000"], lacks=["emperor = "]),
    ("UW602", "## Example", 1): Claim(has=["workers = %k"], lacks=["workers = 4"]),
    ("UW602", "## Use instead", 0): Claim(has=["emperor = /etc/uwsgi/vassals"]),
    ("UW603", "## Example", 0): Claim(lacks=["[uwsgi]"]),
    ("UW603", "## Use instead", 0): Claim(has=["http-socket = 127.0.0.1:8000"]),
    ("UW604", "## Example", 0): Claim(error="AttributeError: 'Section' object has no attribute"),
    ("UW604", "## Example", 1): Claim(error="AttributeError: 'function' object has no attribute"),
    ("UW605", "## Example", 0): Claim(error="AttributeError: 'str' object has no attribute"),
    # Python 3.10's urlsplit reads `127.0.0.1` as a scheme (uwsgiconf: KeyError); 3.11 and
    # later read no scheme (uwsgiconf writes an empty `socket`, then fails on it)
    ("UW605", "## Example", 1): Claim(
        error="KeyError: '127.0.0.1'" if sys.version_info < (3, 11) else "AssertionError"),
    ("UW607", "## Example", 0): Claim(has=["workers = %k", "threads = 4"]),
    ("UW607", "## Use instead", 0): Claim(has=["workers = 2"], lacks=["workers = %k"]),
    ("UW608", "## Example", 0): Claim(has=["post-buffering = 65536"]),
}

# values of the right type for each UW605 case (compiled below, linted clean)
TAKEN = ("s.networking.set_basic_params(default_socket_type=s.networking.sockets.uwsgi)\n"
         "s.networking.register_socket([s.networking.sockets.http(':8000')])\n"
         "s.cheapening.set_basic_params(cheaper_algo=s.cheapening.algorithms.spare())\n"
         "s.main_process.set_owner_params(uid='www', drop_after='apps')\n"
         "s.routing.set_error_page('404', '/srv/404.html')\n"
         "s.master_process.attach_process_classic('/run/m.pid memcached', background=True)\n"
         "s.python.import_module('tasks', shared=True)\n"
         "s.networking.register_socket(s.networking.sockets.from_dsn('uwsgi://:3031'))\n"
         "s.workers.set_basic_params(count=2)")

# the further cases the pages name, as modules
CASES: dict[str, tuple[str, Claim]] = {
    # UW601
    "section_swallows": ("configure_uwsgi(lambda: Section(workerz=4, strict_config=True))\n",
                         Claim(has=["strict = true"], lacks=["workerz", "workers"])),
    "positional_shortcut": (snippet("s.workers(4)"), Claim(error="TypeError")),
    "socket_keyword": (snippet("s.networking.register_socket("
                               "s.networking.sockets.http(':80', http_11=True))"),
                       Claim(error="TypeError")),
    "params_key": ("configure_uwsgi(lambda: Section(params_workers=dict(cont=3)))\n",
                   Claim(error="TypeError")),
    "broodlord_idle": (
        "from uwsgiconf.presets.empire import Broodlord\n"
        "from uwsgiconf.config import Configuration\n"
        "emperor, zerg = Broodlord('/run/z.sock', zerg_die_on_idle=120).configure()\n"
        "uwsgi_configuration = [Configuration([emperor, zerg])]\n",
        Claim(has=["idle = 30", "die-on-idle = true"], lacks=["idle = 120"])),
    # UW602
    "shortcut_ignored": (snippet("s.empire(vassals_home='/etc/uwsgi/vassals')\n"
                                 "s.master_process.set_basic_params(enable=True)"),
                         Claim(has=["master = true"], lacks=["emperor"])),
    "params_monitoring": ("configure_uwsgi(lambda: Section(strict_config=True, "
                          "params_monitoring=dict(address=':9191')))\n",
                          Claim(has=["strict = true"], lacks=["stats"])),
    # UW605
    "socket_type_text": (snippet("s.networking.set_basic_params(default_socket_type='http')"),
                         Claim(error="TypeError: issubclass()")),
    "socket_type_class": (snippet("s.networking.set_basic_params("
                                  "default_socket_type=s.networking.sockets.http)"),
                          Claim(has=["socket-protocol = http"])),
    "cheaper_algo_text": (snippet("s.cheapening.set_basic_params(cheaper_algo='spare')"),
                          Claim(error="AttributeError: 'str' object has no attribute 'name'")),
    "farms_text": (snippet("s.workers.set_mules_params(farms=['first'])"),
                   Claim(error="AttributeError: 'str' object")),
    "error_page_401": (snippet("s.routing.set_error_page(401, '/srv/401.html')"),
                       Claim(error="ConfigurationError: Code `401`")),
    "error_pages_401": (snippet("s.routing.set_error_pages({401: '/srv/401.html'})"),
                        Claim(error="ConfigurationError: Code `401`")),
    "error_page_text": (snippet("s.routing.set_error_page('404', '/srv/404.html')"),
                        Claim(has=["error-page-404 = /srv/404.html"])),
    "attach_background": (snippet("s.master_process.attach_process_classic("
                                  "'memcached -d', background=True)"),
                          Claim(error="ConfigurationError: Background flag")),
    "attach_pidfile": (snippet("s.master_process.attach_process_classic("
                               "'/run/memcached.pid memcached -d', background=True)"),
                       Claim(has=["smart-attach-daemon = /run/memcached.pid memcached -d"])),
    "import_shared_spooler": (snippet("s.python.import_module('tasks', shared=True, "
                                      "into_spooler=True)"),
                              Claim(error="ConfigurationError: Unable to set both")),
    "dsn_without_scheme": ("configure_uwsgi(lambda: Section.bootstrap('127.0.0.1:8000'))\n",
                           Claim(error="KeyError: '127.0.0.1'") if sys.version_info < (3, 11)
                           else Claim(has=["socket = "], lacks=["127.0.0.1"])),
    "dsn_host_as_scheme": ("configure_uwsgi(lambda: Section.bootstrap('localhost:8000'))\n",
                           Claim(error="KeyError: 'localhost'")),
    "dsn_unknown_scheme": ("configure_uwsgi(lambda: Section.bootstrap('htp://127.0.0.1:80'))\n",
                           Claim(error="KeyError: 'htp'")),
    "values_taken": (snippet(TAKEN), Claim(has=[
        "socket-protocol = uwsgi", "cheaper-algo = spare", "drop-after-apps = true",
        "error-page-404 = /srv/404.html", "shared-python-import = tasks",
        "uwsgi-socket = :3031"])),
    # UW607: a count set after the touch replaces %k (at the touch's place)
    "count_after_touch": (snippet("s.python.set_wsgi_params(module='app')\n"
                                  "s.workers.set_basic_params(count=3)"),
                          Claim(has=["workers = 3"], lacks=["workers = %k"])),
    "cpu_cores_said": (snippet("s.workers.set_basic_params(count=s.vars.CPU_CORES)"),
                       Claim(has=["workers = %k"])),
    # UW608: the way the page gives that works with uwsgiconf 2.4.0 too
    "raw_set": (snippet("s._set('post-buffering', 65536)"),
                Claim(has=["post-buffering = 65536"])),
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Every page example and case compiled by uwsgiconf 2.4.0, in one subprocess."""
    where = tmp_path_factory.mktemp("uwsgiconf-claims")
    paths = []
    for code in CODES:
        for heading in ("## Example", "## Use instead"):
            for i, text in enumerate(examples(code, heading)):
                paths.append(write(where, f"{code}-{heading[3:].replace(' ', '-')}-{i}.py", text))
    for name, (text, _) in CASES.items():
        imports = "" if text.startswith(("from ", "import ")) else HEADER
        paths.append(write(where, f"{name}.py", imports + text))
    return {name: _as_ini(got) for name, got in compile_with_uwsgiconf(paths, where).items()}


def holds(result: dict[str, str], claim: Claim) -> None:
    if claim.error:
        assert result.get("error", "").startswith(claim.error), result
        return
    assert "error" not in result, result
    lines = result["ini"].splitlines()
    for line in claim.has:
        assert line in lines or (line.endswith(" ") and line.rstrip() in lines), (line, lines)
    for text in claim.lacks:
        assert not any(text in line for line in lines), (text, lines)


@pytest.mark.parametrize("key", sorted(PAGE_CLAIMS), ids=lambda k: f"{k[0]}-{k[1][3:]}-{k[2]}")
def test_page_example_does_what_the_page_says(
    key: tuple[str, str, int], compiled: dict[str, dict[str, str]]
) -> None:
    code, heading, i = key
    holds(compiled[f"{code}-{heading[3:].replace(' ', '-')}-{i}.py"], PAGE_CLAIMS[key])


def test_every_bad_example_has_a_claim_and_every_good_one_compiles(
    compiled: dict[str, dict[str, str]],
) -> None:
    for code in CODES:
        for heading in ("## Example", "## Use instead"):
            for i in range(len(examples(code, heading))):
                result = compiled[f"{code}-{heading[3:].replace(' ', '-')}-{i}.py"]
                if heading == "## Use instead":
                    assert result.get("ini", "").strip(), (code, i, result)
                elif code != "UW609":
                    assert (code, heading, i) in PAGE_CLAIMS, (code, i)


@pytest.mark.parametrize("name", sorted(CASES))
def test_what_uwsgiconf_does(name: str, compiled: dict[str, dict[str, str]]) -> None:
    holds(compiled[f"{name}.py"], CASES[name][1])


# -- the findings, through the real CLI ------------------------------------------------------

Found = tuple[str, int, int, str]  # (code, line, column, message)


def lint_json(path: Path, capsys: pytest.CaptureFixture[str], *args: str,
              ) -> list[dict[str, object]]:
    cli.main(["--isolated", "--format", "json", *args, str(path)])
    out = capsys.readouterr()
    assert "internal error" not in out.err and "Traceback" not in out.err, out.err
    diagnostics: list[dict[str, object]] = json.loads(out.out)["diagnostics"]
    return diagnostics


def found(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
          codes: tuple[str, ...] = CODES, name: str = "uwsgicfg.py") -> list[Found]:
    """``(code, line, column, message)`` of the findings of ``codes`` on one module."""
    out = []
    for d in lint_json(write(tmp_path, name, text), capsys):
        if d["code"] in codes:
            where = d["location"]
            assert isinstance(where, dict)
            out.append((str(d["code"]), where["line"], where["column"], str(d["message"])))
    return out


def fix(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str = "uwsgicfg.py",
        ) -> str:
    """The module after ``uwsgi-lint --fix --unsafe-fixes``."""
    path = write(tmp_path, name, text)
    cli.main(["--isolated", "--fix", "--unsafe-fixes", str(path)])
    assert "internal error" not in capsys.readouterr().err
    return path.read_text(encoding="utf-8")


def compile_all(tmp_path: Path, texts: dict[str, str]) -> dict[str, dict[str, str]]:
    """What uwsgiconf 2.4.0 makes of each module (``helpers.compile_with_uwsgiconf``)."""
    where = tmp_path / "compiled"
    paths = [write(where, f"{name}.py", text) for name, text in texts.items()]
    return {name.removesuffix(".py"): _as_ini(got)
            for name, got in compile_with_uwsgiconf(paths, where).items()}


def _as_ini(got: dict[str, object]) -> dict[str, str]:
    """``{"ini": every configuration's text}`` or ``{"error": "Type: message"}``."""
    if "error" in got:
        return {"error": str(got["error"])}
    configurations = got["configurations"]
    assert isinstance(configurations, list)
    return {"ini": "\n".join(text for _, text in configurations)}


# -- UW600 ------------------------------------------------------------------------------------


def test_syntax_error_is_reported_once_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + "s = Section(\ns.workers(count=2\n"
    result = found(tmp_path, capsys, text)
    assert [code for code, _, _, _ in result] == ["UW600"]
    assert result[0][3].startswith("not valid Python: ")


# -- UW601 ------------------------------------------------------------------------------------


def test_keyword_a_preset_swallows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("from uwsgiconf.config import configure_uwsgi\n"
            "from uwsgiconf.presets.nice import PythonSection\n"
            "configure_uwsgi(lambda: PythonSection(wsgi_module='app', wrkers=4))\n")
    assert found(tmp_path, capsys, text) == [(
        "UW601", 3, 58, "PythonSection() has no parameter `wrkers`: uwsgiconf ignores it "
        "without a word; did you mean `workers`?")]


def test_keyword_a_section_swallows_points_at_the_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + "configure_uwsgi(lambda: Section(workerz=4, strict_config=True))\n"
    assert found(tmp_path, capsys, text) == [(
        "UW601", 2, 33, "Section() has no parameter `workerz`: uwsgiconf ignores it without a "
        "word; for the `workers` group write `params_workers=dict(...)`")]


def test_keyword_a_method_does_not_take(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        ) -> None:
    result = found(tmp_path, capsys, snippet("s.workers.set_basic_params(cont=4)"), ("UW601",))
    assert result == [(
        "UW601", 6, 32, "workers.set_basic_params() has no parameter `cont`: uwsgiconf fails "
        "here with TypeError; did you mean `count`?")]


def test_positional_argument_of_a_keyword_only_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = found(tmp_path, capsys, snippet("s.workers(4)"), ("UW601",))
    assert result == [(
        "UW601", 6, 15, "workers.set_basic_params() takes keyword arguments only: uwsgiconf "
        "fails here with TypeError; name the argument")]


def test_unknown_keyword_of_a_socket_and_of_a_bootstrap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ("from uwsgiconf.config import configure_uwsgi\n"
            "from uwsgiconf.presets.nice import PythonSection\n"
            "def get():\n"
            "    s = PythonSection.bootstrap('http://127.0.0.1:8000', wsgi_modul='app')\n"
            "    s.networking.register_socket(s.networking.sockets.http(':9000', http_11=True))\n"
            "    return s\n"
            "configure_uwsgi(get)\n")
    assert [(c, n, col, m.split(":")[0]) for c, n, col, m in found(tmp_path, capsys, text)] == [
        ("UW601", 4, 58, "PythonSection.bootstrap() has no parameter `wsgi_modul`"),
        ("UW601", 5, 69, "networking.sockets.http() has no parameter `http_11`"),
    ]


def test_params_key_the_group_does_not_take(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + "configure_uwsgi(lambda: Section(params_workers=dict(cont=3, reaper=True)))\n"
    assert [m for _, _, _, m in found(tmp_path, capsys, text, ("UW601",))] == [
        "workers.set_basic_params() has no parameter `cont` (from `params_workers`): "
        "uwsgiconf fails here with TypeError; did you mean `count`?",
        "workers.set_basic_params() has no parameter `reaper` (from `params_workers`): "
        "uwsgiconf fails here with TypeError; remove it",
    ]


def test_broodlord_idle_value_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        ) -> None:
    text = ("from uwsgiconf.config import Configuration\n"
            "from uwsgiconf.presets.empire import Broodlord\n"
            "emperor, zerg = Broodlord('/run/z.sock', zerg_die_on_idle={}).configure()\n"
            "uwsgi_configuration = [Configuration([emperor, zerg])]\n")
    assert found(tmp_path, capsys, text.format(120)) == [(
        "UW601", 3, 42, "Broodlord ignores the value of `zerg_die_on_idle`: idle zergs die "
        "after 30 s; set the zerg section's `master_process.set_idle_params(timeout=N)`")]
    assert found(tmp_path, capsys, text.format(30)) == []


def test_arguments_uwsgiconf_takes_are_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ("from uwsgiconf.config import Section, configure_uwsgi\n"
            "from uwsgiconf.presets.nice import PythonSection\n"
            "extra = {'strict_config': True}\n"
            "def get():\n"
            "    s = Section('main', runtime_dir='/run/app', params_workers=dict(count=2),\n"
            "                **extra)\n"
            "    s.networking.register_socket(s.networking.sockets.http(':9000', http11=True))\n"
            "    p = PythonSection(name='py', wsgi_module='app', workers=2, owner='www-data')\n"
            "    return [s.as_configuration(alias='a'), p.as_configuration(alias='b')]\n"
            "configure_uwsgi(get)\n")
    assert found(tmp_path, capsys, text, UWSGICONF_RULES) == []


def test_keyword_from_a_splat_is_reported_at_the_splat_without_a_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + "opts = {'wrkers': 4}\nconfigure_uwsgi(lambda: Section(**opts))\n"
    assert [(line, column, m.split(":")[0]) for _, line, column, m in
            found(tmp_path, capsys, text)] == [(3, 33, "Section() has no parameter `wrkers`")]
    assert fix(tmp_path, capsys, text) == text


def test_a_long_name_is_cut_in_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           ) -> None:
    text = HEADER + f"configure_uwsgi(lambda: Section({'w' * 5000}=1))\n"
    (result,) = found(tmp_path, capsys, text)
    assert result[3] == (f"Section() has no parameter `{'w' * 37}...`: uwsgiconf ignores it "
                         "without a word; remove it")


# -- UW602 ------------------------------------------------------------------------------------


def test_params_of_a_group_without_basic_params(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + ("configure_uwsgi(lambda: Section(params_empire=dict(vassals_home='/v', "
                     "name='emp'), params_routing={}))\n")
    assert found(tmp_path, capsys, text) == [(
        "UW602", 2, 33, "the `empire` group has no basic parameters: uwsgiconf drops "
        "`params_empire` without a word; call `empire.set_emperor_params()`")]


def test_params_of_no_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEADER + "configure_uwsgi(lambda: Section(params_workerz=dict(count=4)))\n"
    assert found(tmp_path, capsys, text) == [(
        "UW602", 2, 33, "a section has no group `workerz`: uwsgiconf drops `params_workerz` "
        "without a word; did you mean `params_workers`?")]


def test_shortcut_call_of_a_group_without_basic_params(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = found(tmp_path, capsys, snippet("s.empire(vassals_home='/v', throttle=5)\n"
                                            "s.monitoring()\n"
                                            "s.routing.set_basic_params(rules=[])"))
    assert result == [
        ("UW602", 6, 5, "the `empire` group has no basic parameters: uwsgiconf drops these "
         "arguments without a word; call `empire.set_emperor_params()`"),
        ("UW602", 8, 5, "the `routing` group has no basic parameters: uwsgiconf drops these "
         "arguments without a word; call the `routing` group's methods"),
    ]


# -- UW603 / UW604 ----------------------------------------------------------------------------

SECTION = ("from uwsgiconf.config import Configuration, Section, configure_uwsgi\n"
           "s = Section()\n"
           "s.networking.register_socket(s.networking.sockets.http('127.0.0.1:8000'))\n"
           "s.workers.set_basic_params(count=2)\n")


def test_configuration_attribute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = ("uwsgiconf reads `uwsgi_configuration`, not `configuration`: this module "
               "compiles to nothing and `uwsgiconf compile` exits 0; rename it")
    assert found(tmp_path, capsys, SECTION + "configuration = [Configuration([s])]\n") == [
        ("UW603", 5, 1, message)]
    assert found(tmp_path, capsys, SECTION + "configuration = s\n") == [("UW603", 5, 1, message)]
    # with uwsgi_configuration set as well, `configuration` is just a name
    assert found(tmp_path, capsys, SECTION + "configuration = s.as_configuration()\n"
                 "configure_uwsgi(lambda: s)\n") == []


def test_configuration_not_configurations(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          ) -> None:
    assert found(tmp_path, capsys, SECTION + "uwsgi_configuration = s\n") == [(
        "UW604", 5, 1, "`uwsgi_configuration` holds a Section: uwsgiconf fails on it "
        "(AttributeError); append `.as_configuration()`")]
    text = SECTION + "def get():\n    return s\nuwsgi_configuration = get\n"
    assert found(tmp_path, capsys, text) == [(
        "UW604", 7, 1, "`uwsgi_configuration` holds a function: uwsgiconf does not call it and "
        "fails (AttributeError); hand it to `configure_uwsgi(...)`")]
    good = (SECTION + "uwsgi_configuration = [Configuration([s], alias='a'), "
            "s.as_configuration(alias='b')]\n")
    assert found(tmp_path, capsys, good, UWSGICONF_RULES) == []


# -- UW605 ------------------------------------------------------------------------------------

WRONG = {
    "s.networking.set_basic_params(default_socket_type='http')":
        "`default_socket_type` takes a socket class, not a string: uwsgiconf fails here with "
        "TypeError; write `networking.sockets.http`",
    "s.networking.register_socket(['127.0.0.1:8000'])":
        "register_socket() takes socket objects, not a string: uwsgiconf fails here with "
        "AttributeError; write `networking.sockets.http(ADDRESS)`",
    "s.cheapening.set_basic_params(cheaper_algo='busyness')":
        "`cheaper_algo` takes an algorithm object, not a string: uwsgiconf fails here with "
        "AttributeError; write `cheapening.algorithms.busyness()`",
    "s.workers.set_mules_params(farms=['first'])":
        "`farms` takes MuleFarm objects, not strings: uwsgiconf fails here with AttributeError; "
        "write `workers.mule_farm(NAME, MULES)`",
    "s.main_process.set_owner_params(uid='www', drop_after='start')":
        "`drop_after` is `init` or `apps`, not `start`: uwsgiconf fails here with "
        "AssertionError",
    "s.routing.set_error_page(401, '/srv/401.html')":
        "uWSGI has error pages for 403, 404 and 500 only: uwsgiconf fails here with "
        "ConfigurationError on 401",
    "s.routing.set_error_pages({404: '/srv/404.html', 502: '/srv/502.html'})":
        "uWSGI has error pages for 403, 404 and 500 only: uwsgiconf fails here with "
        "ConfigurationError on 502",
    "s.routing.set_error_page('not-found', '/srv/404.html')":
        "the status `not-found` is not a number: uwsgiconf fails here with ValueError; error "
        "pages exist for 403, 404 and 500",
    "s.master_process.attach_process_classic('memcached -d', background=True)":
        "`background=True` needs a pidfile path (containing `.pid`): uwsgiconf fails here with "
        "ConfigurationError; or write background=False",
    "s.python.import_module('tasks', shared=True, into_spooler=True)":
        "`shared=True` and `into_spooler=True` together: uwsgiconf fails here with "
        "ConfigurationError; import it twice, once each",
    "s.networking.register_socket(s.networking.sockets.from_dsn('localhost:8000'))":
        "`localhost:8000` has no scheme: uwsgiconf fails here with KeyError; start it with "
        "http://, uwsgi://, fastcgi:// ...",
    "s.networking.register_socket(s.networking.sockets.from_dsn('127.0.0.1:8000'))":
        "`127.0.0.1:8000` has no scheme: uwsgiconf fails here or writes `socket =` with no "
        "address (uWSGI exits); start it with http://, uwsgi://, fastcgi:// ...",
    "s.networking.register_socket(s.networking.sockets.from_dsn('htp://:8000'))":
        "uwsgiconf knows no socket scheme `htp`: it fails here with KeyError; use http://, "
        "uwsgi://, fastcgi:// ...",
}


@pytest.mark.parametrize("line", sorted(WRONG))
def test_value_uwsgiconf_cannot_take(line: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert [m for _, _, _, m in found(tmp_path, capsys, snippet(line), ("UW605",))] == [
        WRONG[line]]


def test_values_uwsgiconf_takes_are_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert found(tmp_path, capsys, snippet(TAKEN)) == []


def test_number_as_text_is_uw103s(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = found(tmp_path, capsys, snippet("s.workers.set_basic_params(count='four')"),
                   ("UW103", "UW605"))
    assert [(code, line, column) for code, line, column, _ in result] == [("UW103", 6, 38)]


# -- UW607 ------------------------------------------------------------------------------------


def test_workers_written_by_a_touch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = found(tmp_path, capsys, snippet("s.workers.set_thread_params(count=4)\n"
                                            "s.python.set_wsgi_params(module='app')"))
    assert result == [(
        "UW607", 6, 5, "`workers.set_thread_params()` touches `section.workers`: uwsgiconf "
        "writes `workers = %k`, a worker per CPU core; set a worker count")]
    text = HEADER + "configure_uwsgi(lambda: Section(params_python=dict(version=3)))\n"
    assert [m.split(":")[0] for _, _, _, m in found(tmp_path, capsys, text)] == [
        "`params_python=` touches `section.python`"]
    result = found(tmp_path, capsys, snippet("python = s.python\npython.import_module('app')"))
    assert [(line, column, m.split(":")[0]) for _, line, column, m in result] == [
        (6, 14, "`s.python` is the group's first access")]


@pytest.mark.parametrize("body", [
    "s.python.set_wsgi_params(module='app')\ns.workers.set_basic_params(count=3)",
    "s.workers.set_basic_params(count=s.vars.CPU_CORES)",
    "s.networking.register_socket(s.networking.sockets.http(':8000'))",
])
def test_workers_count_set_or_never_touched(body: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert found(tmp_path, capsys, snippet(body), ("UW607",)) == []


def test_presets_write_workers_on_purpose(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         ) -> None:
    text = ("from uwsgiconf.config import Configuration, configure_uwsgi\n"
            "from uwsgiconf.presets.nice import PythonSection\n"
            "from uwsgiconf.presets.empire import Broodlord\n"
            "def get():\n"
            "    p = PythonSection(wsgi_module='app')\n"
            "    p.workers.set_thread_params(count=2)\n"
            "    emperor, zerg = Broodlord('/run/z.sock').configure()\n"
            "    return [p, Configuration([emperor, zerg], alias='brood')]\n"
            "configure_uwsgi(get)\n")
    assert found(tmp_path, capsys, text, ("UW607",)) == []


# -- UW608 ------------------------------------------------------------------------------------

NEWER = snippet("s.workers.set_basic_params(count=2)\n"
               "s.networking.set_basic_params(buffer_size=32768, buffer_post_size=65536)\n"
               "s.cheapening.print_algorithms()")


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A git work tree holding ``files`` and ``deploy/uwsgicfg.py`` (:data:`NEWER`)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        write(root, name, text)
    return write(root, "deploy/uwsgicfg.py", NEWER)


def newer(path: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[int, int, str, str]]:
    """``(line, column, message, related)`` of the UW608 findings."""
    out = []
    for d in lint_json(path, capsys):
        if d["code"] == "UW608":
            where, related = d["location"], d["related"]
            assert isinstance(where, dict) and isinstance(related, list)
            rel = f"{Path(related[0]['filename']).name}:{related[0]['location']['line']} " \
                  f"{related[0]['message']}"
            out.append((where["line"], where["column"], str(d["message"]), rel))
    return out


def test_newer_than_the_pinned_version(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       ) -> None:
    path = project(tmp_path, {"requirements.txt": "django>=4\nuwsgiconf==1.0.0  # pinned\n"})
    assert newer(path, capsys) == [
        (7, 35, "`buffer_size=` is new in uwsgiconf 2.0.0: the project allows uwsgiconf "
         "1.0.0, which fails here with TypeError; require uwsgiconf>=2.0.0",
         "requirements.txt:2 `uwsgiconf==1.0.0` allows uwsgiconf 1.0.0"),
        (7, 54, "`buffer_post_size=` is new in uwsgiconf 2.4.0: the project allows uwsgiconf "
         "1.0.0, which fails here with TypeError; require uwsgiconf>=2.4.0",
         "requirements.txt:2 `uwsgiconf==1.0.0` allows uwsgiconf 1.0.0"),
        (8, 18, "cheapening.print_algorithms() is new in uwsgiconf 2.0.0: the project allows "
         "uwsgiconf 1.0.0, which fails here with AttributeError; require uwsgiconf>=2.0.0",
         "requirements.txt:2 `uwsgiconf==1.0.0` allows uwsgiconf 1.0.0"),
    ]


@pytest.mark.parametrize(("files", "lowest"), [
    ({"pyproject.toml": "[project]\nname = 'a'\ndependencies = ['uwsgiconf[cli]>=2.1,<3']\n"},
     "pyproject.toml:3 2.1.0"),
    ({"pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.10'\nuwsgiconf = '^2.3'\n"},
     "pyproject.toml:3 2.3.0"),
    ({"pyproject.toml": "[tool.poetry.dependencies]\n"
                        "uwsgiconf = {version = '~2.0', extras = ['cli']}\n"},
     "pyproject.toml:2 2.0.0"),
    ({"setup.cfg": "[options]\ninstall_requires =\n    six\n    uwsgiconf~=2.2.0\n"},
     "setup.cfg:4 2.2.0"),
    ({"requirements/base.txt": "uwsgiconf>=2.0\n", "requirements-dev.txt": "uwsgiconf==2.3.1\n"},
     "base.txt:1 2.0.0"),
    ({"deploy/requirements.txt": "uwsgiconf==2.3.0\n", "requirements.txt": "uwsgiconf==1.0.0\n"},
     "requirements.txt:1 2.3.0"),
])
def test_pin_files(files: dict[str, str], lowest: str, tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    result = newer(project(tmp_path, files), capsys)
    assert result, files
    where, _, version = result[0][3].partition(" ")
    assert f"{where} {version.rsplit(' ', 1)[-1]}" == lowest


@pytest.mark.parametrize("files", [
    {},
    {"requirements.txt": "uwsgiconf\n"},
    {"requirements.txt": "uwsgiconf<3\n"},
    {"requirements.txt": "uwsgiconf>=2.4\n"},
    {"pyproject.toml": "[tool.poetry.dependencies]\nuwsgiconf = '*'\n"},
    # the nearest directory that names uwsgiconf decides: here with no lower bound
    {"deploy/requirements.txt": "uwsgiconf\n", "requirements.txt": "uwsgiconf==1.0.0\n"},
])
def test_no_pin_no_finding(files: dict[str, str], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert newer(project(tmp_path, files), capsys) == []


def test_pin_search_stops_at_the_work_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           ) -> None:
    write(tmp_path, "requirements.txt", "uwsgiconf==1.0.0\n")  # above the repository
    assert newer(project(tmp_path, {}), capsys) == []
    assert find_pin(str(tmp_path / "repo" / "deploy" / "uwsgicfg.py")) is None


def test_catalog_versions_are_the_ones_pinned_against() -> None:
    assert api.versions() == ("1.0.0", "2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.3.1", "2.4.0")


# -- UW208 through a uwsgiconf config -------------------------------------------------------


def test_throttle_in_seconds_gets_uw208_at_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = snippet("s.empire.set_emperor_params(vassals_home='/etc/uwsgi/vassals')\n"
                  "s.empire.set_throttle_params(level=1000, level_max=180)")
    result = found(tmp_path, capsys, text, ("UW208",))
    assert [(code, line, column) for code, line, column, _ in result] == [("UW208", 7, 56)]
    assert "180" in result[0][3]


# -- fixes ------------------------------------------------------------------------------------

FIXES = {
    # name: (module, the module after --fix --unsafe-fixes, a line uwsgiconf then writes)
    "preset_keyword": (
        "from uwsgiconf.config import configure_uwsgi\n"
        "from uwsgiconf.presets.nice import PythonSection\n"
        "configure_uwsgi(lambda: PythonSection(wsgi_module='app', wrkers=4))\n",
        "from uwsgiconf.config import configure_uwsgi\n"
        "from uwsgiconf.presets.nice import PythonSection\n"
        "configure_uwsgi(lambda: PythonSection(wsgi_module='app', workers=4))\n",
        "workers = 4"),
    "method_keyword": (
        snippet("s.workers.set_basic_params(cont=4)"),
        snippet("s.workers.set_basic_params(count=4)"),
        "workers = 4"),
    "params_key": (
        HEADER + "configure_uwsgi(lambda: Section(params_workers=dict(cont=3)))\n",
        HEADER + "configure_uwsgi(lambda: Section(params_workers=dict(count=3)))\n",
        "workers = 3"),
    "params_key_literal": (
        HEADER + "configure_uwsgi(lambda: Section(params_workers={'cont': 3}))\n",
        HEADER + "configure_uwsgi(lambda: Section(params_workers={'count': 3}))\n",
        "workers = 3"),
    "params_group": (
        HEADER + "configure_uwsgi(lambda: Section(params_workerz=dict(count=5)))\n",
        HEADER + "configure_uwsgi(lambda: Section(params_workers=dict(count=5)))\n",
        "workers = 5"),
    "socket_keyword": (
        snippet("s.networking.register_socket(s.networking.sockets.http(':80', http_11=True))\n"
               "s.workers(count=2)"),
        snippet("s.networking.register_socket(s.networking.sockets.http(':80', http11=True))\n"
               "s.workers(count=2)"),
        "http11-socket = :80"),
    "configuration_attribute": (
        SECTION + "configuration = [Configuration([s])]\n",
        SECTION + "uwsgi_configuration = [Configuration([s])]\n",
        "http-socket = 127.0.0.1:8000"),
    "section_assigned": (
        SECTION + "uwsgi_configuration = s\n",
        SECTION + "uwsgi_configuration = s.as_configuration()\n",
        "http-socket = 127.0.0.1:8000"),
    "function_assigned": (
        SECTION + "def get():\n    return s\nuwsgi_configuration = get\n",
        SECTION + "def get():\n    return s\nuwsgi_configuration = configure_uwsgi(get)\n",
        "http-socket = 127.0.0.1:8000"),
}


def test_fixes_make_configs_uwsgiconf_compiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = {}
    for name, (text, expected, _) in FIXES.items():
        after[name] = fix(tmp_path / name, capsys, text)
        assert after[name] == expected, name
    result = compile_all(tmp_path, after)
    for name, (_, _, line) in FIXES.items():
        assert line in result[name].get("ini", "").splitlines(), (name, result[name])


@pytest.mark.parametrize("text", [
    # the suggestion is passed already: a repeated keyword would not parse
    snippet("s.workers.set_basic_params(cont=4, count=2)"),
    # several suggestions, or none close
    HEADER + "configure_uwsgi(lambda: Section(workerz=4))\n",
    # a Section where uwsgi_configuration would need Configurations
    SECTION + "configuration = s\n",
    # configure_uwsgi is not imported
    "from uwsgiconf.config import Section\ns = Section()\ndef get():\n    return s\n"
    "uwsgi_configuration = get\n",
])
def test_no_fix_where_the_intent_is_not_clear(text: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert found(tmp_path, capsys, text)
    assert fix(tmp_path, capsys, text) == text

"""The static reading of uwsgiconf modules (``uwsgi_lint.uwsgiconf.evaluate``): names,
values, sections, calls, control flow, entry points, and hostile input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.uwsgiconf.evaluate import LIMITS, evaluate
from uwsgi_lint.uwsgiconf.model import Call, Compiled, Unknown, unknown_text

HEAD = "from uwsgiconf.config import Configuration, Section, configure_uwsgi\n"


def read(tmp_path: Path, body: str, head: str = HEAD, name: str = "uwsgicfg.py") -> Compiled:
    path = tmp_path / name
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return evaluate(path.read_text(encoding="utf-8"), str(path))


def shown(value: object) -> str:
    return unknown_text(value) if isinstance(value, Unknown) else str(value)


def lines(compiled: Compiled) -> list[str]:
    """Every option written, as ``alias [section] key = value`` (``| condition``)."""
    out = []
    for configuration in compiled.configurations:
        for section in configuration.sections:
            for e in section.emissions:
                line = f"{configuration.alias} [{section.name}] {e.key} = {shown(e.value)}"
                out.append(line + (f" | {e.condition}" if e.condition else ""))
    return out


def values(compiled: Compiled, key: str) -> list[object]:
    """The values written for ``key``; an unknown one as (text, reason, as shown)."""
    return [(e.value.text, e.value.reason, shown(e.value)) if isinstance(e.value, Unknown)
            else e.value for c in compiled.configurations for s in c.sections
            for e in s.emissions if e.key == key]


def where(span: object) -> tuple[int, int, int, int]:
    return (span.start.line, span.start.column, span.end.line, span.end.column)  # type: ignore[attr-defined]


def calls(compiled: Compiled, *path: str) -> list[Call]:
    return [call for call in compiled.calls if call.path == path]


def problems(compiled: Compiled, code: str = "UW609") -> list[str]:
    return [p.message for p in compiled.problems if p.code == code]


# --- names and imports ------------------------------------------------------------------------


def test_import_forms_name_the_uwsgiconf_classes(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import uwsgiconf.config as c
        import uwsgiconf
        from uwsgiconf.presets.nice import PythonSection, Section as NiceSection

        def get():
            return [
                c.Section('plain').as_configuration(alias='a'),
                NiceSection('nice').as_configuration(alias='b'),
                PythonSection('py').as_configuration(alias='c'),
                uwsgiconf.config.Section('dotted').as_configuration(alias='d'),
            ]

        configure_uwsgi(get)
    """)
    assert [call.path for call in compiled.calls if len(call.path) == 1 and
            call.path[0] != "as_configuration"] == [
        ("Section",), ("nice.Section",), ("PythonSection",), ("Section",)]
    assert [(c.alias, [s.name for s in c.sections]) for c in compiled.configurations] == [
        ("a", ["plain"]), ("b", ["nice"]), ("c", ["py"]), ("d", ["dotted"])]
    assert "b [nice] strict = true" in lines(compiled)  # the nice preset's defaults
    assert not compiled.problems


def test_imports_inside_the_function_count(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def configure():
            from uwsgiconf.config import Section
            from uwsgiconf.config import configure_uwsgi as cu
            return Section().env('A', 'B')

        from uwsgiconf.config import configure_uwsgi
        configure_uwsgi(configure)
    """, head="import os\n")
    assert compiled.is_uwsgiconf
    assert lines(compiled) == ["uwsgicfg [uwsgi] env = A=B"]


def test_a_module_without_uwsgiconf_is_not_read(tmp_path: Path) -> None:
    compiled = read(tmp_path, "x = Section()  # no uwsgiconf here\n", head="import os\n")
    assert not compiled.is_uwsgiconf
    assert compiled.calls == [] and compiled.configurations == []
    assert [c.text for c in compiled.comments] == ["# no uwsgiconf here"]


# --- values -------------------------------------------------------------------------------------


def test_values_resolve_statically(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os
        from os.path import abspath, dirname, join
        from pathlib import Path

        PROJECT = 'shop'
        PORT = 8000
        WORKERS = 2 * 3 - 1
        DEBUG = False
        sockets = Section.networking.sockets

        def get():
            section = Section(PROJECT)
            section.workers.set_basic_params(count=WORKERS if not DEBUG else 1)
            section.workers.set_harakiri_params(timeout=60 * 5 // 2)
            section.networking.register_socket(sockets.http(f'127.0.0.1:{PORT + 1}'))
            section.main_process.set_pid_file('/run/%s/%s.pid' % (PROJECT, PROJECT))
            section.main_process.change_dir(join(dirname(abspath(__file__)), 'app'))
            section.main_process.set_basic_params(touch_reload=str(Path(__file__).parent / 'x'))
            section.env('PORTS', '{}-{}'.format(PORT, PORT + int('9')))
            section.env('UPPER', PROJECT.upper() + str(PORT))
            section.main_process.run_command_on_event(
                'echo', phase=section.main_process.phases.ASAP)
            section.main_process.set_naming_params(prefix=f'{PROJECT}-{Section.vars.HOST_NAME}-')
            return section

        configure_uwsgi(get)
    """)
    here = str(tmp_path)
    assert lines(compiled) == [
        "uwsgicfg [shop] workers = 5",
        "uwsgicfg [shop] harakiri = 150",
        "uwsgicfg [shop] http-socket = 127.0.0.1:8001",
        "uwsgicfg [shop] pidfile = /run/shop/shop.pid",
        f"uwsgicfg [shop] chdir = {here}/app",
        f"uwsgicfg [shop] touch-reload = {here}/x",
        "uwsgicfg [shop] env = PORTS=8000-8009",
        "uwsgicfg [shop] env = UPPER=SHOP8000",
        "uwsgicfg [shop] exec-asap = echo",
        "uwsgicfg [shop] procname-prefix = shop-%h-",
    ]
    assert not compiled.problems


def test_runtime_values_are_unknown_never_guessed(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os
        from django.conf import settings

        def port():
            return 8000

        async def later():
            return 1

        def get():
            section = Section()
            section.env('A', os.environ.get('A', 'x'))
            section.env('B', settings.B)
            section.workers.set_basic_params(count=len(os.listdir('/')))
            section.master_process.set_basic_params(name=f'{settings.NAME}-master')
            section.workers.set_harakiri_params(timeout=later())
            return section

        configure_uwsgi(get)
    """)
    imported = "a name imported from another module"
    assert values(compiled, "env") == [
        ("A={os.environ.get('A', 'x')}", "os.environ", "A=<unknown: os.environ.get('A', 'x')>"),
        ("B={settings.B}", imported, "B=<unknown: settings.B>")]
    assert values(compiled, "workers") == [
        ("len(os.listdir('/'))", "a function's result", "<unknown: len(os.listdir('/'))>")]
    assert values(compiled, "procname-master") == [
        ("f'{settings.NAME}-master'", imported, "<unknown: settings.NAME>-master")]
    assert values(compiled, "harakiri") == [
        ("later()", "a function's result", "<unknown: later()>")]


def test_partly_known_strings_show_their_known_parts(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os
        HOME = os.environ['HOME']

        def get():
            section = Section()
            section.main_process.set_pid_file(HOME + '/run/app.pid')
            section.main_process.change_dir(f'{HOME}/app/{os.getpid():>5}' 'tail')
            return section

        configure_uwsgi(get)
    """)
    assert lines(compiled) == [
        "uwsgicfg [uwsgi] pidfile = <unknown: HOME>/run/app.pid",
        "uwsgicfg [uwsgi] chdir = <unknown: HOME>/app/<unknown: os.getpid()>tail",
    ]


def test_a_name_set_differently_in_an_undecided_branch_is_unknown(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os
        COUNT = 2
        if os.environ.get('BIG'):
            COUNT = 8
        SAME = 1
        if os.environ.get('X'):
            SAME = 1

        def get():
            return Section().workers.set_basic_params(count=COUNT).workers.set_reload_params(
                max_requests=SAME)

        configure_uwsgi(get)
    """)
    assert values(compiled, "workers") == [
        ("COUNT", "set under an undecided condition (os.environ.get('BIG'))", "<unknown: COUNT>")]
    assert values(compiled, "max-requests") == ["1"]


def test_group_constants_from_a_section_a_class_and_an_alias(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        from uwsgiconf.presets.nice import PythonSection

        def get():
            section = Section()
            phases = section.main_process.phases
            actions = Section.main_process.actions
            sockets = PythonSection.networking.sockets
            section.main_process.set_hook(phases.PRIV_DROP_PRE, actions.dir_create('/run/x'))
            section.networking.register_socket(sockets.uwsgi('/run/app.sock', persistent=True))
            section.networking.set_basic_params(default_socket_type=sockets.http)
            section.workers.set_count_auto(Section.vars.CPU_CORES)
            return section

        configure_uwsgi(get)
    """)
    assert lines(compiled) == [
        "uwsgicfg [uwsgi] hook-as-root = mkdir:/run/x",
        "uwsgicfg [uwsgi] puwsgi-socket = /run/app.sock",
        "uwsgicfg [uwsgi] socket-protocol = http",
        "uwsgicfg [uwsgi] workers = %k",
    ]
    hook = calls(compiled, "main_process", "set_hook")[0]
    assert next(arg.value for arg in hook.args) == "as-root"


# --- sections and calls -------------------------------------------------------------------


def test_calls_are_recorded_with_their_arguments_and_spans(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            section = Section('app', strict_config=True)
            section.workers.set_basic_params(count=4, zombie_reaper=True)
            return section

        configure_uwsgi(get)
    """)
    constructor, method = compiled.calls
    assert constructor.path == ("Section",)
    assert where(constructor.span) == (4, 15, 4, 49)
    assert where(constructor.name_span) == (4, 15, 4, 22)
    assert [(a.keyword, a.value) for a in constructor.args] == [
        (None, "app"), ("strict_config", True)]
    assert method.path == ("workers", "set_basic_params")
    assert where(method.name_span) == (5, 21, 5, 37)
    count = method.args[0]
    assert (count.keyword, count.value) == ("count", 4)
    assert where(count.span) == (5, 38, 5, 45)
    assert where(count.value_span) == (5, 44, 5, 45)
    assert count.keyword_span is not None and where(count.keyword_span) == (5, 38, 5, 43)
    assert method.bound["count"] is count  # bound by the emitter
    assert compiled.module.code_for_node(method.node) == \
        "section.workers.set_basic_params(count=4, zombie_reaper=True)"
    key = compiled.configurations[0].sections[0].emissions
    assert [(e.key, e.value, where(e.key_span)[:2]) for e in key] == [
        ("strict", "true", (4, 30)), ("workers", "4", (5, 38)), ("reaper", "true", (5, 47))]


def test_columns_count_characters(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            return Section('é🎉').env('K', 'é🎉')

        configure_uwsgi(get)
    """)
    env = calls(compiled, "env")[0]
    assert where(env.args[1].value_span) == (4, 35, 4, 39)
    assert values(compiled, "env") == ["K=é🎉"]


def test_chaining_shortcut_call_and_bound_method_aliases(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            section = Section()
            set_threads = section.workers.set_thread_params
            section.master_process(enable=True).workers(count=2).env('A', 'B')
            set_threads(count=4)
            return section

        configure_uwsgi(get)
    """)
    assert [call.path for call in compiled.calls] == [
        ("Section",), ("master_process", "__call__"), ("workers", "__call__"), ("env",),
        ("workers", "set_thread_params")]
    assert lines(compiled) == [
        "uwsgicfg [uwsgi] workers = 2",
        "uwsgicfg [uwsgi] master = true",
        "uwsgicfg [uwsgi] env = A=B",
        "uwsgicfg [uwsgi] threads = 4",
        "uwsgicfg [uwsgi] print = >   Threads per worker: 4",
    ]


def test_touching_workers_writes_the_cpu_count_at_the_access(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            section = Section()
            workers = section.workers
            workers.set_harakiri_params(timeout=30)
            return section

        configure_uwsgi(get)
    """)
    first = compiled.configurations[0].sections[0].emissions[0]
    assert (first.key, first.value) == ("workers", "%k")
    assert first.implicit and where(first.key_span) == (5, 15, 5, 30)


def test_bootstrap_and_derive_from(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        from uwsgiconf.presets.nice import PythonSection

        def get():
            base = Section.bootstrap('http://:8000', allow_shared_sockets=False, name='base')
            base.env('A', 'B')
            copy = Section.derive_from(base, name='copy')
            copy.env('C', 'D')
            return Configuration([base, copy])

        configure_uwsgi(get)
    """)
    assert lines(compiled) == [
        "uwsgicfg [base] http-socket = :8000",
        "uwsgicfg [base] env = A=B",
        "uwsgicfg [copy] http-socket = :8000",
        "uwsgicfg [copy] env = A=B",
        "uwsgicfg [copy] env = C=D",
    ]
    assert calls(compiled, "Section", "bootstrap") and calls(compiled, "Section", "derive_from")


def test_a_section_subclass_builds_its_section_at_super_init(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        from uwsgiconf.presets.nice import PythonSection

        class Base(PythonSection):
            def __init__(self, name, workers=2, **kwargs):
                super().__init__(name=name, workers=workers, **kwargs)
                self.name_given = name
                self.configure()

            def configure(self):
                set_mules = self.workers.set_mules_params
                set_mules(mules=2)
                self.master_process.set_basic_params(no_orphans=True)

        class App(Base):
            pass

        def get():
            return App('app', wrkers=3)

        configure_uwsgi(get)
    """)
    assert compiled.configurations[0].sections[0].name == "app"
    assert {"uwsgicfg [app] workers = 2", "uwsgicfg [app] mules = 2",
            "uwsgicfg [app] no-orphans = True"} <= set(lines(compiled))
    constructor = calls(compiled, "PythonSection")[0]
    typo = next(arg for arg in constructor.args if arg.keyword == "wrkers")
    assert where(typo.span) == (20, 23, 20, 31)  # at the caller, where it was written
    assert [arg.keyword for arg in constructor.unknown] == ["wrkers"]


def test_a_section_subclass_instantiated_nowhere_is_not_compiled(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        class Device(Section):
            def __init__(self, device):
                super().__init__(name='uwsgi', strict_config=True)
                self.master_process.set_basic_params(enable=True)
    """)
    assert compiled.calls == [] and compiled.configurations == [] and compiled.facts == []


# --- control flow ---------------------------------------------------------------------------


def test_known_tests_are_folded(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        DEBUG = False

        def get():
            section = Section()
            if 0:
                section.spooler.add('/dead')
            if DEBUG:
                section.env('DEBUG', '1')
            elif not DEBUG and 1 + 1 == 2:
                section.env('DEBUG', '0')
            else:
                section.env('NEVER', '1')
            return section

        configure_uwsgi(get)

        if __name__ == '__main__':
            Section('main-only')
    """)
    assert lines(compiled) == ["uwsgicfg [uwsgi] env = DEBUG=0"]
    assert [call.path for call in compiled.calls] == [("Section",), ("env",)]


def test_an_undecided_if_reads_both_branches_under_their_conditions(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os

        def get():
            prod = os.environ.get('ENV') == 'prod'
            section = Section()
            if prod:
                section.workers.set_basic_params(count=8)
                if os.environ.get('TLS'):
                    section.env('TLS', '1')
            elif os.environ.get('STAGE'):
                section.workers.set_basic_params(count=2)
            else:
                section.workers.set_basic_params(count=1)
            return section

        configure_uwsgi(get)
    """)
    assert [call.condition for call in calls(compiled, "workers", "set_basic_params")] == [
        "prod", "not (prod) and os.environ.get('STAGE')",
        "not (prod) and not (os.environ.get('STAGE'))"]
    assert calls(compiled, "env")[0].condition == "prod and os.environ.get('TLS')"
    assert "uwsgicfg [uwsgi] workers = 8 | prod" in lines(compiled)
    assert "uwsgicfg [uwsgi] workers = 1 | not (prod) and not (os.environ.get('STAGE'))" in \
        lines(compiled)


def test_loops_over_known_items_are_unrolled(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        PLUGINS = 'python3;gevent'

        def get():
            configurations = []
            port = 8000
            for idx in range(2):
                alias = f'app_{idx + 1}'
                section = Section.bootstrap(f'http://127.0.0.1:{port}',
                                            allow_shared_sockets=False)
                for plugin in PLUGINS.split(';'):
                    section.set_plugins_params(plugins=plugin)
                port += 1
                configurations.append(section.as_configuration(alias=alias))
            return configurations

        configure_uwsgi(get)
    """)
    assert lines(compiled) == [
        "app_1 [uwsgi] http-socket = 127.0.0.1:8000",
        "app_1 [uwsgi] plugin = python3",
        "app_1 [uwsgi] plugin = gevent",
        "app_2 [uwsgi] http-socket = 127.0.0.1:8001",
        "app_2 [uwsgi] plugin = python3",
        "app_2 [uwsgi] plugin = gevent",
    ]


def test_a_loop_over_sections_is_unrolled(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            main, spare = Section('main'), Section('spare')
            for name, section in {'a': main, 'b': spare}.items():
                section.env('NAME', name)
            return Configuration([main, spare])

        configure_uwsgi(get)
    """)
    assert lines(compiled) == ["uwsgicfg [main] env = NAME=a", "uwsgicfg [spare] env = NAME=b"]


def test_a_loop_over_unknown_items_is_read_once_for_an_unknown_item(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os

        def get():
            section = Section()
            port = 8000
            for plugin in os.environ['PLUGINS'].split(';'):
                section.set_plugins_params(plugins=plugin)
                section.env('PORT', str(port))
                port += 1
            return section

        configure_uwsgi(get)
    """)
    condition = "each item of os.environ['PLUGINS'].split(';')"
    plugins = calls(compiled, "set_plugins_params")
    assert len(plugins) == 1 and plugins[0].condition == condition
    assert plugins[0].args[0].value == Unknown("plugin", condition)
    assert values(compiled, "env") == [
        ("PORT={str(port)}", f"changes in {condition}", "PORT=<unknown: str(port)>")]


def test_return_ends_the_walk_and_an_undecided_return_does_not(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os

        def get():
            section = Section()
            if os.environ.get('EARLY'):
                return section
            section.env('A', 'B')
            return section
            section.env('DEAD', '1')

        configure_uwsgi(get)
    """)
    assert lines(compiled) == ["uwsgicfg [uwsgi] env = A=B"]
    assert problems(compiled) == ["the function given to configure_uwsgi() returns different "
                                  "values under undecided conditions: only its last return is "
                                  "checked"]


def test_closures_defaults_and_while(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        import os

        def make(prefix, count=3):
            def configure():
                section = Section(prefix)
                section.workers.set_basic_params(count=count)
                while False:
                    section.env('NEVER', '1')
                while os.environ.get('MORE'):
                    section.env('MORE', '1')
                return section
            return configure

        configure_uwsgi(make('app'))
    """)
    assert lines(compiled) == [
        "uwsgicfg [app] workers = 3",
        "uwsgicfg [app] env = MORE=1 | while os.environ.get('MORE')",
    ]


def test_try_and_with_bodies_are_read_as_written(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():
            section = Section()
            try:
                section.env('TRY', '1')
            except Exception:
                section.env('EXCEPT', '1')
            finally:
                section.env('FINALLY', '1')
            with open('/x') as fh:
                section.env('WITH', str(fh))
            return section

        configure_uwsgi(get)
    """)
    assert lines(compiled) == [
        "uwsgicfg [uwsgi] env = TRY=1",
        "uwsgicfg [uwsgi] env = FINALLY=1",
        "uwsgicfg [uwsgi] env = WITH=<unknown: str(fh)>",
    ]


# --- entry points and module facts -------------------------------------------------------------


@pytest.mark.parametrize("entry", [
    "configure_uwsgi(lambda: Section().env('A', 'B'))",
    "uwsgi_configuration = configure_uwsgi(lambda: [Section().env('A', 'B')])",
    "uwsgi_configuration = [Configuration([Section().env('A', 'B')])]",
    "uwsgi_configuration = Configuration([Section().env('A', 'B')])",
    "def outer():\n    def inner():\n        return Section().env('A', 'B')\n    return inner\n"
    "configure_uwsgi(outer())",
])
def test_entry_points(tmp_path: Path, entry: str) -> None:
    compiled = read(tmp_path, entry + "\n")
    assert lines(compiled) == ["uwsgicfg [uwsgi] env = A=B"]
    assert not compiled.facts and not compiled.problems


def test_configurations_as_uwsgiconf_builds_them(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        from uwsgiconf.presets.empire import Broodlord

        def get():
            first, second = Section('first'), Section('second')
            emperor, zerg = Broodlord('/run/zerg.sock', zerg_count=4).configure()
            return [
                Configuration([first, second], autoinclude_sections=True, alias='pair'),
                Section('bare'),
                Configuration([emperor, zerg], alias='brood'),
            ]

        configure_uwsgi(get)
    """)
    assert [(c.alias, [s.name for s in c.sections]) for c in compiled.configurations] == [
        ("pair", ["first", "second"]), ("uwsgicfg", ["bare"]), ("brood", ["uwsgi", "zerg"])]
    assert "pair [first] ini = :second" in lines(compiled)
    assert "brood [uwsgi] emperor-broodlord = 4" in lines(compiled)
    assert "brood [zerg] zerg = /run/zerg.sock" in lines(compiled)


@pytest.mark.parametrize(("body", "kind", "span"), [
    ("configuration = [Configuration([Section()])]", "configuration-attribute", (2, 1, 2, 45)),
    ("uwsgi_configuration = Section()", "section-assigned", (2, 1, 2, 32)),
    ("def f():\n    return Section()\nuwsgi_configuration = f", "callable-assigned",
     (4, 1, 4, 24)),
    ("s = Section()\ns.env('A', 'B')", "no-configuration", (2, 5, 2, 14)),
])
def test_module_facts(tmp_path: Path, body: str, kind: str, span: tuple[int, ...]) -> None:
    import libcst as cst

    compiled = read(tmp_path, body + "\n")
    assert [(f.kind, where(f.span)) for f in compiled.facts] == [(kind, span)]
    assert compiled.configurations == []
    node = compiled.facts[0].node
    assert isinstance(node, cst.Call if kind == "no-configuration" else cst.Assign)


# --- what is not followed: UW609 ----------------------------------------------------------------


def test_constructs_not_followed_are_said(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        from helpers import get_configurations, tune

        def get():
            section = Section()
            tune(section)
            algo = section.cheapening.algorithms.busyness(busy_max=50)
            algo.set_emergency_params(workers_step=2)
            section.workers.set_basic_param(count=2)
            return section

        configure_uwsgi(get)
        configure_uwsgi(get_configurations)
    """)
    assert problems(compiled) == [
        "a section is handed to `tune`, which uwsgi-lint cannot follow: what it changes is "
        "not checked",
        "`set_emergency_params()` on a cheapening.algorithms.busyness object: uwsgi-lint does "
        "not follow calls on uwsgiconf objects after they are built; it is not checked",
        "`workers.set_basic_param` is not a uwsgiconf method: uwsgiconf fails on this call "
        "(AttributeError); it is not checked",
        "configure_uwsgi() is given a function uwsgi-lint cannot follow: what it returns is "
        "not checked",
    ]
    assert [where(p.span)[:2] for p in compiled.problems] == [(7, 5), (9, 5), (10, 5), (14, 1)]


def test_the_cli_reports_what_is_not_followed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "uwsgicfg.py"
    path.write_text(HEAD + "from helpers import get\nconfigure_uwsgi(get)\n", encoding="utf-8")
    main(["--isolated", "--select", "UW609", str(path)])
    out = capsys.readouterr().out
    assert f"{path}:3:1: UW609 [uwsgiconf-not-followed] info: configure_uwsgi() is given a " \
        "function uwsgi-lint cannot follow: what it returns is not checked" in out


def test_a_syntax_error_is_all_that_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compiled = read(tmp_path, "def get(:\n    return Section()\n")
    assert [(p.code, p.message) for p in compiled.problems] == [
        ("UW600", "not valid Python: expected one of ), *, **, NAME")]
    assert compiled.module is None and compiled.calls == [] and compiled.comments == []
    code = main(["--isolated", str(tmp_path / "uwsgicfg.py")])
    out = capsys.readouterr().out
    assert code == 1 and "UW600 [uwsgiconf-syntax-error] error: not valid Python" in out


def test_comments_are_kept_for_suppressions(tmp_path: Path) -> None:
    compiled = read(tmp_path, """
        def get():  # the configurator
            return Section().workers.set_basic_params(count=1)  # uwsgi-lint: ignore UW607
        configure_uwsgi(get)
    """)
    assert [(c.text, where(c.span)) for c in compiled.comments] == [
        ("# the configurator", (3, 13, 3, 31)),
        ("# uwsgi-lint: ignore UW607", (4, 57, 4, 83)),
    ]


# --- hostile input --------------------------------------------------------------------------------


def test_the_file_is_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    path = tmp_path / "uwsgicfg.py"
    path.write_text(HEAD + f"open({str(marker)!r}, 'w').close()\n"
                    "configure_uwsgi(lambda: Section())\n", encoding="utf-8")
    compiled = evaluate(path.read_text(encoding="utf-8"), str(path))
    assert lines(compiled) == [] and len(compiled.configurations) == 1
    assert main(["--isolated", str(path)]) in (0, 1)
    assert not marker.exists()


@pytest.mark.parametrize("expression", [
    "(" * 5000 + "1" + ")" * 5000,
    "f'{(" * 700 + "1" + ")}'" * 700,
    "-" * 50_000 + "1",
    "+".join(["1"] * 50_000),
    "a" + ".b" * 50_000,
], ids=["brackets", "f-strings", "unary", "operators", "attributes"])
def test_deep_nesting_is_refused_before_parsing(expression: str) -> None:
    # in a subprocess: libcst's parser overflows the C stack on such input (a crash)
    script = ("import sys\nfrom uwsgi_lint.uwsgiconf.evaluate import evaluate\n"
              "c = evaluate(sys.stdin.read(), 'uwsgicfg.py')\n"
              "print([(p.code, p.message) for p in c.problems])\n")
    source = HEAD + "x = " + expression + "\n"
    done = subprocess.run([sys.executable, "-c", script], input=source, text=True,
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "UW609" in done.stdout and "nested more than 200 levels" in done.stdout


@pytest.mark.parametrize(("body", "message"), [
    ("def get():\n    s = Section()\n    for i in range(10**9):\n        s.env('I', str(i))\n"
     "    return s\nconfigure_uwsgi(get)\n",
     "a loop over 1000000000 items (more than 100): its body is read once, for an unknown item"),
    ("x = '" + "a" * 10_000_000 + "'\nconfigure_uwsgi(lambda: Section().env('X', x))\n",
     "a string longer than 64 KB: its value is not read"),
    ("def f(n):\n    return f(n + 1)\nconfigure_uwsgi(lambda: Section().env('X', str(f(0))))\n",
     "calls nested more than 20 deep: this one is not followed"),
    ("x = 10 ** 10 ** 10\nconfigure_uwsgi(lambda: Section().env('X', str(x)))\n",
     "a value larger than uwsgi-lint reads (strings of 64 KB, 10000 items, integers of 65536 "
     "bits, widths of 1000): it is not read"),
    ("x = 'ab'\nfor i in range(100):\n    x = x + x\n"
     "configure_uwsgi(lambda: Section().env('X', x))\n",
     "a value larger than uwsgi-lint reads (strings of 64 KB, 10000 items, integers of 65536 "
     "bits, widths of 1000): it is not read"),
    ("x = '{:>999999999}'.format(1)\nconfigure_uwsgi(lambda: Section().env('X', x))\n",
     "a value larger than uwsgi-lint reads (strings of 64 KB, 10000 items, integers of 65536 "
     "bits, widths of 1000): it is not read"),
], ids=["huge-loop", "10-MB-string", "recursion", "huge-power", "doubling-string",
        "format-width"])
def test_caps_keep_a_hostile_file_bounded(tmp_path: Path, body: str, message: str) -> None:
    compiled = read(tmp_path, body)
    assert message in problems(compiled)
    assert len(compiled.configurations) == 1  # the rest is still read


@pytest.mark.parametrize("body", [
    # a million loop rounds, each writing an option
    "def get():\n    s = Section()\n    for i in range(100):\n        for j in range(100):\n"
    "            for k in range(100):\n                s.env('A', 'B')\n    return s\n"
    "configure_uwsgi(get)\n",
    # exponential recursion: 2**20 calls
    "def g(s):\n    g(s)\n    g(s)\n    s.env('A', 'B')\n"
    "configure_uwsgi(lambda: g(Section()))\n",
], ids=["a-million-rounds", "exponential-recursion"])
def test_work_is_capped(tmp_path: Path, body: str) -> None:
    compiled = read(tmp_path, body)
    assert any(message.startswith(f"this file writes more than {LIMITS['emissions']} options")
               or message.startswith("reading this file takes more than")
               for message in problems(compiled))
    assert len(compiled.calls) <= LIMITS["emissions"] // 2

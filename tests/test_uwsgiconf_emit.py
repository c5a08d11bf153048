"""The emitter against uwsgiconf 2.4.0 itself: each case is a list of calls, written once;
it is turned into Python for the real library (all cases compiled in one subprocess) and
into ``Call`` objects for ``uwsgi_lint.uwsgiconf.emit``; the INI texts must be equal."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

from uwsgi_lint.model import Position, Span
from uwsgi_lint.uwsgiconf import api, emit
from uwsgi_lint.uwsgiconf.model import Arg, Call, CompiledConfiguration, Obj, Unknown

FILE = "uwsgicfg.py"


@dataclass(frozen=True)
class O:  # noqa: E742 - an object built in the file: a socket, an algorithm, a MuleFarm
    kind: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def obj(kind: str, *args: Any, **kwargs: Any) -> O:
    return O(kind, args, kwargs)


@dataclass(frozen=True)
class K:  # a class reached as a constant (``Section.networking.sockets.http``)
    kind: str


@dataclass(frozen=True)
class S:  # another section of the same case, by variable
    var: str


BOOL = "bool"  # ``cast=bool``: the evaluator gives the builtin as Unknown("bool")


@dataclass
class Case:
    name: str
    sections: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]  # var, kind, args, kwargs
    steps: list[tuple[Any, ...]]  # (var, path, args, kwargs) | ("derive", new, old, name)
    configuration: tuple[list[str], dict[str, Any]] = (["s"], {})


def section(kind: str = "Section", *args: Any, **kwargs: Any) -> list[Any]:
    return [("s", kind, args, kwargs)]


def step(path: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    return ("s", tuple(path.split(".")), args, kwargs)


def on(var: str, path: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    return (var, tuple(path.split(".")), args, kwargs)


CASES = [
    Case(
        "empire-master-workers",
        section(),
        [
            step("workers.__call__", count=3),
            step("master_process.set_basic_params", enable=True, no_orphans=True),
            step(
                "empire.set_emperor_params",
                vassals_home=["/etc/vassals", "/srv/vassals"],
                scan_interval=5,
                spawn_asap=True,
                links_no_follow=True,
                name="emperor",
            ),
            step("empire.set_throttle_params", level=1000, level_max=180000),
            step("empire.set_mode_tyrant_params", enable=True, use_initgroups=True),
            step("empire.set_mode_broodlord_params", 4, vassal_overload_sos_interval=10),
            step("empire.set_emperor_command_params", "/run/cmd", wait_for_command=True),
            step("empire.set_vassals_wrapper_params", wrapper="/w", overrides=["a", "b"]),
            step("empire.set_tolerance_params", for_heartbeat=30, for_cursed_vassals=2),
            step("empire.print_monitors"),
        ],
    ),
    Case("touch-workers", section(), [("s", ("workers", "<touch>"), (), {})]),
    Case("touch-python", section(), [("s", ("python", "<touch>"), (), {})]),
    Case(
        "section-methods",
        section(),
        [
            step("env", "A", "B"),
            step("env", "C", unset=True),
            step("env", "D", 1, asap=True),
            step("include", "/x.ini"),
            step("include", ["/y.ini", "/z.ini"]),
            step("set_placeholder", "k", "v"),
            step("set_fallback", "/f.ini"),
            step("print_out", "hello"),
            step("print_out", "soon", asap=True, indent=""),
            step("print_plugins"),
            step("set_basic_params", strict_config=True),
        ],
    ),
    Case(
        "merge-rules",
        section(),
        [
            step("applications.set_basic_params", exit_if_none=True, max_per_worker=3),
            step("networking.set_basic_params", queue_size=10),
            step("main_process.set_basic_params", vacuum=True, touch_reload="/a"),
            step("networking.set_basic_params", queue_size=20),
            step("applications.set_basic_params", exit_if_none=False),
            step("main_process.set_basic_params", touch_reload=["/b", "/c"], priority=5),
            step("master_process.set_basic_params", enable=True),
            step("master_process.set_basic_params", enable=False),
            step("master_process.set_basic_params", enable=True),
        ],
    ),
    Case(
        "python-plain-section",
        section(),
        [
            step(
                "python.set_basic_params",
                search_path=["/a", "/b"],
                python_home="/venv",
                enable_threads=True,
                plugin_dir="/plugins",
                optimization_level=2,
            ),
            step("python.set_wsgi_params", module="app.wsgi", callable_name="application"),
            step("python.set_wsgi_params", module="/srv/app/wsgi.py"),
            step("python.import_module", "mod", shared=True),
            step("python.import_module", ["a", "b"]),
            step("python.set_app_args", "one", "two"),
            step("python.register_module_alias", "x", "y.z"),
            step("python.set_autoreload_params", scan_interval=2, ignore_modules=["m"]),
            step("python.run_module", "runme"),
        ],
    ),
    Case(
        "python-version",
        section(),
        [step("python.set_basic_params", version=2, python_home="/py2")],
    ),
    Case(
        "sockets",
        section(),
        [
            step("networking.register_socket", obj("networking.sockets.http", "127.0.0.1:8000")),
            step(
                "networking.register_socket",
                [
                    obj("networking.sockets.uwsgi", ":3031", persistent=True),
                    obj("networking.sockets.https", ":443", cert="c.crt", key="k.key"),
                    obj("networking.sockets.default", "/tmp/s.sock", bound_workers=[1, 2]),
                ],
            ),
            step(
                "networking.register_socket",
                obj("networking.sockets.http", obj("networking.sockets.shared", ":80")),
            ),
            step(
                "networking.register_socket", obj("networking.sockets.fastcgi", ":9000", nph=True)
            ),
            step("networking.register_socket", obj("networking.sockets.scgi", ":9001")),
            step("networking.register_socket", obj("networking.sockets.udp", ":1234")),
            step("networking.register_socket", obj("networking.sockets.raw", ":1235")),
            step("networking.register_socket", obj("networking.sockets.zeromq", "tcp://h:1")),
            step(
                "networking.register_socket",
                obj("networking.sockets.uwsgis", ":4443", cert="c", key="k", ciphers="HIGH"),
            ),
            step(
                "networking.register_socket",
                obj("networking.sockets.http", ":8080", http11=True, bound_workers=3),
            ),
            step(
                "networking.register_socket",
                obj("networking.sockets.shared", ":81", undeferred=True),
            ),
            step(
                "networking.register_socket",
                obj(
                    "networking.sockets.http",
                    ":82",
                    http11=True,
                    modifier=obj("routing.modifiers.wsgi", 0),
                ),
            ),
            step(
                "networking.register_socket",
                obj("networking.sockets.default", ":83", modifier=obj("routing.modifiers.psgi")),
            ),
        ],
    ),
    Case(
        "networking-params",
        section(),
        [
            step(
                "networking.set_basic_params",
                queue_size=100,
                freebind=True,
                default_socket_type=K("networking.sockets.http"),
                buffer_size=8192,
                buffer_post_size=1024,
            ),
            step("networking.set_socket_params", timeout=5, keep_alive=True, buffer_send=10),
            step("networking.set_unix_socket_params", permissions="660", owner="www-data"),
            step("networking.set_bsd_socket_params", port_reuse=True),
            step(
                "networking.set_ssl_params",
                verbose_errors=True,
                sessions_cache="x",
                raw_options=[1, 2],
                session_context="ctx",
                client_cert_var="CERT",
            ),
            step("networking.set_ssl_params", sessions_cache=True),
            step("networking.set_sni_params", "h", cert="c", key="k", wildcard=True),
            step("networking.set_sni_params", "h2", cert="c", key="k", client_ca="ca"),
            step("networking.set_sni_dir_params", "/sni", ciphers="HIGH"),
        ],
    ),
    Case(
        "cheaper-busyness",
        section(),
        [
            step(
                "cheapening.set_basic_params",
                spawn_on_request=True,
                cheaper_algo=obj(
                    "cheapening.algorithms.busyness", busy_max=50, verbose=True, idle_cycles_max=3
                ),
                workers_min=2,
                workers_startup=4,
                workers_step=1,
            ),
            step("cheapening.set_memory_limits", rss_soft=100, rss_hard=200),
            step("cheapening.print_algorithms"),
        ],
    ),
    Case(
        "cheaper-queue",
        section(),
        [
            step(
                "cheapening.__call__",
                cheaper_algo=obj("cheapening.algorithms.queue", check_num_overload=3),
                workers_min=1,
            ),
        ],
    ),
    Case(
        "main-process",
        section(),
        [
            step(
                "main_process.set_owner_params",
                uid="www",
                gid="www",
                add_gids=[1, 2],
                set_asap=True,
                drop_after="init",
            ),
            step("main_process.daemonize", "/log", after_app_loading=True),
            step("main_process.change_dir", "/app"),
            step("main_process.set_pid_file", "/run/p.pid", before_priv_drop=False, safe=True),
            step(
                "main_process.set_naming_params",
                autonaming=True,
                prefix="app ",
                suffix="x",
                name="n",
            ),
            step("main_process.set_hook", "asap", "mkdir:/x"),
            step("main_process.set_hook", "as-user", obj("main_process.actions.dir_create", "/t")),
            step("main_process.set_hook", "as-user", obj("main_process.actions.execute", "ls")),
            step("main_process.run_command_on_event", "echo 1"),
            step("main_process.run_command_on_event", "echo 2", phase="emperor-start"),
            step("main_process.run_command_on_touch", "cmd", target="/t"),
            step("main_process.set_hook_touch", "/f", "exec:x"),
            step("main_process.set_hook_after_request", "mod.func"),
            step("main_process.set_memory_params", no_swap=True, ksm_interval=3),
            step("main_process.set_on_exit_params", skip_hooks=True),
            step("main_process.set_basic_params", binary_path="/bin/uwsgi", honour_stdin=True),
        ],
    ),
    Case(
        "master-process",
        section(),
        [
            step(
                "master_process.add_cron_task", "cmd", weekday=1, hour=-2, unique=True, harakiri=30
            ),
            step("master_process.add_cron_task", "other", minute=5, legion="l"),
            step(
                "master_process.attach_process",
                "run",
                pidfile="/p",
                control=True,
                touch_reload=["/a", "/b"],
                new_pid_ns=True,
                uid=33,
            ),
            step("master_process.attach_process", "leg", for_legion=True, broken_counter=3),
            step("master_process.attach_process_classic", "/x.pid", background=True),
            step("master_process.attach_process_classic", "/y.pid", background=False),
            step("master_process.attach_process_classic", "cmd", background=False, control=True),
            step("master_process.attach_process_classic", "c2", background=False, for_legion=True),
            step("master_process.set_exit_events", no_workers=True, idle=True, reload=True),
            step(
                "master_process.set_basic_params",
                fifo_file="/tmp/fifo",
                name="m",
                as_root=False,
                subproc_check_interval=2,
            ),
            step("master_process.set_exception_handling_params", handler=["h"], catch=True),
            step("master_process.set_idle_params", timeout=10),
            step("master_process.set_reload_params", mercy=5, exit=True),
        ],
    ),
    Case(
        "workers",
        section(),
        [
            step(
                "workers.set_thread_params",
                enable=True,
                count=4,
                count_offload=2,
                stack_size=512,
                no_wait=True,
            ),
            step(
                "workers.set_mules_params",
                farms=[obj("MuleFarm", "a", 2), obj("MuleFarm", "b", [5, 6])],
                harakiri_timeout=3,
            ),
            step("workers.set_reload_params", max_requests=100, max_rss=200, mercy=5),
            step("workers.set_harakiri_params", timeout=30, verbose=True),
            step("workers.run_command_as_worker", "x", after_post_fork_hook=True),
            step("workers.set_zerg_server_params", "/z"),
            step("workers.set_zerg_server_params", "/zp", clients_socket_pool=["/c1", "/c2"]),
            step("workers.set_zerg_client_params", ["/z1", "/z2"], use_fallback_socket=True),
            step("workers.set_reload_on_exception_params", do_reload=True, etype="E"),
            step(
                "workers.set_basic_params",
                count=0,
                touch_reload="/t",
                zombie_reaper=True,
                limit_addr_space=512,
            ),
        ],
    ),
    Case("mules-list", section(), [step("workers.set_mules_params", [1, 2])]),
    Case("mules-count", section(), [step("workers.set_mules_params", 3, msg_buffer=10)]),
    Case("count-auto", section(), [step("workers.set_count_auto", 6)]),
    Case(
        "logging",
        section(),
        [
            step("logging.log_into", "/var/log/x", before_priv_drop=False),
            step(
                "logging.set_basic_params",
                no_requests=True,
                template="%(method)",
                prefix_date="%Y",
                response_ms=True,
                prefix="p",
            ),
            step("logging.set_file_params", max_size=100, touch_reopen=["/a"], owner="o"),
            step("logging.set_filters", write_errors=False, sigpipe=False, include=["a", "b"]),
            step(
                "logging.set_master_logging_params",
                enable=True,
                dedicate_thread=True,
                sock_stream_requests_only=True,
            ),
            step("logging.add_logger", "file:/x", requests_only=True),
            step("logging.add_logger", ["a", "b"], for_single_worker=True),
            step("logging.set_requests_filters", slower=100, status_5xx=True),
            step("logging.print_loggers"),
        ],
    ),
    Case("log-date-flag", section(), [step("logging.set_basic_params", prefix_date=True)]),
    Case(
        "applications-locks",
        section(),
        [
            step("applications.mount", "/a", "app.wsgi"),
            step("applications.mount", "/b", "b", into_worker=True),
            step("applications.switch_into_lazy_mode"),
            step("applications.switch_into_lazy_mode", affect_master=True),
            step("locks.set_basic_params", thunder_lock=True, count=2, lock_engine="ipcsem"),
            step("locks.lock_file", "/f", after_setup=True, wait=True),
            step("locks.lock_file", "/g"),
            step("locks.set_ipcsem_params", ftok="/f", persistent=True),
        ],
    ),
    Case(
        "spooler-statics",
        section(),
        [
            step("spooler.set_basic_params", base_dir="/spool", process_count=2, quiet=True),
            step("spooler.add", ["a", "b"], external=True),
            step("spooler.add", "c"),
            step("statics.set_basic_params", static_dir="docroot", index_file=["index.html"]),
            step("statics.set_basic_params", skip_ext=".php", static_dir=["/s1", "/s2"]),
            step(
                "statics.register_static_map",
                "/s",
                "/static",
                retain_resource_path=True,
                safe_target=True,
            ),
            step("statics.add_expiration_rule", "type", ["text/html"], timeout=10),
            step("statics.add_expiration_rule", "filename", "a.txt", timeout=5, use_mod_time=True),
            step("statics.set_paths_caching_params", timeout=5),
        ],
    ),
    Case(
        "caching-queue-alarms",
        section(),
        [
            step("caching.set_basic_params", no_expire=True, expire_scan_interval=5),
            step(
                "caching.add_cache",
                "c",
                max_items=10,
                store="/s",
                udp_clients=["a", "b"],
                no_expire=False,
                full_purge_lru=True,
            ),
            step("caching.add_item", "k", "v", cache_name="c"),
            step("caching.add_item", "k2", "v2"),
            step("caching.add_file", "/f", gzip=True),
            step("queue.enable", 10, block_size=2),
            step("alarms.set_basic_params", msg_size=10, cheap=True),
            step("monitoring.set_stats_params", address=":1717", enable_http=True),
        ],
    ),
    Case(
        "nice-full",
        section(
            "nice.Section",
            workers=4,
            threads=2,
            mules=2,
            owner="www-data",
            log_into="/l",
            log_dedicated=True,
            process_prefix="app",
            ignore_write_errors=True,
            touch_reload="/t",
        ),
        [],
    ),
    Case("nice-default", section("nice.Section"), []),
    Case("nice-threads-flag", section("nice.Section", "web", threads=True), []),
    Case(
        "python-section",
        section(
            "PythonSection",
            wsgi_module="/app/wsgi.py",
            params_python={"search_path": "/x"},
            require_app=False,
            threads=3,
            embedded_plugins=False,
        ),
        [step("python.set_basic_params", python_home="/venv")],
    ),
    Case("python-section-default", section("PythonSection"), []),
    Case(
        "python-section-named",
        section("PythonSection", "app", workers=2, wsgi_callable="app"),
        [step("configure_owner", "nobody")],
    ),
    Case(
        "section-kwargs",
        section(
            "Section",
            "main",
            params_workers={"count": 3},
            params_master_process={"enable": True},
            params_empire={"x": 1},
            params_nothing={"y": 2},
            strict_config=True,
            workerz=4,
        ),
        [],
    ),
    Case(
        "raw-and-plugins",
        section(),
        [
            step("_set", "show-config", True, cast=BOOL),
            step("_set", "jailed", "true"),
            step("_set", "x", ["a", "b"], multi=True),
            step("_set", "y", ("p", "q")),
            step("set_plugins_params", plugins=["a", "b"], search_dirs=["/p1"], autoload=True),
            step("set_plugins_params", plugins="c", required=True),
            step("set_plugins_params", plugins="a"),
        ],
    ),
    Case("plugins-dir-dropped", section(), [step("set_plugins_params", search_dirs="/p")]),
    Case(
        "autoinclude",
        [("a", "Section", ("a",), {}), ("b", "Section", ("b",), {}), ("c", "Section", ("c",), {})],
        [
            on("a", "env", "A", "1"),
            on("b", "env", "B", "2"),
            on("c", "include", S("a")),
            on("c", "set_fallback", S("b")),
        ],
        (["a", "b", "c"], {"autoinclude_sections": True, "alias": "x"}),
    ),
    Case(
        "derive",
        [("a", "Section", (), {})],
        [
            on("a", "env", "A", "1"),
            on("a", "workers.__call__", count=2),
            ("derive", "d", "a", "derived"),
            on("d", "workers.__call__", count=5),
            on("d", "env", "D", "4"),
        ],
        (["a", "d"], {}),
    ),
    Case(
        "placeholders",
        section("Section", runtime_dir="/r/", project_name="p"),
        [
            step("master_process.set_basic_params", fifo_file="{project_runtime_dir}/fifo"),
            step(
                "networking.register_socket", obj("networking.sockets.default", "{runtime_dir}/s")
            ),
            step("spooler.add", "{project_name}/x"),
        ],
    ),
    Case(
        "placeholders-owner",
        section(),
        [
            step("main_process.set_owner_params", uid="www"),
            step(
                "networking.register_socket", obj("networking.sockets.default", "{runtime_dir}/a")
            ),
        ],
    ),
    Case(
        "style-prints",
        section("Section", style_prints=True),
        [
            step("print_out", "x", format_options="red"),
            step("print_out", "y", format_options={"color_fg": "blue", "color_bg": "white"}),
            step("workers.set_thread_params", count=2),
        ],
    ),
    Case(
        "routing-headers",
        section(),
        [
            step("routing.header_add", "X-A", "1"),
            step("routing.header_collect", "X-B", "B", pull=True),
            step("routing.header_collect", "X-C", "C"),
            step("routing.header_remove", "X-D"),
            step("routing.set_error_page", 404, "/404.html"),
            step("routing.set_error_page", "500", "/500.html"),
            step("routing.set_geoip_params", db_country="/c.dat"),
        ],
    ),
    Case("tuple-emperor", section(), [step("empire.set_emperor_params", vassals_home=("a", "b"))]),
]


def _generated_cases() -> list[Case]:
    """Every group method the emitter writes from the catalog alone, each parameter given:
    a text for a verbatim one, True for a flag, two items for a repeated one."""
    samples = {"verbatim": "text-{}", "flag": True, "multi": ["{}-1", "{}-2"]}
    cases = []
    for group in sorted(api.groups()):
        for name in api.methods(group):
            spec = api.method(group, name)
            if spec is None or (group, name) in emit._HANDLERS or name.startswith("get_"):
                continue
            if not spec.params or any(p.cast not in emit._SIMPLE for p in spec.params):
                continue
            kwargs = {}
            for param in spec.params:
                sample = samples[param.cast]
                kwargs[param.name] = (
                    [item.format(param.name) for item in sample]
                    if isinstance(sample, list)
                    else sample.format(param.name)
                    if isinstance(sample, str)
                    else sample
                )
            args = tuple(kwargs.pop(p.name) for p in spec.params if p.required and p.positional)
            cases.append(
                Case(
                    f"generic-{group}.{name}", section(), [step(f"{group}.{name}", *args, **kwargs)]
                )
            )
    return cases


CASES += _generated_cases()


# --- one side: Python source for the real library ------------------------------------------


def _code(value: Any) -> str:
    if isinstance(value, O):
        target = value.kind if value.kind == "MuleFarm" else f"Section.{value.kind}"
        return f"{target}({_arguments(value.args, value.kwargs)})"
    if isinstance(value, K):
        return f"Section.{value.kind}"
    if isinstance(value, S):
        return value.var
    if value == BOOL:
        return "bool"
    if isinstance(value, list):
        return "[" + ", ".join(_code(item) for item in value) + "]"
    return repr(value)


def _arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return ", ".join([_code(arg) for arg in args] + [f"{k}={_code(v)}" for k, v in kwargs.items()])


_CLASSES = {
    "Section": "Section",
    "nice.Section": "NiceSection",
    "PythonSection": "PythonSection",
}


def _source(case: Case) -> str:
    lines = []
    for var, kind, args, kwargs in case.sections:
        lines.append(f"{var} = {_CLASSES[kind]}({_arguments(args, kwargs)})")
    for item in case.steps:
        if item[0] == "derive":
            _, new, old, name = item
            lines.append(f"{new} = Section.derive_from({old}, name={name!r})")
            continue
        var, path, args, kwargs = item
        if path[-1] == "<touch>":
            lines.append(f"{var}.{path[0]}")
            continue
        target = ".".join(path[:-1] if path[-1] == "__call__" else path)
        lines.append(f"{var}.{target}({_arguments(args, kwargs)})")
    variables, kwargs = case.configuration
    lines.append(f"conf = Configuration([{', '.join(variables)}], {_arguments((), kwargs)})")
    return "\n".join(lines)


_PRELUDE = """\
from uwsgiconf.config import Configuration, Section
from uwsgiconf.options.workers import MuleFarm
from uwsgiconf.presets.nice import PythonSection, Section as NiceSection
from uwsgiconf.presets.empire import Broodlord
"""

_CHILD = """\
import json, sys
results = []
for source in json.load(sys.stdin):
    space = {}
    try:
        exec(source, space)
        results.append(space["conf"].format(stamp=False))
    except Exception as error:
        results.append(f"ERROR {type(error).__name__}: {error}")
print(json.dumps(results))
"""


def _compile(sources: list[str]) -> list[str]:
    """Every source compiled by uwsgiconf 2.4.0 in one subprocess (as root or not: no case
    depends on the user)."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps([_PRELUDE + source for source in sources]),
        capture_output=True,
        text=True,
        check=True,
    )
    results: list[str] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="module")
def library_output() -> dict[str, str]:
    extra = [_BROODLORD_SOURCE, _BOOTSTRAP_SOURCE]
    results = _compile([_source(case) for case in CASES] + extra)
    names = [case.name for case in CASES] + ["broodlord", "bootstrap"]
    return dict(zip(names, results, strict=True))


# --- the other side: Calls for the emitter --------------------------------------------------


class Spans:
    """A fresh span for every piece of a call (one per line: easy to tell apart)."""

    def __init__(self) -> None:
        self.lines = itertools.count(1)

    def __call__(self) -> Span:
        line = next(self.lines)
        return Span(FILE, Position(line, 1), Position(line, 9))


def _value(value: Any, spans: Spans, states: dict[str, emit.SectionState]) -> Any:
    if isinstance(value, O):
        return Obj(value.kind, _args(value.args, value.kwargs, spans, states), spans())
    if isinstance(value, K):
        return api.Kind(value.kind)
    if isinstance(value, S):
        return states[value.var]
    if value == BOOL:
        return Unknown("bool", "a builtin")
    if isinstance(value, list):
        return [_value(item, spans, states) for item in value]
    if isinstance(value, dict):
        return {key: _value(item, spans, states) for key, item in value.items()}
    return value


def _args(
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    spans: Spans,
    states: dict[str, emit.SectionState],
) -> tuple[Arg, ...]:
    out = [Arg(None, _value(arg, spans, states), spans(), spans()) for arg in args]
    for key, value in kwargs.items():
        out.append(Arg(key, _value(value, spans, states), spans(), spans(), spans()))
    return tuple(out)


def _call(
    path: tuple[str, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    spans: Spans,
    states: dict[str, emit.SectionState],
    condition: str | None = None,
) -> Call:
    return Call(path, _args(args, kwargs, spans, states), spans(), spans(), condition)


def _emit(case: Case) -> CompiledConfiguration:
    spans = Spans()
    states: dict[str, emit.SectionState] = {}
    for var, kind, args, kwargs in case.sections:
        states[var] = emit.SectionState(kind, _call((kind,), args, kwargs, spans, states))
    for item in case.steps:
        if item[0] == "derive":
            _, new, old, name = item
            call = _call(("derive_from",), (S(old),), {"name": name}, spans, states)
            states[new] = states[old].derive(call, name)
            continue
        var, path, args, kwargs = item
        if path[-1] == "<touch>":
            states[var].touch(path[0], spans(), None)
            continue
        states[var].apply(_call(path, args, kwargs, spans, states))
    variables, kwargs = case.configuration
    call = _call(("Configuration",), (), kwargs, spans, states)
    return emit.configuration([states[var] for var in variables], call)


def ini(configuration: CompiledConfiguration) -> str:
    """The configuration as uwsgiconf's IniFormatter prints it."""
    lines = []
    for compiled in configuration.sections:
        if compiled.emissions:
            lines.append(f"\n[{compiled.name}]")
        for emission in compiled.emissions:
            value = emission.value
            text = value if isinstance(value, str) else f"<unknown: {value.text}>"
            lines.append(f"{emission.key} = {text}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_emitter_writes_what_uwsgiconf_writes(case: Case, library_output: dict[str, str]) -> None:
    expected = library_output[case.name]
    assert not expected.startswith("ERROR"), expected
    assert ini(_emit(case)).splitlines() == expected.splitlines()


_BROODLORD_SOURCE = """\
emperor, zerg = Broodlord(
    '/run/zerg.sock', zerg_die_on_idle=30, vassals_home='/v', zerg_count=2,
    vassal_overload_sos_interval=3, vassal_queue_items_sos=4,
).configure()
conf = Configuration([emperor, zerg])
"""


def test_broodlord(library_output: dict[str, str]) -> None:
    spans = Spans()
    kwargs = {
        "zerg_die_on_idle": 30,
        "vassals_home": "/v",
        "zerg_count": 2,
        "vassal_overload_sos_interval": 3,
        "vassal_queue_items_sos": 4,
    }
    call = _call(("Broodlord",), ("/run/zerg.sock",), kwargs, spans, {})
    emperor, zerg = emit.broodlord(call)
    compiled = emit.configuration([emperor, zerg], _call(("Configuration",), (), {}, spans, {}))
    assert ini(compiled).splitlines() == library_output["broodlord"].splitlines()
    idle = [e for e in compiled.sections[1].emissions if e.key == "idle"]
    assert idle[0].implicit == emit.IMPLICIT_BROODLORD  # 30 whatever zerg_die_on_idle says


_BOOTSTRAP_SOURCE = """\
s = PythonSection.bootstrap(
    ['http://127.0.0.1:8000', 'https://0.0.0.0:8443?cert=c&key=k', 'http://:80', 'uwsgi://:3031'],
    allow_shared_sockets=True, wsgi_module='app', workers=2,
)
conf = Configuration([s])
"""


def test_bootstrap(library_output: dict[str, str]) -> None:
    spans = Spans()
    dsns = [
        "http://127.0.0.1:8000",
        "https://0.0.0.0:8443?cert=c&key=k",
        "http://:80",
        "uwsgi://:3031",
    ]
    kwargs = {"allow_shared_sockets": True, "wsgi_module": "app", "workers": 2}
    call = _call(("PythonSection", "bootstrap"), (dsns,), kwargs, spans, {})
    state = emit.SectionState("PythonSection", call)
    compiled = emit.configuration([state], _call(("Configuration",), (), {}, spans, {}))
    assert ini(compiled).splitlines() == library_output["bootstrap"].splitlines()


# --- what only the static reading has: unknown values, conditions, spans, binding ----------


def _state(kind: str = "Section", **kwargs: Any) -> tuple[emit.SectionState, Spans]:
    spans = Spans()
    return emit.SectionState(kind, _call((kind,), (), kwargs, spans, {})), spans


def _lines(state: emit.SectionState) -> list[tuple[str, Any, str | None]]:
    return [(e.key, e.value, e.condition) for e in state.compiled().emissions]


def test_env_without_value_reads_the_environment_at_compile_time() -> None:
    state, spans = _state()
    state.apply(_call(("env",), ("HOME",), {}, spans, {}))
    assert _lines(state) == [("env", Unknown("HOME={os.environ['HOME']}", emit.ENVIRON,
                                             "HOME=<unknown: os.environ['HOME']>"), None)]


def test_unknown_values_are_written_as_unknown_never_guessed() -> None:
    state, spans = _state()
    count = Unknown("settings.WORKERS", "Django settings")
    flag = Unknown("DEBUG_ON", "a function's result")
    state.apply(_call(("workers", "set_basic_params"), (), {"count": count}, spans, {}))
    state.apply(_call(("master_process", "set_basic_params"), (), {"enable": flag}, spans, {}))
    # the option name depends on the unknown: nothing is written
    state.apply(
        _call(("main_process", "change_dir"), ("/a",), {"after_app_loading": flag}, spans, {})
    )
    assert _lines(state) == [("workers", count, None), ("master", flag, None)]


def test_runtime_dir_placeholder_without_a_runtime_dir_is_unknown() -> None:
    state, spans = _state()
    socket = obj("networking.sockets.default", "{runtime_dir}/app.sock")
    state.apply(_call(("networking", "register_socket"), (socket,), {}, spans, {}))
    [(key, value, _)] = _lines(state)
    assert key == "socket" and isinstance(value, Unknown) and value.reason == emit.RUNTIME_DIR


def test_bootstrap_privileged_port_depends_on_the_user() -> None:
    spans = Spans()
    call = _call(("Section", "bootstrap"), ("http://:80",), {}, spans, {})
    state = emit.SectionState("Section", call)
    [(key, value, _)] = _lines(state)
    assert key == "http-socket" and isinstance(value, Unknown)
    assert value.reason == emit.SHARED_BY_EUID


def test_both_branches_of_an_undecided_if_are_kept() -> None:
    state, spans = _state()
    for condition, count in (("in_production", 8), ("not (in_production)", 2)):
        call = _call(("workers", "set_basic_params"), (), {"count": count}, spans, {}, condition)
        state.apply(call)
    # each branch's count replaces that branch's implicit workers = %k
    assert _lines(state) == [
        ("workers", "8", "in_production"),
        ("workers", "2", "not (in_production)"),
    ]
    state.apply(_call(("workers", "set_basic_params"), (), {"count": 4}, spans, {}))
    assert _lines(state) == [("workers", "4", None)]  # an unconditional write replaces all


def test_conditional_lines_of_a_repeated_option_accumulate() -> None:
    state, spans = _state()
    state.apply(_call(("env",), ("A", "1"), {}, spans, {}))
    state.apply(_call(("env",), ("B", "2"), {}, spans, {}, "DEBUG"))
    assert _lines(state) == [("env", "A=1", None), ("env", "B=2", "DEBUG")]


def test_touching_workers_is_implicit_until_a_count_is_set() -> None:
    state, spans = _state()
    access = spans()
    state.touch("workers", access, None)
    [emission] = state.compiled().emissions
    assert (emission.key, emission.value, emission.key_span) == ("workers", "%k", access)
    assert emission.implicit.startswith("first access to section.workers")
    state.apply(_call(("workers", "__call__"), (), {"count": 3}, spans, {}))
    [emission] = state.compiled().emissions
    assert (emission.value, emission.implicit) == ("3", "")


def test_spans_point_at_the_keyword_or_the_method_name() -> None:
    state, spans = _state()
    call = _call(("empire", "set_emperor_params"), (), {"vassals_home": "/v"}, spans, {})
    state.apply(call)
    positional = _call(("main_process", "change_dir"), ("/app",), {}, spans, {})
    state.apply(positional)
    emperor, chdir = state.compiled().emissions
    arg = call.args[0]
    assert (emperor.key_span, emperor.value_span, emperor.span) == (
        arg.keyword_span,
        arg.value_span,
        arg.span,
    )
    assert chdir.key_span == positional.name_span
    assert chdir.value_span == positional.args[0].value_span


def test_binding_records_the_method_and_unknown_keywords() -> None:
    state, spans = _state()
    call = _call(("empire", "set_throttle_params"), (), {"level": 5, "levelmax": 9}, spans, {})
    assert state.apply(call) == "section"
    assert call.method is api.method("empire", "set_throttle_params")
    assert list(call.bound) == ["level"]
    assert [arg.keyword for arg in call.unknown] == ["levelmax"]
    assert _lines(state) == []  # uwsgiconf raises TypeError: nothing is written


def test_a_constructor_swallows_unknown_keywords_and_says_which() -> None:
    spans = Spans()
    call = _call(("Section",), (), {"workerz": 4, "params_workers": {"count": 2}}, spans, {})
    state = emit.SectionState("Section", call)
    assert [arg.keyword for arg in call.unknown] == ["workerz"]
    assert _lines(state) == [("workers", "2", None)]


def test_nice_preset_lines_say_why() -> None:
    state, _ = _state("nice.Section")
    implicit = {e.key: e.implicit for e in state.compiled().emissions}
    assert implicit["master"] == emit.IMPLICIT_PRESET.format(kind="nice.Section")
    assert implicit["workers"] == emit.IMPLICIT_PRESET.format(kind="nice.Section")


def test_python_option_on_a_plain_section_loads_python3() -> None:
    state, spans = _state()
    state.apply(_call(("python", "set_basic_params"), (), {"python_home": "/v"}, spans, {}))
    plugin = next(e for e in state.compiled().emissions if e.key == "plugin")
    assert (plugin.value, plugin.implicit) == ("python3", emit.IMPLICIT_PLUGIN)


def test_unknown_method_writes_nothing_and_returns_nothing() -> None:
    state, spans = _state()
    call = _call(("workers", "set_cheaper_params"), (), {"count": 1}, spans, {})
    assert state.apply(call) == ""
    assert call.method is None


def test_as_configuration_alias_and_the_default_alias() -> None:
    state, spans = _state()
    state.apply(_call(("env",), ("A", "1"), {}, spans, {}))
    named = emit.configuration(
        [state], _call(("as_configuration",), (), {"alias": "web"}, spans, {})
    )
    plain = emit.configuration([state], _call(("Configuration",), (), {}, spans, {}))
    assert (named.alias, plain.alias) == ("web", "uwsgicfg")
    assert ini(named) == "\n[uwsgi]\nenv = A=1"


def test_api_answers_as_agreed() -> None:
    assert len(api.groups()) == 18
    assert api.method("workers", "__call__") == api.method("workers", "set_basic_params")
    assert api.constant(("main_process", "phases", "ASAP")) == "asap"
    assert api.constant(("vars", "CPU_CORES")) == "%k"
    assert api.constant(("networking", "sockets", "http")) == api.Kind("networking.sockets.http")
    assert api.imported("uwsgiconf.presets.nice", "Section") == api.Kind("nice.Section")
    assert api.imported("uwsgiconf.config", "configure_uwsgi") == "configure_uwsgi"
    level_max = api.method("empire", "set_throttle_params").param("level_max")  # type: ignore[union-attr]
    assert level_max is not None and level_max.options == ("emperor-max-throttle",)
    buffer = api.method("networking", "set_basic_params").param("buffer_post_size")  # type: ignore[union-attr]
    assert buffer is not None and buffer.since == "2.4.0"
    empire_call = api.method("empire", "__call__")
    assert empire_call is not None and empire_call.var_keyword and not empire_call.params


_ODD_VALUES = [
    Unknown("x()", "a function's result"),
    [Unknown("a", "r"), "b"],
    {"k": Unknown("v", "r")},
    ("t", 1),
    3.5,
    -1,
    "",
    None,
    False,
    api.Kind("networking.sockets.http"),
    Obj("networking.sockets.http", (), Span(FILE, Position(1, 1), Position(1, 2))),
    Obj("MuleFarm", (), Span(FILE, Position(1, 1), Position(1, 2))),
]


@pytest.mark.parametrize("kind", ["Section", "nice.Section", "PythonSection"])
def test_any_value_in_any_parameter_never_raises(kind: str) -> None:
    """The file is hostile input: whatever the evaluator hands over, the emitter writes
    lines or nothing, and never raises."""
    spans = Spans()
    other = emit.SectionState("Section", _call(("Section",), (), {}, spans, {}))
    methods = [(group, name) for group in sorted(api.groups()) for name in api.methods(group)]
    methods += [("", name) for name in api.methods("")] + [("", n) for n in api.methods(kind)]
    for value in [*_ODD_VALUES, other]:
        for params in ([], ["*"]):
            ctor = api.constructor(kind)
            assert ctor is not None
            kwargs = {p.name: value for p in ctor.params if params}
            state = emit.SectionState(kind, _call((kind,), (), kwargs, spans, {}))
            for group, name in methods:
                spec = api.method(group or kind, name)
                assert spec is not None
                given = {p.name: value for p in spec.params}
                path = (group, name) if group else (name,)
                state.apply(Call(path, _args((), given, spans, {}), spans(), spans()))
            for emission in state.compiled().emissions:
                assert isinstance(emission.value, str | Unknown)


@pytest.mark.parametrize("value", [*_ODD_VALUES, ["http://:80", "bad://x", "http://h:bad"]])
def test_bootstrap_broodlord_configuration_never_raise(value: Any) -> None:
    spans = Spans()
    call = _call(
        ("PythonSection", "bootstrap"), (value,), {"allow_shared_sockets": value}, spans, {}
    )
    state = emit.SectionState("PythonSection", call)
    broodlord_kwargs = {name: value for name in ("zerg_die_on_idle", "vassals_home", "zerg_count")}
    emperor, zerg = emit.broodlord(_call(("Broodlord",), (value,), broodlord_kwargs, spans, {}))
    kwargs = {"alias": value, "autoinclude_sections": value}
    compiled = emit.configuration(
        [state, emperor, zerg], _call(("Configuration",), (), kwargs, spans, {})
    )
    assert [section.name for section in compiled.sections][1:] == ["uwsgi", "zerg"]

"""What each uwsgiconf call writes into its section, as uwsgiconf 2.4.0's ``Section`` does.

Options live in an insertion-ordered dict, as in uwsgiconf: a single key keeps the position
of its first write and the value of its last; a repeated key lists every value at the
position of its first write; a flag set to False deletes the key.  A call under an
undecided ``if`` (``Call.condition``) adds its lines beside the others instead of
replacing them (a single key is replaced only by a write under the same condition).

Most parameters are data (``api``: the option the probe saw, its cast); the methods whose
parameters choose the option, combine several values or touch other groups are written
out below, each following the library's source.  A value only running the file would give
is written as an :class:`Unknown`, never guessed; what cannot be modelled writes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..model import Span
from . import api
from .model import (
    Arg,
    Call,
    CompiledConfiguration,
    CompiledSection,
    Emission,
    Obj,
    Unknown,
    unknown_text,
)

if TYPE_CHECKING:
    from urllib.parse import SplitResult

# ``Emission.implicit``: why a line is written without being asked for.
IMPLICIT_TOUCH = (
    "first access to section.{group}: uwsgiconf writes workers = %k (one worker per CPU core)"
    " unless a count is set"
)
IMPLICIT_PRESET = "the {kind} preset's default"
IMPLICIT_PLUGIN = "uwsgiconf loads the plugin this option belongs to"
IMPLICIT_THREADS_PRINT = "uwsgiconf prints the thread count"
IMPLICIT_BROODLORD = "the Broodlord preset"

ENVIRON = "os.environ at compile time"
RUNTIME_DIR = "{runtime_dir} without set_runtime_dir() depends on the compiling user's uid"
SHARED_BY_EUID = "with allow_shared_sockets=None, a shared socket is used unless compiled as root"
NOT_RENDERED = "an object uwsgi-lint does not render"

_SIMPLE = ("verbatim", "flag", "multi")
# methods whose writes depend on objects this module does not render (routing rules,
# alarms, metrics, subscriptions, loggers' routes and encoders): they write nothing here
NOT_MODELLED = frozenset({
    ("routing", "register_route"), ("routing", "use_router"), ("routing", "set_error_pages"),
    ("monitoring", "register_metric"), ("monitoring", "register_stats_pusher"),
    ("monitoring", "set_metrics_threshold"),
    ("subscriptions", "subscribe"), ("alarms", "register_alarm"),
    ("alarms", "alarm_on_fd_ready"), ("alarms", "alarm_on_log"),
    ("alarms", "alarm_on_queue_full"), ("alarms", "alarm_on_segfault"),
    ("logging", "add_logger_route"), ("logging", "add_logger_encoder"),
    ("", "print_variables"), ("nice.Section", "configure_https_redirect"),
    ("nice.Section", "configure_logging_json"), ("nice.Section", "configure_maintenance_mode"),
})
_AUTO = -1  # uwsgiconf.options.python.AUTO: the compiling interpreter's major version
_PRINT_INDENT = ">   "
_COLORS_FG = {
    "black": "30", "red": "31", "reder": "91", "green": "32", "greener": "92", "yellow": "33",
    "yellower": "93", "blue": "34", "bluer": "94", "magenta": "35", "magenter": "95",
    "cyan": "36", "cyaner": "96", "gray": "37", "grayer": "90", "white": "97",
}  # fmt: skip
_COLORS_BG = {
    "black": "40", "red": "41", "reder": "101", "green": "42", "greener": "102", "yellow": "43",
    "yellower": "103", "blue": "44", "bluer": "104", "magenta": "45", "magenter": "105",
    "cyan": "46", "cyaner": "106", "gray": "47", "grayer": "100", "white": "107",
}  # fmt: skip
# uwsgiconf's plugin presets: what PythonSection(embedded_plugins=True) considers loaded
_PYTHON_PLUGINS = ("python", "python2", "python3")


# --- values -----------------------------------------------------------------------------


def split_dsn(dsn: str) -> SplitResult:
    """``urlsplit(dsn)`` as Python 3.11 and later split it (uwsgiconf's ``from_dsn``): a
    scheme starts with a letter.  Python 3.10 also takes ``127.0.0.1`` in ``127.0.0.1:8000``
    for one (checked on 3.10.13 and 3.11.7); the answer must not depend on the interpreter
    that runs the linter (UW605 says what 3.10 does)."""
    from urllib.parse import SplitResult, urlsplit

    head, colon, _ = dsn.partition(":")
    if colon and head and not head[0].isalpha() and "//" not in dsn:
        rest, _, fragment = dsn.partition("#")
        path, _, query = rest.partition("?")
        return SplitResult("", "", path, query, fragment)
    return urlsplit(dsn)


def _not_modelled(spec: api.MethodSpec, bound: _Bound) -> bool:
    """Whether a call writes options this module does not model."""
    return (spec.owner, spec.name) in NOT_MODELLED and bool(bound.values or not spec.params)


def _first_unknown(value: Any) -> Unknown | None:
    """The first part of a value that is not a plain Python value (as an Unknown): inside
    a container an object prints as its repr, which only running the file would give."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Obj):
        return Unknown(f"{value.kind}(...)", NOT_RENDERED)
    if isinstance(value, SectionState):
        return Unknown(value.name, NOT_RENDERED)
    if isinstance(value, api.Kind):
        return Unknown(value.kind, NOT_RENDERED)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            found = _first_unknown(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for item in (*value.keys(), *value.values()):
            found = _first_unknown(item)
            if found is not None:
                return found
    return None


def _pystr(value: Any) -> str | Unknown:
    """``str(value)`` as Python gives it, or an Unknown when the file must run to know."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, SectionState):
        return value.name  # a Section prints as its name
    if isinstance(value, Obj):
        text = _obj_text(value)
        return text if text is not None else Unknown(f"{value.kind}(...)", NOT_RENDERED)
    if isinstance(value, api.Kind):
        return Unknown(value.kind, NOT_RENDERED)
    found = _first_unknown(value)
    return found if found is not None else str(value)


def _final(value: Any) -> str | Unknown:
    """The text uwsgiconf's INI formatter prints for a value (``str().strip()``)."""
    text = _pystr(value)
    return text.strip() if isinstance(text, str) else text


def _join(*parts: Any) -> str | Unknown:
    """An f-string of ``parts``; Unknown (naming the unknown parts) when any is."""
    texts = [_pystr(part) for part in parts]
    unknown = [text for text in texts if isinstance(text, Unknown)]
    if not unknown:
        return "".join(text for text in texts if isinstance(text, str))
    shown = "".join(text if isinstance(text, str) else "{" + text.text + "}" for text in texts)
    template = "".join(text if isinstance(text, str) else unknown_text(text) for text in texts)
    return Unknown(shown, unknown[0].reason, template)


def _joined(items: list[Any], separator: str) -> str | Unknown:
    """``separator.join(...)`` of the items' texts."""
    return _join(*[part for item in items for part in (separator, item)][1:])


def _truth(value: Any) -> bool | None:
    """Python truthiness; None when only running the file would tell."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, Obj | SectionState | api.Kind):
        return True
    return bool(value)


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _obj_text(obj: Obj) -> str | None:
    """``str()`` of the uwsgiconf objects that print simply (None: not rendered)."""
    values = _obj_values(obj)
    if values is None:
        return None
    if obj.kind == "MuleFarm":
        numbers = values.get("mule_numbers")
        if not isinstance(numbers, list) or _first_unknown(numbers) is not None:
            return None
        return _text_or_none(_join(values.get("name"), ":", ",".join(map(str, numbers))))
    if obj.kind.startswith("networking.sockets."):
        socket = _Socket.make(obj.kind, values)
        return _text_or_none(socket.text()) if socket is not None else None
    spec = api.kind(obj.kind)
    if obj.kind.startswith("cheapening.algorithms.") and spec is not None:
        return spec.option  # an algorithm prints as its name
    if obj.kind.startswith("main_process.actions.") and spec is not None:
        return _action_text(obj.kind, spec.option, values)
    return None


# Hook actions whose constructor arguments print as they are: ``name:arg``.
_PLAIN_ACTIONS = {
    "main_process.actions.execute": ("command",),
    "main_process.actions.dir_change": ("target_dir",),
    "main_process.actions.dir_create": ("target_dir",),
    "main_process.actions.file_create": ("fpath",),
    "main_process.actions.exit": ("status_code",),
    "main_process.actions.printout": ("text",),
    "main_process.actions.set_host_name": ("name",),
}


def _action_text(kind: str, name: str, values: dict[str, Any]) -> str | None:
    params = _PLAIN_ACTIONS.get(kind)
    if params is None:
        return None
    args = [values.get(param) for param in params]
    text = _join(name, ":", *[_pystr(arg) for arg in args if arg is not None])
    return text.strip() if isinstance(text, str) else None


def _text_or_none(text: str | Unknown) -> str | None:
    return text if isinstance(text, str) else None


def _obj_values(obj: Obj) -> dict[str, Any] | None:
    """An object's constructor arguments by parameter name (None: they do not bind)."""
    spec = api.constructor(obj.kind)
    if spec is None:
        return None
    binding = _bind_args(spec, obj.args)
    if not binding.ok:
        return None
    return {name: arg.value for name, arg in binding.bound.items()}


# --- binding ----------------------------------------------------------------------------


def _expand(args: tuple[Arg, ...]) -> list[Arg]:
    """Arguments with ``**{...}`` splats of known dicts spread (an unknown splat is left
    out: what it passes is unknown)."""
    out: list[Arg] = []
    for arg in args:
        if arg.keyword != "**":
            out.append(arg)
        elif isinstance(arg.value, dict) and all(isinstance(k, str) for k in arg.value):
            out.extend(
                Arg(key, value, arg.span, arg.value_span, arg.span)
                for key, value in arg.value.items()
            )
    return out


@dataclass(slots=True)
class _Binding:
    """A call's arguments matched to a signature, as Python matches them."""

    bound: dict[str, Arg] = field(default_factory=dict)
    unknown: list[Arg] = field(default_factory=list)  # Python raises TypeError for these
    extra: dict[str, Arg] = field(default_factory=dict)  # swallowed by **kwargs
    rest: list[Arg] = field(default_factory=list)  # *args
    ok: bool = True  # False: TypeError (unknown, missing or repeated argument)


def _bind_args(spec: api.MethodSpec, args: tuple[Arg, ...]) -> _Binding:
    positional = [param for param in spec.params if param.positional]
    binding = _Binding()
    index = 0
    for arg in _expand(args):
        if arg.keyword is None:
            if index < len(positional):
                binding.bound[positional[index].name] = arg
                index += 1
            elif spec.var_positional:
                binding.rest.append(arg)
            else:
                binding.unknown.append(arg)
        elif spec.param(arg.keyword) is not None:
            binding.ok = binding.ok and arg.keyword not in binding.bound
            binding.bound[arg.keyword] = arg
        elif spec.var_keyword:
            binding.extra[arg.keyword] = arg
        else:
            binding.unknown.append(arg)
    # a missing argument an unknown ** splat might give is not guessed either
    missing = any(p.required and p.name not in binding.bound for p in spec.params)
    binding.ok = binding.ok and not binding.unknown and not missing
    return binding


def _bind(spec: api.MethodSpec, call: Call) -> _Bound | None:
    """Bind ``call`` to ``spec``, filling ``call.method``, ``call.bound`` and
    ``call.unknown`` (arguments the method does not take; for a method taking
    ``**kwargs``, the keywords it swallows, ``params_<group>`` apart); None when uwsgiconf
    raises TypeError: the call writes nothing."""
    binding = _bind_args(spec, call.args)
    call.method = spec
    call.bound = dict(binding.bound)
    swallowed = [arg for key, arg in binding.extra.items() if not key.startswith("params_")]
    call.unknown = [*binding.unknown, *swallowed]
    if not binding.ok:
        return None
    return _Bound.of_call(call, binding.bound, binding.extra, binding.rest)


@dataclass(frozen=True, slots=True)
class _Site:
    """Where a written line comes from."""

    key_span: Span
    value_span: Span
    span: Span
    condition: str | None
    implicit: str = ""

    def implied(self, why: str) -> _Site:
        return replace(self, implicit=why)


def _cover(spans: list[Span]) -> Span:
    return Span(spans[0].file, min(s.start for s in spans), max(s.end for s in spans))


@dataclass(slots=True)
class _Bound:
    """A call's arguments by parameter name, with the site each came from."""

    whole: _Site  # the call (for lines no single argument chose)
    values: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, _Site] = field(default_factory=dict)
    extra: dict[str, Arg] = field(default_factory=dict)  # swallowed by **kwargs
    rest: list[Any] = field(default_factory=list)  # *args

    @classmethod
    def of_call(
        cls, call: Call, bound: dict[str, Arg], extra: dict[str, Arg], rest: list[Arg]
    ) -> _Bound:
        whole = _Site(call.name_span, call.span, call.span, call.condition)
        out = cls(whole, extra=extra, rest=[arg.value for arg in rest])
        for name, arg in bound.items():
            out.values[name] = arg.value
            key_span = arg.keyword_span or call.name_span
            out.sites[name] = _Site(key_span, arg.value_span, arg.span, call.condition)
        return out

    @classmethod
    def made(cls, whole: _Site, **values: Any) -> _Bound:
        """Arguments a preset passes itself: every line sits at ``whole``."""
        return cls(whole, values={k: v for k, v in values.items() if v is not None})

    def given(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def site(self, *names: str) -> _Site:
        found = [self.sites[name] for name in names if name in self.sites]
        if len(found) == 1:
            return found[0]
        if not found:
            return self.whole
        return replace(self.whole, value_span=_cover([site.value_span for site in found]))


# --- sockets ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Socket:
    """A ``networking.sockets.*`` object: the option it writes and what it prints."""

    option: str
    address: Any  # str, Unknown, or a shared _Socket
    args: list[Any]
    bound_workers: list[Any]
    modifier: tuple[Any, ...] = ()  # (modifier1, modifier2): its own options

    @classmethod
    def make(cls, kind: str, values: dict[str, Any]) -> _Socket | None:
        spec = api.kind(kind)
        if spec is None or not spec.option or "address" not in values:
            return None
        option = spec.option
        switches = {
            "networking.sockets.http": ("http11", "http11-socket"),
            "networking.sockets.uwsgi": ("persistent", "puwsgi-socket"),
            "networking.sockets.fastcgi": ("nph", "fastcgi-nph-socket"),
            "networking.sockets.scgi": ("nph", "scgi-nph-socket"),
            "networking.sockets.shared": ("undeferred", "undeferred-shared-socket"),
        }
        if kind in switches:
            flag, switched = switches[kind]
            truth = _truth(values.get(flag, False))
            if truth is None:
                return None  # the option name itself is unknown
            option = switched if truth else option
        args: list[Any] = []
        if kind in ("networking.sockets.https", "networking.sockets.uwsgis"):
            args = [values.get("cert"), values.get("key")]
            ciphers, client_ca = values.get("ciphers"), values.get("client_ca")
            if _truth(ciphers) or _truth(client_ca):
                args.extend([ciphers or "", client_ca or ""])
        address = values["address"]
        if isinstance(address, Obj) and address.kind == "networking.sockets.shared":
            shared_values = _obj_values(address)
            shared = cls.make(address.kind, shared_values) if shared_values is not None else None
            if shared is None:
                return None
            address = shared
        workers = values.get("bound_workers")
        modifier: tuple[Any, ...] = ()
        if values.get("modifier") is not None:
            found = _modifier(values["modifier"])
            if found is None:
                return None  # uwsgiconf raises, or the modifier is unknown
            modifier = found
        bound = _listify(workers) if _truth(workers) else []
        return cls(option, address, args, bound, modifier)

    def text(self, address: Any = None) -> str | Unknown:
        parts = [self.address if address is None else address, *self.args]
        joined = _joined([part for part in parts if part is not None], ",")
        return joined.strip() if isinstance(joined, str) else joined


def _modifier(value: Any) -> tuple[Any, ...] | None:
    """A routing modifier object -> (modifier1, modifier2 or None); None: not known."""
    if not isinstance(value, Obj) or not value.kind.startswith("routing.modifiers."):
        return None
    spec = api.kind(value.kind)
    values = _obj_values(value)
    if spec is None or spec.code is None or values is None:
        return None
    submod = values.get("submod")
    if isinstance(submod, Unknown):
        return (spec.code, submod)
    if submod is not None and spec.subcodes is not None and submod not in spec.subcodes:
        return None  # ConfigurationError
    return (spec.code, None if submod is None else submod)


_DSN_SCHEMES = {
    "": "default",
    "http": "http",
    "https": "https",
    "uwsgi": "uwsgi",
    "suwsgi": "uwsgis",
    "fastcgi": "fastcgi",
    "scgi": "scgi",
    "raw": "raw",
    "shared": "shared",
    "udp": "udp",
    "zeromq": "zeromq",
}


# --- the section ------------------------------------------------------------------------


class SectionState:
    """One uwsgiconf Section object being built."""

    name: str  # the INI section name ("uwsgi" by default)

    def __init__(self, kind: str, call: Call) -> None:
        self._reset(kind, call.span)
        if call.path and call.path[-1] == "bootstrap":
            self._bootstrap(call)
        else:
            self._construct(call)

    @classmethod
    def _blank(cls, kind: str, span: Span) -> SectionState:
        state = cls.__new__(cls)
        state._reset(kind, span)
        return state

    def _reset(self, kind: str, span: Span) -> None:
        self.kind = kind
        self.name = "uwsgi"
        self.span = span
        self._opts: dict[str, list[Emission]] = {}
        self._touched: set[str] = set()
        self._touched_under: set[tuple[str, str]] = set()
        self._plugins: list[str | Unknown] | None = []  # None: unknown (embedded_plugins)
        self._python_name: str | Unknown = "python3"
        self._python_plugin = False
        self._runtime_dir: str | Unknown | None = None
        self._project_name: str | Unknown = ""
        self._owner_uid: Any = None
        self._sockets: list[str | Unknown] = []
        self._spooler_base_dir: Any = ""
        self._style_prints: Any = False

    # -- the agreed interface ------------------------------------------------------------

    def apply(self, call: Call) -> str:
        """A section or group method; binds ``call``; returns what it returns ("section"
        to chain), or "" when uwsgiconf has no such method."""
        path = call.path
        spec: api.MethodSpec | None = None
        if len(path) == 2 and path[0] in api.groups():
            self.touch(path[0], call.name_span, call.condition)
            spec = api.method(path[0], path[1])
        elif len(path) == 1:
            spec = api.method(self.kind, path[0])
        if spec is None:
            call.method = None
            return ""
        bound = _bind(spec, call)
        if bound is not None:
            call.not_modelled = _not_modelled(spec, bound)
            self._run(spec.owner, spec.name, bound)
        return spec.returns

    def touch(self, group: str, span: Span, condition: str | None, *, via: str = "") -> None:
        """The first access to a group (``section.workers`` writes ``workers = %k``).  Once
        an undecided branch touched it, a later access writes nothing (an if/else usually
        touches it in both branches: the count each sets is kept, under its condition)."""
        if group in self._touched or (condition and (group, condition) in self._touched_under):
            return
        if not condition and any(g == group for g, _ in self._touched_under):
            self._touched.add(group)
            return
        if group == "python":  # Python's set_basic_params touches workers
            self.touch("workers", span, condition, via=group)
        if condition:
            self._touched_under.add((group, condition))
        else:
            self._touched.add(group)
        if group == "workers":
            site = _Site(span, span, span, condition, IMPLICIT_TOUCH.format(group=via or group))
            self._write("workers", "%k", site)

    def derive(self, call: Call, name: str | None) -> SectionState:
        """``Section.derive_from(section, name=)``: a deep copy, renamed."""
        spec = api.method("", "derive_from")
        if spec is not None:
            _bind(spec, call)
        new = self._copy(call.span)
        if name:
            new.name = name
        return new

    def compiled(self) -> CompiledSection:
        """The emissions in uwsgiconf's order."""
        emissions = [emission for values in self._opts.values() for emission in values]
        return CompiledSection(self.name, self.span, emissions)

    # -- the option dict -----------------------------------------------------------------

    def _copy(self, span: Span) -> SectionState:
        """A copy that shares nothing it may change (emissions are never changed once
        made, so the lists are copied, not their items: a deep copy cost most of a read)."""
        new = copy.copy(self)
        new.span = span
        new._opts = {key: list(lines) for key, lines in self._opts.items()}
        new._touched = set(self._touched)
        new._touched_under = set(self._touched_under)
        new._plugins = None if self._plugins is None else list(self._plugins)
        new._sockets = list(self._sockets)
        return new

    def _emission(self, key: str, value: Any, site: _Site) -> Emission:
        return Emission(
            key=key,
            value=_final(value),
            key_span=site.key_span,
            value_span=site.value_span,
            span=site.span,
            condition=site.condition,
            implicit=site.implicit,
        )

    def _write(
        self,
        key: str,
        value: Any,
        site: _Site,
        *,
        cast: str = "verbatim",
        group: str = "",
        plugin: str | None = None,
        priority: int | None = None,
    ) -> None:
        """``OptionsGroup._set``: nothing for None; a flag True -> "true", False deletes."""
        if value is None:
            return
        if cast == "flag":
            truth = _truth(value)
            if truth is False:
                if not site.condition:
                    self._opts.pop(key, None)
                return
            if truth:
                value = "true"
        info = api.group(group) if group else None
        if info is not None and info.plugin is True:
            self._python_plugin_needed(site)
        if plugin:
            self._add_plugins([plugin], site.implied(IMPLICIT_PLUGIN), required=False)
        if isinstance(value, tuple):  # uwsgiconf joins a tuple with spaces
            value = _joined(list(value), " ")
        if cast == "multi":
            emissions = [self._emission(key, item, site) for item in _listify(value)]
            if priority is not None:
                self._prioritize(key, emissions, priority)
            else:
                self._opts.setdefault(key, []).extend(emissions)
            return
        emission = self._emission(key, value, site)
        if site.condition:
            kept = [e for e in self._opts.get(key, []) if e.condition != site.condition]
            self._opts[key] = [*kept, emission]
        else:
            self._opts[key] = [emission]

    def _prioritize(self, key: str, emissions: list[Emission], priority: int) -> None:
        """``_set(priority=)``: the key moves to that position; with no other key it is
        dropped (uwsgiconf's quirk: it only inserts while walking the existing keys)."""
        values = self._opts.pop(key, [])
        values.extend(emissions)
        items = list(self._opts.items())
        self._opts.clear()
        for position, (other, other_values) in enumerate(items):
            if position == priority:
                self._opts[key] = values
            self._opts[other] = other_values

    def _python_plugin_needed(self, site: _Site) -> None:
        """A Python option loads ``python3`` unless it is embedded or loaded already."""
        if self._python_plugin or self._plugins is None:
            return
        name = self._python_name
        if isinstance(name, str) and name in self._plugins:
            return
        self._write("plugin", name, site.implied(IMPLICIT_PLUGIN), cast="multi")
        self._plugins.append(name)
        self._python_plugin = True

    def _add_plugins(self, plugins: Any, site: _Site, *, required: bool) -> None:
        """``Section.set_plugins_params(plugins=)``: each plugin not loaded yet."""
        if self._plugins is None:
            return
        command = "need-plugin" if required else "plugin"
        for plugin in _listify(plugins):
            if plugin is None:
                continue
            text = _pystr(plugin)
            if isinstance(text, str) and (
                text in self._plugins or (self._python_plugin and text == self._python_name)
            ):
                continue
            self._write(command, plugin, site, cast="multi")
            self._plugins.append(text)

    def _placeholders(self, value: Any) -> Any:
        """``Section.replace_placeholders``: ``{runtime_dir}``, ``{project_name}``,
        ``{project_runtime_dir}``."""
        if not _truth(value) and not isinstance(value, Unknown):
            return value
        if isinstance(value, list):
            return [self._placeholders(item) for item in value]
        text = _pystr(value)
        if isinstance(text, Unknown):
            return text
        wants_dir = "{runtime_dir}" in text or "{project_runtime_dir}" in text
        wants_name = "{project_name}" in text or "{project_runtime_dir}" in text
        runtime = self._runtime_path() if wants_dir else ""
        project = self._project_name
        if isinstance(runtime, Unknown):
            return Unknown(text, runtime.reason)
        if wants_name and isinstance(project, Unknown):
            return Unknown(text, project.reason)
        if not wants_dir and not wants_name:
            return text
        from pathlib import PurePosixPath

        project_text = project if isinstance(project, str) else ""
        text = text.replace("{runtime_dir}", runtime)
        text = text.replace("{project_name}", project_text)
        return text.replace("{project_runtime_dir}", str(PurePosixPath(runtime) / project_text))

    def _runtime_path(self) -> str | Unknown:
        from pathlib import PurePosixPath

        if self._runtime_dir is not None:
            if isinstance(self._runtime_dir, Unknown):
                return self._runtime_dir
            return str(PurePosixPath(self._runtime_dir))
        uid = self._owner_uid
        if _truth(uid):
            uid_text = _pystr(uid)
            if isinstance(uid_text, str):
                return str(PurePosixPath(f"/run/user/{uid_text}/"))
        return Unknown("{runtime_dir}", RUNTIME_DIR)

    # -- running a method ----------------------------------------------------------------

    def _run(self, owner: str, name: str, bound: _Bound) -> None:
        if owner in api.groups():
            self.touch(owner, bound.whole.key_span, bound.whole.condition)
        handler = _HANDLERS.get((owner, name))
        if handler is not None:
            handler(self, bound)
        else:
            self._generic(owner, name, bound)

    def _generic(self, owner: str, name: str, bound: _Bound, skip: tuple[str, ...] = ()) -> None:
        """A method whose parameters each write one option (the catalog's casts), in the
        order the method writes them."""
        spec = api.method(owner, name)
        if spec is None:
            return
        group = owner if owner in api.groups() else ""
        for key, value in spec.writes:
            self._write(key, value, bound.whole, group=group)
        order = spec.order
        params = [
            param
            for param in spec.params
            if param.cast in _SIMPLE and bound.given(param.name) and param.name not in skip
        ]

        def rank(param: api.ParamSpec) -> int:
            option = param.options[0] if param.options else ""
            if option in order:
                return order.index(option)
            return len(order) + spec.params.index(param)

        info = api.group(group) if group else None
        for param in sorted(params, key=rank):
            plugin = param.plugin if info is None or info.plugin is not True else None
            self._write(
                param.options[0],
                bound.get(param.name),
                bound.site(param.name),
                cast=param.cast,
                group=group,
                plugin=plugin,
            )

    # -- constructors --------------------------------------------------------------------

    def _construct(self, call: Call) -> None:
        spec = api.constructor(self.kind)
        if spec is None:
            return
        bound = _bind(spec, call)
        if bound is None:
            return
        if self.kind in ("nice.Section", "PythonSection") and bound.given("strict_config"):
            return  # the preset passes strict_config itself: TypeError
        self._section_init(bound)

    def _section_init(self, bound: _Bound) -> None:
        """``Section.__init__`` and, for the presets, theirs (uwsgiconf's order)."""
        kind = self.kind
        preset = bound.whole.implied(IMPLICIT_PRESET.format(kind=kind))
        embedded = bound.get("embedded_plugins", kind == "PythonSection" or None)
        if kind == "PythonSection" and embedded is True:
            basic = api.constant(("embedded_plugins_presets", "BASIC"))
            embedded = [*(basic if isinstance(basic, list) else []), *_PYTHON_PLUGINS]
        if isinstance(embedded, list) and _first_unknown(embedded) is None:
            self._plugins = [str(plugin) for plugin in embedded]
        elif _truth(embedded) is False:
            self._plugins = []
        else:
            self._plugins = None  # PROBE, a callable or unknown: what is loaded is unknown
        name = _pystr(bound.get("name") or "uwsgi")
        self.name = name if isinstance(name, str) else f"<unknown: {name.text}>"
        self._style_prints = bound.get("style_prints", False)
        self._set_runtime_dir(bound.get("runtime_dir"))
        project = bound.get("project_name")
        self._project_name = project if isinstance(project, Unknown) else _pystr(project or "")
        for keyword, arg in bound.extra.items():
            self._params_group(keyword, arg, bound.whole)
        if kind in ("nice.Section", "PythonSection"):
            self._write("strict", "true", preset, cast="flag")
            self._nice_init(bound, preset)
        else:
            strict = bound.get("strict_config")
            self._write("strict", strict, bound.site("strict_config"), cast="flag")
        if kind == "PythonSection":
            self._python_init(bound, preset)

    def _params_group(self, keyword: str, arg: Arg, whole: _Site) -> None:
        """``Section(params_<group>=dict(...))`` -> that group's ``set_basic_params``."""
        group = keyword.removeprefix("params_")
        if not keyword.startswith("params_") or group not in api.groups():
            return
        if not isinstance(arg.value, dict) or not arg.value:
            return  # falsy: skipped; unknown: what it sets is unknown
        key_span = arg.keyword_span or whole.key_span
        self.touch(group, key_span, whole.condition)
        spec = api.method(group, "set_basic_params")
        if spec is None:
            return
        site = _Site(key_span, arg.value_span, arg.span, whole.condition)
        inner = tuple(
            Arg(str(key), value, arg.span, arg.value_span, key_span)
            for key, value in arg.value.items()
        )
        probe = Call((group, "set_basic_params"), inner, arg.span, key_span, whole.condition)
        binding = _bind_args(spec, probe.args)
        if not binding.ok:
            return  # uwsgiconf raises TypeError
        bound = _Bound(site, values={k: a.value for k, a in binding.bound.items()})
        bound.sites = dict.fromkeys(bound.values, site)
        self._run(group, "set_basic_params", bound)

    def _nice_init(self, bound: _Bound, preset: _Site) -> None:
        """``uwsgiconf.presets.nice.Section.__init__`` after ``Section.__init__``."""

        def made(name: str, **values: Any) -> _Bound:
            """The preset passing ``values``; a line from argument ``name`` sits there."""
            out = _Bound.made(preset, **values)
            if name and bound.given(name):
                out.whole = bound.site(name)
                out.sites = dict.fromkeys(out.values, out.whole)
            return out

        self._run("", "env", _Bound.made(preset, key="LANG", value="en_US.UTF-8"))
        touch_reload = bound.get("touch_reload")
        if _truth(touch_reload) is not False:
            self._run(
                "main_process", "set_basic_params", made("touch_reload", touch_reload=touch_reload)
            )
        workers = bound.get("workers")
        workers_truth = _truth(workers)
        if workers_truth:
            self._run("workers", "set_basic_params", made("workers", count=workers))
        elif workers_truth is False:
            self._run("workers", "set_count_auto", made(""))
        else:
            self.touch("workers", preset.key_span, preset.condition)
            self._write("workers", workers, bound.site("workers"))
        threads = bound.get("threads", True if self.kind == "PythonSection" else None)
        threads_site = "threads" if bound.given("threads") else ""
        if isinstance(threads, bool):
            self._run("workers", "set_thread_params", made(threads_site, enable=threads))
        elif not isinstance(threads, Unknown):
            self._run("workers", "set_thread_params", made(threads_site, count=threads))
        if _truth(bound.get("log_dedicated")):
            self._run(
                "logging",
                "set_master_logging_params",
                made("log_dedicated", enable=True, dedicate_thread=True),
            )
        self._run("workers", "set_mules_params", made("mules", mules=bound.get("mules")))
        self._run("workers", "set_harakiri_params", made("", verbose=True))
        self._run("main_process", "set_basic_params", made("", vacuum=True))
        prefix = bound.get("process_prefix")
        naming = made("", autonaming=True)
        self._run("main_process", "set_naming_params", naming)
        if _truth(prefix) is not False:  # f"{process_prefix} ": always spaced
            spaced = _join(prefix, " ")
            self._write("procname-prefix-spaced", spaced, bound.site("process_prefix"))
        self._run("master_process", "set_basic_params", made("", enable=True))
        self._run("master_process", "set_exit_events", made("", sig_term=True))
        self._run("locks", "set_basic_params", made("", thunder_lock=True))
        owner = bound.get("owner")
        if owner is not None:
            self._run("nice.Section", "configure_owner", made("owner", owner=owner))
        self._run("logging", "log_into", made("log_into", target=bound.get("log_into")))
        if _truth(bound.get("ignore_write_errors")):
            errors = made("ignore_write_errors", no_write_exception=True)
            self._run("master_process", "set_exception_handling_params", errors)
            filters = made("ignore_write_errors", write_errors=False, sigpipe=False)
            self._run("logging", "set_filters", filters)

    def _python_init(self, bound: _Bound, preset: _Site) -> None:
        """``PythonSection.__init__`` after ``nice.Section.__init__``."""
        params = bound.get("params_python")
        self.touch("python", preset.key_span, preset.condition)
        if isinstance(params, dict):
            spec = api.method("python", "set_basic_params")
            site = bound.site("params_python")
            if spec is not None and all(spec.param(str(key)) for key in params):
                inner = _Bound(site, values={str(k): v for k, v in params.items()})
                inner.sites = dict.fromkeys(inner.values, site)
                self._run("python", "set_basic_params", inner)
        elif params is None:
            self._run("python", "set_basic_params", _Bound(preset))
        wsgi = _Bound(preset)
        for param, name in (("wsgi_module", "module"), ("wsgi_callable", "callable_name")):
            if bound.given(param):
                wsgi.values[name] = bound.get(param)
                wsgi.sites[name] = bound.site(param)
        self._run("python", "set_wsgi_params", wsgi)
        require = bound.get("require_app", True)
        site = bound.site("require_app") if bound.given("require_app") else preset
        self._run(
            "applications", "set_basic_params", _Bound(site, values={"exit_if_none": require})
        )

    def _bootstrap(self, call: Call) -> None:
        """``Section.bootstrap(dsn, allow_shared_sockets=None, **init_kwargs)``."""
        spec = api.method(self.kind, "bootstrap")
        init = api.constructor(self.kind)
        if spec is None or init is None:
            return
        bound = _bind(spec, call)
        if bound is None:
            return
        init_args = tuple(
            arg for arg in call.args if arg.keyword in bound.extra or arg.keyword == "**"
        )
        init_call = Call((self.kind,), init_args, call.span, call.name_span, call.condition)
        init_result = _bind(init, init_call)
        call.bound.update(init_call.bound)
        call.unknown = init_call.unknown
        if init_result is None:
            return
        if self.kind in ("nice.Section", "PythonSection") and init_result.given("strict_config"):
            return
        self._section_init(init_result)
        self.touch("networking", call.name_span, call.condition)
        for dsn in _listify(bound.get("dsn")):
            self._register_dsn(dsn, bound.get("allow_shared_sockets"), bound.site("dsn"))

    def _register_dsn(self, dsn: Any, allow_shared: Any, site: _Site) -> None:
        """``networking.sockets.from_dsn`` + ``register_socket``."""
        if not isinstance(dsn, str):
            if isinstance(dsn, Unknown):
                return  # the socket type comes from the DSN's scheme
            return
        from urllib.parse import parse_qs

        try:
            split = split_dsn(dsn)
            port = split.port
        except ValueError:
            return
        kind = _DSN_SCHEMES.get(split.scheme)
        if kind is None:
            return  # uwsgiconf raises KeyError
        values: dict[str, Any] = {"address": split.netloc}
        values.update({key: val[0] for key, val in parse_qs(split.query).items()})
        socket_kind = f"networking.sockets.{kind}"
        spec = api.constructor(socket_kind)
        if spec is None or any(spec.param(key) is None for key in values):
            return  # uwsgiconf raises ConfigurationError
        if any(p.required and p.name not in values for p in spec.params):
            return
        if port and port < 1024:
            allow = _truth(allow_shared)
            if allow_shared is None or allow is None:
                socket = _Socket.make(socket_kind, values)
                if socket is not None:
                    reason = SHARED_BY_EUID
                    self._write(socket.option, Unknown(dsn, reason), site, cast="multi")
                return
            if allow:
                shared = _Socket.make("networking.sockets.shared", {"address": values["address"]})
                values["address"] = shared
        socket = _Socket.make(socket_kind, values)
        if socket is not None:
            self._register(socket, site)

    def _set_runtime_dir(self, value: Any) -> None:
        if isinstance(value, Unknown):
            self._runtime_dir = value
            return
        text = _pystr(value) if _truth(value) else None
        self._runtime_dir = text if isinstance(text, str) else None

    # -- sockets ---------------------------------------------------------------------------

    def _register(self, socket: _Socket, site: _Site) -> None:
        """``Networking.register_socket`` for one socket."""
        address = socket.address
        uses_shared = isinstance(address, _Socket)
        if isinstance(address, _Socket):
            shared_text = address.text()
            if not (isinstance(shared_text, str) and shared_text in self._sockets):
                self._register(address, site)
            if isinstance(shared_text, str) and shared_text in self._sockets:
                address = f"={self._sockets.index(shared_text)}"
            else:
                address = Unknown(f"{shared_text}", NOT_RENDERED)
        address = self._placeholders(address)
        text = socket.text(address)
        self._write(socket.option, text, site, cast="multi")
        workers = socket.bound_workers
        if workers:
            numbers = _joined(workers, ",")
            self._write("map-socket", _join(len(self._sockets), ":", numbers), site, cast="multi")
        if not uses_shared:
            self._sockets.append(text)
        if socket.modifier:  # the socket's own options, merged after it (dict.update)
            code, submod = socket.modifier
            self._write(f"{socket.option}-modifier1", code, site)
            self._write(f"{socket.option}-modifier2", submod, site)

    # -- Section methods -----------------------------------------------------------------

    def _env(self, b: _Bound) -> None:
        key, unset, asap = b.get("key"), b.get("unset", False), b.get("asap", False)
        if _truth(unset) is None or _truth(asap) is None:
            return
        if unset:
            self._write("unenv", key, b.site("key"), cast="multi")
            return
        value = b.get("value")
        if value is None:
            shown = f"os.environ[{key!r}]" if isinstance(key, str) else "os.environ"
            value = Unknown(shown, ENVIRON)
        command = "ienv" if asap else "env"
        self._write(command, _join(key, "=", value), b.site("key", "value"), cast="multi")

    def _include(self, b: _Bound) -> None:
        for target in _listify(b.get("target")):
            value = ":" + target.name if isinstance(target, SectionState) else target
            self._write("ini", value, b.site("target"), cast="multi")

    def _set_fallback(self, b: _Bound) -> None:
        target = b.get("target")
        value = ":" + target.name if isinstance(target, SectionState) else target
        self._write("fallback-config", value, b.site("target"))

    def _set_placeholder(self, b: _Bound) -> None:
        value = _join(b.get("key"), "=", b.get("value"))
        self._write("set-placeholder", value, b.site("key", "value"), cast="multi")

    def _set_plugins_params(self, b: _Bound) -> None:
        required = b.get("required", False)
        plugins = b.get("plugins")
        if _truth(required) is not None and _truth(plugins):
            self._add_plugins(plugins, b.site("plugins"), required=bool(required))
        dirs = b.get("search_dirs")
        self._write("plugins-dir", dirs, b.site("search_dirs"), cast="multi", priority=0)
        self._write("autoload", b.get("autoload"), b.site("autoload"), cast="flag")

    def _set_raw(self, b: _Bound) -> None:
        """``section._set(key, value, *, condition, cast, multi, plugin, priority)``."""
        key = b.get("key")
        if not isinstance(key, str):
            return
        condition = b.get("condition", True)
        value = b.get("value")
        if condition is True:
            condition = value is not None
        if _truth(condition) is None or (condition is not None and not condition):
            return
        cast = b.get("cast")
        if cast is None:
            kind = "verbatim"
        elif isinstance(cast, Unknown) and cast.text == "bool":
            kind = "flag"
        else:
            return  # another caster: what it makes of the value is unknown
        multi = b.get("multi", False)
        if _truth(multi) is None:
            return
        if multi and kind == "verbatim":
            kind = "multi"
        priority = b.get("priority")
        if priority is not None and not isinstance(priority, int):
            return
        plugin = b.get("plugin")
        if plugin is not None:
            self._add_plugins([plugin], b.site("plugin"), required=False)
        site = b.site("value") if b.given("value") else b.whole
        self._write(
            key,
            value,
            replace(site, key_span=b.site("key").value_span),
            cast=kind,
            priority=priority,
        )

    def _print_out(self, b: _Bound) -> None:
        asap = b.get("asap", False)
        if _truth(asap) is None:
            return
        indent = b.get("indent")
        text = _join(_PRINT_INDENT if indent is None else indent, b.get("value"))
        styled = self._styled(text, b.get("format_options"))
        if styled is not None:
            self._write("iprint" if asap else "print", styled, b.site("value"), cast="multi")

    def _styled(self, text: str | Unknown, options: Any) -> str | Unknown | None:
        """``print_out``'s colouring when ``style_prints`` is on."""
        style = _truth(self._style_prints)
        if style is None:
            return None
        if options is None:
            options = "gray"
        if not style or not _truth(options):
            return text
        if isinstance(options, str):
            options = {"color_fg": options}
        if not isinstance(options, dict) or _first_unknown(options) is not None:
            return None
        fg = _COLORS_FG.get(str(options.get("color_fg")), "39")
        bg = _COLORS_BG.get(str(options.get("color_bg")), "49")
        return _join(f"%[[{fg};{bg}m", text, "%[[0m")

    def _set_runtime_dir_call(self, b: _Bound) -> None:
        self._set_runtime_dir(b.get("value"))

    def _configure_owner(self, b: _Bound) -> None:
        owner = b.get("owner", "www-data")
        if owner is not None:
            values = _Bound(b.whole, values={"uid": owner, "gid": owner})
            values.sites = {"uid": b.site("owner"), "gid": b.site("owner")}
            if b.given("drop_after"):
                values.values["drop_after"] = b.get("drop_after")
                values.sites["drop_after"] = b.site("drop_after")
            self._run("main_process", "set_owner_params", values)

    def _configure_certbot_https(self, b: _Bound) -> None:
        """Only the static map: the https socket depends on files under /etc/letsencrypt."""
        values = _Bound(b.whole, values={"mountpoint": "/.well-known/"})
        if b.given("webroot"):
            values.values["target"] = b.get("webroot")
            values.sites["target"] = b.site("webroot")
        values.values["retain_resource_path"] = True
        self._run("statics", "register_static_map", values)

    # -- main_process ----------------------------------------------------------------------

    def _chosen(
        self, b: _Bound, switch: str, default: Any, when_true: str, when_false: str
    ) -> str | None:
        truth = _truth(b.get(switch, default))
        if truth is None:
            return None
        return when_true if truth else when_false

    def _daemonize(self, b: _Bound) -> None:
        key = self._chosen(b, "after_app_loading", False, "daemonize2", "daemonize")
        if key:
            self._write(key, b.get("log_into"), b.site("log_into"), group="main_process")

    def _change_dir(self, b: _Bound) -> None:
        key = self._chosen(b, "after_app_loading", False, "chdir2", "chdir")
        if key:
            self._write(key, b.get("to"), b.site("to"), group="main_process")

    def _set_owner_params(self, b: _Bound) -> None:
        prefix = self._chosen(b, "set_asap", False, "immediate-", "")
        drop_after = b.get("drop_after", "")
        if prefix is None:
            return
        self._write(f"{prefix}uid", b.get("uid"), b.site("uid"))
        self._write(f"{prefix}gid", b.get("gid"), b.site("gid"))
        self._write("add-gid", b.get("add_gids"), b.site("add_gids"), cast="multi")
        if isinstance(drop_after, str) and drop_after in ("init", "apps"):
            self._write(f"drop-after-{drop_after}", True, b.site("drop_after"), cast="flag")
        elif _truth(drop_after):
            return  # AssertionError (or unknown): the owner is not recorded
        self._owner_uid = b.get("uid")

    def _set_hook(self, b: _Bound) -> None:
        phase = b.get("phase")
        if isinstance(phase, str):  # the option is named after the phase
            site = replace(b.site("action"), key_span=b.site("phase").span)
            self._write(f"hook-{phase}", b.get("action"), site, cast="multi")

    def _set_hook_touch(self, b: _Bound) -> None:
        value = _join(b.get("fpath"), " ", b.get("action"))
        self._write("hook-touch", value, b.site("fpath", "action"), cast="multi")

    def _run_command_on_event(self, b: _Bound) -> None:
        phase = b.get("phase", "asap")
        if isinstance(phase, str):
            site = b.site("command")
            if b.given("phase"):  # the option is named after the phase
                site = replace(site, key_span=b.site("phase").span)
            self._write(f"exec-{phase}", b.get("command"), site, cast="multi")

    def _run_command_on_touch(self, b: _Bound) -> None:
        value = _join(b.get("target"), " ", b.get("command"))
        self._write("touch-exec", value, b.site("command", "target"), cast="multi")

    def _set_pid_file(self, b: _Bound) -> None:
        before = _truth(b.get("before_priv_drop", True))
        safe = _truth(b.get("safe", False))
        if before is None or safe is None:
            return
        command = "pidfile" if before else "pidfile2"
        command = f"safe-{command}" if safe else command
        self._write(command, _join(b.get("fpath")), b.site("fpath"))

    def _set_naming_params(self, b: _Bound) -> None:
        self._write("auto-procname", b.get("autonaming"), b.site("autonaming"), cast="flag")
        prefix = b.get("prefix")
        if isinstance(prefix, str):  # the key depends on a trailing space
            spaced = "-spaced" if prefix.endswith(" ") else ""
            self._write(f"procname-prefix{spaced}", prefix, b.site("prefix"))
        self._write("procname-append", b.get("suffix"), b.site("suffix"))
        self._write("procname", b.get("name"), b.site("name"))

    # -- master_process --------------------------------------------------------------------

    def _master_basic(self, b: _Bound) -> None:
        self._generic("master_process", "set_basic_params", b, skip=("fifo_file",))
        fifo = self._placeholders(b.get("fifo_file"))
        self._write("master-fifo", fifo, b.site("fifo_file"), cast="multi")

    def _add_cron_task(self, b: _Bound) -> None:
        keys = ("weekday", "month", "day", "hour", "minute", "harakiri", "legion", "unique")
        rule = _key_value(b, keys, {"weekday": "week"}, bools=("unique",))
        value = _join(rule, " ", b.get("command"))
        value = value.strip() if isinstance(value, str) else value
        self._write("cron2", value, b.whole, cast="multi")

    def _attach_process(self, b: _Bound) -> None:
        legion = _truth(b.get("for_legion", False))
        if legion is None:
            return
        keys = (
            "command", "broken_counter", "pidfile", "control", "daemonize", "touch_reload",
            "signal_stop", "signal_reload", "honour_stdin", "uid", "gid", "new_pid_ns",
            "change_dir",
        )  # fmt: skip
        aliases = {
            "command": "cmd", "broken_counter": "freq", "touch_reload": "touch",
            "signal_stop": "stopsignal", "signal_reload": "reloadsignal", "honour_stdin": "stdin",
            "new_pid_ns": "ns_pid", "change_dir": "chdir",
        }  # fmt: skip
        rule = _key_value(
            b,
            keys,
            aliases,
            bools=("control", "daemonize", "honour_stdin"),
            lists=("touch_reload",),
        )
        self._write(("legion-" if legion else "") + "attach-daemon2", rule, b.whole, cast="multi")

    def _attach_process_classic(self, b: _Bound) -> None:
        target = b.get("command_or_pid_path")
        background, control = _truth(b.get("background")), _truth(b.get("control", False))
        legion = _truth(b.get("for_legion", False))
        if not isinstance(target, str) or None in (background, control, legion):
            return
        prefix = "legion-" if legion else ""
        if ".pid" in target:
            command = f"{prefix}smart-attach-daemon" + ("" if background else "2")
        elif background:
            return  # ConfigurationError
        elif control:
            command = "attach-control-daemon"
        else:
            command = f"{prefix}attach-daemon"
        self._write(command, target, b.site("command_or_pid_path"), cast="multi")

    # -- workers ---------------------------------------------------------------------------

    def _workers_basic(self, b: _Bound) -> None:
        count = b.get("count")
        site = b.site("count") if b.given("count") else None
        self._count_auto(count, site or b.whole)
        self._generic("workers", "set_basic_params", b, skip=("count",))

    def _set_count_auto(self, b: _Bound) -> None:
        self._count_auto(b.get("count"), b.site("count"))

    def _count_auto(self, count: Any, site: _Site) -> None:
        truth = _truth(count)
        self._write("workers", count if truth is not False else "%k", site)

    def _run_command_as_worker(self, b: _Bound) -> None:
        key = self._chosen(b, "after_post_fork_hook", False, "worker-exec2", "worker-exec")
        if key:
            self._write(key, b.get("command"), b.site("command"), cast="multi")

    def _set_thread_params(self, b: _Bound) -> None:
        self._write("enable-threads", b.get("enable"), b.site("enable"), cast="flag")
        self._write("no-threads-wait", b.get("no_wait"), b.site("no_wait"), cast="flag")
        count = b.get("count")
        self._write("threads", count, b.site("count"))
        self._write("offload-threads", b.get("count_offload"), b.site("count_offload"))
        if _truth(count):
            text = self._styled(_join(_PRINT_INDENT, "Threads per worker: ", count), None)
            if text is not None:
                site = b.site("count").implied(IMPLICIT_THREADS_PRINT)
                self._write("print", text, site, cast="multi")
        self._write("threads-stacksize", b.get("stack_size"), b.site("stack_size"))

    def _set_mules_params(self, b: _Bound) -> None:
        farms = b.get("farms") or []
        mules = b.get("mules")
        if not isinstance(farms, list):
            return
        next_number, farm_mules = 1, 0
        for farm in farms:
            values = (
                _obj_values(farm) if isinstance(farm, Obj) and farm.kind == "MuleFarm" else None
            )
            if values is None:
                return  # the farm (and the mule count it adds) is unknown
            numbers = values.get("mule_numbers")
            if isinstance(numbers, str) and numbers.isdigit():
                numbers = int(numbers)
            if isinstance(numbers, int) and not isinstance(numbers, bool):
                numbers = list(range(next_number, next_number + numbers))
                next_number = numbers[-1] + 1
            if not isinstance(numbers, list | str) or _first_unknown(numbers) is not None:
                return
            farm_mules += len(numbers)
            text = _join(values.get("name"), ":", ",".join(map(str, numbers)))
            self._write("farm", text, b.site("farms"), cast="multi")
        if mules is None and farm_mules:
            mules = farm_mules
        site = b.site("mules") if b.given("mules") else b.site("farms")
        if isinstance(mules, int) and not isinstance(mules, bool):
            self._write("mules", mules, site)
        elif isinstance(mules, list):
            for mule in mules:
                self._write("mule", mule, site, cast="multi")
        elif isinstance(mules, Unknown):
            self._write("mules", mules, site)
        self._generic("workers", "set_mules_params", b, skip=("mules", "farms"))

    def _zerg_server(self, b: _Bound) -> None:
        pool = b.get("clients_socket_pool")
        truth = _truth(pool)
        if truth is None:
            return
        if truth:
            value = _join(b.get("socket"), ":", _joined(_listify(pool), ","))
            self._write("zergpool", value, b.site("socket", "clients_socket_pool"), cast="multi")
        else:
            self._write("zerg-server", b.get("socket"), b.site("socket"))

    def _zerg_client(self, b: _Bound) -> None:
        servers = b.get("server_sockets")
        self._write("zerg", servers, b.site("server_sockets"), cast="multi")
        fallback = b.get("use_fallback_socket")
        if fallback is None:
            return
        self._write("zerg-fallback", fallback, b.site("use_fallback_socket"), cast="flag")
        self.touch("networking", b.whole.key_span, b.whole.condition)
        for server in _listify(servers):
            socket = _Socket.make("networking.sockets.default", {"address": server})
            if socket is not None:
                self._register(socket, b.site("server_sockets"))

    # -- networking ------------------------------------------------------------------------

    def _networking_basic(self, b: _Bound) -> None:
        self._write("listen", b.get("queue_size"), b.site("queue_size"))
        self._write("freebind", b.get("freebind"), b.site("freebind"), cast="flag")
        socket_type = b.get("default_socket_type")
        if _truth(socket_type):
            if isinstance(socket_type, api.Kind):
                spec = api.kind(socket_type.kind)
                if spec is None or not socket_type.kind.startswith("networking.sockets."):
                    return
                value: Any = spec.option.replace("-socket", "")
            elif isinstance(socket_type, Unknown):
                value = socket_type
            else:
                return  # a str: uwsgiconf crashes (issubclass)
            self._write("socket-protocol", value, b.site("default_socket_type"))
        self._generic(
            "networking",
            "set_basic_params",
            b,
            skip=("queue_size", "freebind", "default_socket_type"),
        )

    def _register_socket(self, b: _Bound) -> None:
        for item in _listify(b.get("socket")):
            if not isinstance(item, Obj) or not item.kind.startswith("networking.sockets."):
                continue  # a str crashes; an unknown object's option is unknown
            values = _obj_values(item)
            socket = _Socket.make(item.kind, values) if values is not None else None
            if socket is not None:
                self._register(socket, b.site("socket"))

    def _set_ssl_params(self, b: _Bound) -> None:
        self._write("ssl-verbose", b.get("verbose_errors"), b.site("verbose_errors"), cast="flag")
        cache = b.get("sessions_cache")
        if isinstance(cache, bool) or not isinstance(cache, Unknown):
            cast = "flag" if isinstance(cache, bool) else "verbatim"
            self._write("ssl-sessions-use-cache", cache, b.site("sessions_cache"), cast=cast)
        self._write("ssl-sessions-timeout", b.get("sessions_timeout"), b.site("sessions_timeout"))
        for option in _listify(b.get("raw_options")):
            self._write("ssl-option", option, b.site("raw_options"), cast="multi")
        self._write("ssl-tmp-dir", b.get("dir_tmp"), b.site("dir_tmp"))
        for param, key in (
            ("session_context", "https-session-context"),
            ("client_cert_var", "https-export-cert"),
        ):
            self._write(key, b.get(param), b.site(param), plugin="http")

    def _set_sni_params(self, b: _Bound) -> None:
        key = self._chosen(b, "wildcard", False, "sni-regexp", "sni")
        if key is None:
            return
        args = [b.get(name) for name in ("cert", "key", "ciphers", "client_ca")]
        joined = _joined([item for item in args if item is not None], ",")
        names = ("name", "cert", "key", "ciphers", "client_ca")
        self._write(key, _join(b.get("name"), " ", joined), b.site(*names))

    # -- cheapening ------------------------------------------------------------------------

    def _cheapening_basic(self, b: _Bound) -> None:
        self._write("cheap", b.get("spawn_on_request"), b.site("spawn_on_request"), cast="flag")
        algo = b.get("cheaper_algo")
        if isinstance(algo, Obj) and algo.kind.startswith("cheapening.algorithms."):
            self._cheaper_algo(algo, b.site("cheaper_algo"))
        elif isinstance(algo, Unknown):
            self._write("cheaper-algo", algo, b.site("cheaper_algo"))
        for param, key in (
            ("workers_min", "cheaper"),
            ("workers_startup", "cheaper-initial"),
            ("workers_step", "cheaper-step"),
        ):
            self._write(key, b.get(param), b.site(param))

    def _cheaper_algo(self, algo: Obj, site: _Site) -> None:
        spec = api.kind(algo.kind)
        values = _obj_values(algo)
        if spec is None or values is None:
            return
        self._write("cheaper-algo", spec.option, site)
        if spec.plugin:
            self._add_plugins([spec.plugin], site.implied(IMPLICIT_PLUGIN), required=False)
        method = api.method(algo.kind, "set_basic_params")
        if method is None:
            return
        for param in sorted(
            (p for p in method.params if p.name in values and p.cast in ("verbatim", "flag")),
            key=lambda p: method.order.index(p.options[0]) if p.options[0] in method.order else 99,
        ):
            value = values[param.name]
            if param.cast == "flag":
                truth = _truth(value)
                if truth is False:
                    continue  # deleted from the algorithm's own options: nothing to copy
                value = "true" if truth else value
            if value is not None:
                self._write(param.options[0], value, site)  # dict.update: single values

    # -- python ----------------------------------------------------------------------------

    def _python_basic(self, b: _Bound) -> None:
        version = b.get("version", _AUTO)
        if isinstance(version, Unknown):
            self._python_name = Unknown("python{version}", version.reason)
        elif version:
            self._python_name = "python3" if version == _AUTO else f"python{version}"
        else:
            self._python_name = "python"
        threads = _Bound(b.whole)
        if b.given("enable_threads"):
            threads.values["enable"] = b.get("enable_threads")
            threads.sites["enable"] = b.site("enable_threads")
        self._run("workers", "set_thread_params", threads)
        skip = ("version", "enable_threads", "plugin_dir")
        self._generic("python", "set_basic_params", b, skip=skip)
        dirs = b.get("plugin_dir")
        self._write("plugins-dir", dirs, b.site("plugin_dir"), cast="multi", priority=0)

    def _set_wsgi_params(self, b: _Bound) -> None:
        module = b.get("module")
        if isinstance(module, Unknown):
            self._write("wsgi", module, b.site("module"), group="python")
        else:
            text = _pystr(module or "")
            if isinstance(text, str) and text:
                key = "wsgi-file" if "/" in text else "wsgi"
                self._write(key, text, b.site("module"), group="python")
        self._write("callable", b.get("callable_name"), b.site("callable_name"), group="python")
        strategy = b.get("env_strategy")
        self._write("wsgi-env-behaviour", strategy, b.site("env_strategy"), group="python")

    def _register_module_alias(self, b: _Bound) -> None:
        key = self._chosen(b, "after_init", False, "post-pymodule-alias", "pymodule-alias")
        if key:
            value = _join(b.get("alias"), "=", b.get("module_path"))
            self._write(key, value, b.site("alias", "module_path"), cast="multi", group="python")

    def _import_module(self, b: _Bound) -> None:
        shared, spooler = _truth(b.get("shared", False)), _truth(b.get("into_spooler", False))
        if shared is None or spooler is None or (shared and spooler):
            return  # unknown, or ConfigurationError
        command = (
            "spooler-python-import"
            if spooler
            else ("shared-python-import" if shared else "python-import")
        )
        self._write(command, b.get("modules"), b.site("modules"), cast="multi", group="python")

    def _set_app_args(self, b: _Bound) -> None:
        if b.rest:
            value = _joined(b.rest, " ")
            self._write("pyargv", value, b.whole, group="python")

    # -- logging, applications, locks, spooler, statics, caching --------------------------

    def _logging_basic(self, b: _Bound) -> None:
        after = ("apply_strftime", "response_ms", "ip_x_forwarded")
        self._generic("logging", "set_basic_params", b, skip=("prefix_date", *after))
        date = b.get("prefix_date")
        if isinstance(date, str) and "%" in date:
            date = date.replace("%", "%%")
        cast = "flag" if isinstance(date, bool) else "verbatim"
        self._write("log-date", date, b.site("prefix_date"), cast=cast)
        tail = {name: value for name, value in b.values.items() if name in after}
        self._generic("logging", "set_basic_params", _Bound(b.whole, tail, b.sites))

    def _log_into(self, b: _Bound) -> None:
        key = self._chosen(b, "before_priv_drop", True, "logto", "logto2")
        if key:
            self._write(key, b.get("target"), b.site("target"))

    def _set_filters(self, b: _Bound) -> None:
        for param, key in (("write_errors", "ignore-write-errors"), ("sigpipe", "ignore-sigpipe")):
            value = b.get(param)
            if value is not None:
                truth = _truth(value)
                inverted = value if truth is None else not truth
                self._write(key, inverted, b.site(param), cast="flag")
        tolerance = b.get("write_errors_tolerance")
        self._write("write-errors-tolerance", tolerance, b.site("write_errors_tolerance"))
        for param, key in (("include", "log-filter"), ("exclude", "log-drain")):
            for line in _listify(b.get(param)):
                self._write(key, line, b.site(param), cast="multi")

    def _add_logger(self, b: _Bound) -> None:
        single, requests = (
            _truth(b.get("for_single_worker", False)),
            _truth(b.get("requests_only", False)),
        )
        if single is None or requests is None:
            return
        command = ("worker-" if single else "") + ("logger-req" if requests else "logger")
        for logger in _listify(b.get("logger")):
            self._write(command, logger, b.site("logger"), cast="multi")

    def _mount(self, b: _Bound) -> None:
        key = self._chosen(b, "into_worker", False, "worker-mount", "mount")
        if key:
            value = _join(b.get("mountpoint"), "=", b.get("app"))
            self._write(key, value, b.site("mountpoint", "app"), cast="multi")

    def _switch_into_lazy_mode(self, b: _Bound) -> None:
        key = self._chosen(b, "affect_master", None, "lazy", "lazy-apps")
        if key:
            self._write(key, True, b.site("affect_master"), cast="flag")

    def _lock_file(self, b: _Bound) -> None:
        wait, after = _truth(b.get("wait", False)), _truth(b.get("after_setup", False))
        if wait is None or after is None:
            return
        command = ("flock-wait" if wait else "flock") + ("2" if after else "")
        self._write(command, _join(b.get("fpath")), b.site("fpath"))

    def _spooler_basic(self, b: _Bound) -> None:
        self._generic("spooler", "set_basic_params", b, skip=("base_dir",))
        if b.get("base_dir") is not None:
            self._spooler_base_dir = b.get("base_dir")

    def _spooler_add(self, b: _Bound) -> None:
        external = _truth(b.get("external", False))
        base = self._spooler_base_dir
        if external is None:
            return
        work_dir = b.get("work_dir")
        dirs: Any = work_dir
        if base is not None:
            import posixpath

            dirs = []
            for item in _listify(work_dir):
                if isinstance(base, str) and isinstance(item, str):
                    dirs.append(posixpath.join(base, item))
                else:
                    dirs.append(
                        _first_unknown([base, item]) or Unknown("spooler dir", NOT_RENDERED)
                    )
        command = "spooler-external" if external else "spooler"
        self._write(command, self._placeholders(dirs), b.site("work_dir"), cast="multi")

    def _statics_basic(self, b: _Bound) -> None:
        static_dir = b.get("static_dir")
        if static_dir == "docroot":
            self._write("check-static-docroot", True, b.site("static_dir"), cast="flag")
        else:
            self._write("static-check", static_dir, b.site("static_dir"), cast="multi")
        self._generic("statics", "set_basic_params", b, skip=("static_dir",))

    def _register_static_map(self, b: _Bound) -> None:
        key = self._chosen(b, "retain_resource_path", False, "static-map2", "static-map")
        safe = _truth(b.get("safe_target", False))
        if key is None or safe is None:
            return
        value = _join(b.get("mountpoint"), "=", b.get("target"))
        self._write(key, value, b.site("mountpoint", "target"), cast="multi")
        if safe:
            self._write("static-safe", b.get("target"), b.site("target"), cast="multi")

    def _add_expiration_rule(self, b: _Bound) -> None:
        criterion, mtime = b.get("criterion"), _truth(b.get("use_mod_time", False))
        if not isinstance(criterion, str) or mtime is None:
            return
        command = "static-expires" + ("" if criterion == "filename" else f"-{criterion}")
        separator = "=" if criterion == "type" else " "
        command += "-mtime" if mtime else ""
        for value in _listify(b.get("value")):
            text = _join(value, separator, b.get("timeout"))
            self._write(command, text, b.site("value", "timeout"), cast="multi")

    def _add_cache_item(self, b: _Bound) -> None:
        value = _join(b.get("cache_name") or "", " ", b.get("key"), "=", b.get("value"))
        value = value.strip() if isinstance(value, str) else value
        self._write("add-cache-item", value, b.site("key", "value"), cast="multi")

    def _add_cache_file(self, b: _Bound) -> None:
        key = self._chosen(b, "gzip", False, "load-file-in-cache-gzip", "load-file-in-cache")
        if key:
            value = _join(b.get("cache_name") or "", " ", b.get("filepath"))
            value = value.strip() if isinstance(value, str) else value
            self._write(key, value, b.site("filepath"), cast="multi")

    def _add_cache(self, b: _Bound) -> None:
        keys = (
            "name", "max_items", "no_expire", "store", "store_sync_interval", "store_delete",
            "hash_algo", "hash_size", "key_size", "udp_clients", "udp_servers", "block_size",
            "block_count", "sync_from", "mode_bitmap", "use_lastmod", "full_silent",
            "full_purge_lru",
        )  # fmt: skip
        aliases = {
            "max_items": "maxitems", "store_sync_interval": "storesync", "hash_algo": "hash",
            "udp_clients": "nodes", "block_size": "blocksize", "block_count": "blocks",
            "sync_from": "sync", "mode_bitmap": "bitmap", "use_lastmod": "lastmod",
            "full_silent": "ignore_full", "full_purge_lru": "purge_lru",
        }  # fmt: skip
        bools = (
            "store_delete",
            "mode_bitmap",
            "use_lastmod",
            "full_silent",
            "full_purge_lru",
            "no_expire",
        )
        rule = _key_value(
            b, keys, aliases, bools=bools, lists=("udp_clients", "udp_servers", "sync_from")
        )
        self._write("cache2", rule, b.whole, cast="multi")

    def _header_add(self, b: _Bound) -> None:
        value = _join(b.get("name"), ": ", b.get("value"))
        self._write("add-header", value, b.site("name", "value"), cast="multi")

    def _header_collect(self, b: _Bound) -> None:
        key = self._chosen(b, "pull", False, "pull-header", "collect-header")
        if key:
            value = _join(b.get("name"), " ", b.get("target_var"))
            self._write(key, value, b.site("name", "target_var"), cast="multi")

    def _set_error_page(self, b: _Bound) -> None:
        status = b.get("status")
        try:
            code = int(status)
        except (TypeError, ValueError):
            return  # unknown, or uwsgiconf raises
        if code in (403, 404, 500):
            site = replace(b.site("html_fpath"), key_span=b.site("status").span)
            self._write(f"error-page-{code}", b.get("html_fpath"), site, cast="multi")


def _key_value(
    b: _Bound,
    keys: tuple[str, ...],
    aliases: dict[str, str],
    *,
    bools: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
) -> str | Unknown:
    """``uwsgiconf.utils.KeyValue``: ``key=value`` pairs joined with commas."""
    chunks: list[Any] = []
    for key in keys:
        value = b.get(key)
        if value is None:
            continue
        if key in bools:
            value = 1
        elif key in lists:
            items = _listify(value)
            value = _joined(items, ";")
        chunks.append(_join(aliases.get(key, key), "=", value))
    joined = _joined(chunks, ",")
    return joined.strip() if isinstance(joined, str) else joined


_HANDLERS: dict[tuple[str, str], Callable[[SectionState, _Bound], None]] = {
    ("", "env"): SectionState._env,
    ("", "include"): SectionState._include,
    ("", "set_fallback"): SectionState._set_fallback,
    ("", "set_placeholder"): SectionState._set_placeholder,
    ("", "set_plugins_params"): SectionState._set_plugins_params,
    ("", "_set"): SectionState._set_raw,
    ("", "print_out"): SectionState._print_out,
    ("", "set_runtime_dir"): SectionState._set_runtime_dir_call,
    ("nice.Section", "configure_owner"): SectionState._configure_owner,
    ("nice.Section", "configure_certbot_https"): SectionState._configure_certbot_https,
    ("main_process", "daemonize"): SectionState._daemonize,
    ("main_process", "change_dir"): SectionState._change_dir,
    ("main_process", "set_owner_params"): SectionState._set_owner_params,
    ("main_process", "set_hook"): SectionState._set_hook,
    ("main_process", "set_hook_touch"): SectionState._set_hook_touch,
    ("main_process", "run_command_on_event"): SectionState._run_command_on_event,
    ("main_process", "run_command_on_touch"): SectionState._run_command_on_touch,
    ("main_process", "set_pid_file"): SectionState._set_pid_file,
    ("main_process", "set_naming_params"): SectionState._set_naming_params,
    ("master_process", "set_basic_params"): SectionState._master_basic,
    ("master_process", "add_cron_task"): SectionState._add_cron_task,
    ("master_process", "attach_process"): SectionState._attach_process,
    ("master_process", "attach_process_classic"): SectionState._attach_process_classic,
    ("workers", "set_basic_params"): SectionState._workers_basic,
    ("workers", "set_count_auto"): SectionState._set_count_auto,
    ("workers", "run_command_as_worker"): SectionState._run_command_as_worker,
    ("workers", "set_thread_params"): SectionState._set_thread_params,
    ("workers", "set_mules_params"): SectionState._set_mules_params,
    ("workers", "set_zerg_server_params"): SectionState._zerg_server,
    ("workers", "set_zerg_client_params"): SectionState._zerg_client,
    ("networking", "set_basic_params"): SectionState._networking_basic,
    ("networking", "register_socket"): SectionState._register_socket,
    ("networking", "set_ssl_params"): SectionState._set_ssl_params,
    ("networking", "set_sni_params"): SectionState._set_sni_params,
    ("cheapening", "set_basic_params"): SectionState._cheapening_basic,
    ("python", "set_basic_params"): SectionState._python_basic,
    ("python", "set_wsgi_params"): SectionState._set_wsgi_params,
    ("python", "register_module_alias"): SectionState._register_module_alias,
    ("python", "import_module"): SectionState._import_module,
    ("python", "set_app_args"): SectionState._set_app_args,
    ("logging", "set_basic_params"): SectionState._logging_basic,
    ("logging", "log_into"): SectionState._log_into,
    ("logging", "set_filters"): SectionState._set_filters,
    ("logging", "add_logger"): SectionState._add_logger,
    ("applications", "mount"): SectionState._mount,
    ("applications", "switch_into_lazy_mode"): SectionState._switch_into_lazy_mode,
    ("locks", "lock_file"): SectionState._lock_file,
    ("spooler", "set_basic_params"): SectionState._spooler_basic,
    ("spooler", "add"): SectionState._spooler_add,
    ("statics", "set_basic_params"): SectionState._statics_basic,
    ("statics", "register_static_map"): SectionState._register_static_map,
    ("statics", "add_expiration_rule"): SectionState._add_expiration_rule,
    ("caching", "add_item"): SectionState._add_cache_item,
    ("caching", "add_file"): SectionState._add_cache_file,
    ("caching", "add_cache"): SectionState._add_cache,
    ("routing", "header_add"): SectionState._header_add,
    ("routing", "header_collect"): SectionState._header_collect,
    ("routing", "set_error_page"): SectionState._set_error_page,
}


# --- configurations and the Broodlord preset ----------------------------------------------


def configuration(sections: list[SectionState], call: Call) -> CompiledConfiguration:
    """``Configuration(sections, autoinclude_sections=, alias=)`` or
    ``section.as_configuration(alias=, autoinclude_sections=)``."""
    spec = api.constructor("Configuration")
    values: dict[str, Arg] = {}
    if spec is not None:
        if call.path and call.path[-1] == "Configuration":
            _bind(spec, call)
        expanded = _expand(call.args)
        values = {
            arg.keyword: arg for arg in expanded if arg.keyword in ("alias", "autoinclude_sections")
        }
    autoinclude = values.get("autoinclude_sections")
    if sections and autoinclude is not None and _truth(autoinclude.value):
        site = _Site(
            autoinclude.keyword_span or call.name_span,
            autoinclude.value_span,
            autoinclude.span,
            call.condition,
        )
        first = sections[0]
        for section in sections[1:]:
            first._write("ini", ":" + section.name, site, cast="multi")
    alias_arg = values.get("alias")
    alias = _pystr(alias_arg.value) if alias_arg is not None and alias_arg.value else "uwsgicfg"
    alias_text = alias if isinstance(alias, str) else f"<unknown: {alias.text}>"
    compiled = [section.compiled() for section in sections]
    if not compiled:
        compiled = [CompiledSection("uwsgi", call.span, [])]  # uwsgiconf makes an empty one
    return CompiledConfiguration(alias_text, compiled, call.span)


def broodlord(call: Call) -> tuple[SectionState, SectionState]:
    """``Broodlord(zerg_socket, ...).configure()`` -> (emperor, zerg)."""
    spec = api.constructor("Broodlord")
    bound = _bind(spec, call) if spec is not None else None
    if bound is None:
        return SectionState._blank("Section", call.span), SectionState._blank("Section", call.span)
    emperor = bound.get("section_emperor")
    if not isinstance(emperor, SectionState):
        emperor = SectionState._blank("Section", call.span)
    zerg = bound.get("section_zerg")
    if not isinstance(zerg, SectionState):
        zerg = emperor._copy(call.span)
    whole = bound.whole.implied(IMPLICIT_BROODLORD)

    def passed(**names: str) -> _Bound:
        """The preset passing its own arguments on: each line sits at the argument."""
        out = _Bound(whole)
        for param, source in names.items():
            if bound.given(source):
                out.values[param] = bound.get(source)
                out.sites[param] = bound.site(source)
        return out

    socket_site = bound.site("zerg_socket")
    emperor.touch("workers", socket_site.key_span, call.condition)
    emperor._run("workers", "set_zerg_server_params", passed(socket="zerg_socket"))
    emperor._run("empire", "set_emperor_params", passed(vassals_home="vassals_home"))
    broodlord_params = passed(
        zerg_count="zerg_count",
        vassal_overload_sos_interval="vassal_overload_sos_interval",
        vassal_queue_items_sos="vassal_queue_items_sos",
    )
    emperor._run("empire", "set_mode_broodlord_params", broodlord_params)
    zerg.name = "zerg"
    zerg.touch("workers", socket_site.key_span, call.condition)
    zerg._run("workers", "set_zerg_client_params", passed(server_sockets="zerg_socket"))
    die_on_idle = _truth(bound.get("zerg_die_on_idle"))
    if die_on_idle:
        idle_site = bound.site("zerg_die_on_idle").implied(IMPLICIT_BROODLORD)
        zerg._run(
            "master_process", "set_idle_params", _Bound(idle_site, {"timeout": 30, "exit": True})
        )
    return emperor, zerg

"""The uwsgiconf-specific findings (UW601-UW608), judged from the static reading.

uwsgiconf checks nothing itself: each finding here is something its 2.4.0 does silently
or fails on when compiling (verified in ``tests/test_uwsgiconf_rules.py``).  They are
made from the recorded calls (:class:`~.model.Call`: the method each bound to, its
arguments), the emitted options (``workers = %k`` written on a group's first touch) and
the module facts; fixes are libcst codemods: a node replaced by a changed node.  UW600
and UW609 come from the evaluator, the options written from the other rules.

:func:`find_pin` finds the lowest uwsgiconf version the project allows (UW608).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import fs
from ..diagnostics import Related
from ..model import Applicability, Edit, Fix, Position, Problem, Span
from ..values import shown
from . import api
from .emit import IMPLICIT_TOUCH
from .model import Arg, Call, Compiled, Emission, ModuleFact, Unknown

# what a pin file may weigh (a requirements file is a few KB)
PIN_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Pin:
    """The lowest uwsgiconf version a project allows, and the requirement that says so."""

    version: str  # "2.1.0", "2.3" (as written)
    requirement: str  # the requirement as written: "uwsgiconf>=2.1,<3"
    span: Span


def check(compiled: Compiled, pinned: Pin | None) -> list[Problem]:
    """The UW601-UW608 findings of one module (none when it does not use uwsgiconf or does
    not parse)."""
    if not compiled.is_uwsgiconf or compiled.module is None:
        return []
    out: list[Problem] = []
    for call in compiled.calls:
        spec = _spec(call)
        out += _unknown_arguments(compiled, call, spec)
        out += _ignored_params(compiled, call, spec)
        out += _wrong_values(call, spec)
        if pinned is not None and spec is not None:
            out += _newer_than(call, spec, pinned)
    out += _touched(compiled)
    for fact in compiled.facts:
        out += _module_fact(compiled, fact)
    return out


# -- binding -------------------------------------------------------------------------------


def _spec(call: Call) -> api.MethodSpec | None:
    """The method a call binds to: as the emitter bound it, else a constructor of a class
    kind (a socket, an algorithm, ``Broodlord``)."""
    if isinstance(call.method, api.MethodSpec):
        return call.method
    if len(call.path) == 1 and api.kind(call.path[0]) is not None:
        return api.constructor(call.path[0])
    return None


def _bound(call: Call, spec: api.MethodSpec) -> dict[str, Arg]:
    """Parameter name -> argument, as Python binds them (``**`` splats left out)."""
    if call.bound:
        return call.bound
    positional = [p.name for p in spec.params if p.positional]
    out: dict[str, Arg] = {}
    for arg in call.args:
        if arg.keyword is None:
            if positional:
                out[positional.pop(0)] = arg
        elif arg.keyword != "**":
            out[arg.keyword] = arg
    return out


def _known(value: object) -> bool:
    """A value the static reading resolved (not :class:`Unknown`, at any depth)."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, list | tuple):
        return all(_known(v) for v in value)
    if isinstance(value, dict):
        return all(_known(k) and _known(v) for k, v in value.items())
    return True


def _name(spec: api.MethodSpec) -> str:
    """How a message names the method: ``workers.set_basic_params()``, ``Section()``."""
    if spec.name == "__init__":
        return f"{spec.owner}()"
    return f"{spec.owner}.{spec.name}()" if spec.owner else f"{spec.name}()"


def _similar(word: str, names: list[str] | tuple[str, ...]) -> list[str]:
    """Did-you-mean candidates for ``word`` among ``names``, best first (difflib, as the
    unknown-option rule: only close matches; case does not count)."""
    lower = {n.lower(): n for n in names}
    cutoff = 0.8 if len(word) <= 5 else 0.75
    return [lower[m] for m in difflib.get_close_matches(word.lower(), list(lower), 3, cutoff)]


def _said(text: str) -> str:
    """A name or value of the file as a message quotes it (cleaned, cut short)."""
    return shown(text, 40)


def _did_you_mean(hints: list[str], template: str = "`{}`") -> str:
    if not hints:
        return ""
    return "; did you mean " + " or ".join(template.format(h) for h in hints) + "?"


# -- codemods --------------------------------------------------------------------------------


def _replace(compiled: Compiled, span: Span, new_node: Any) -> Edit:
    """An edit replacing the node at ``span`` by ``new_node`` (rendered by libcst)."""
    return Edit(span, compiled.module.code_for_node(new_node))


def _arg_node(call: Call, arg: Arg) -> Any:
    """The libcst ``Arg`` node of a recorded argument (None when the call's node is not
    the call as written)."""
    node = call.node
    if node is None or len(getattr(node, "args", ())) != len(call.args):
        return None
    for recorded, written in zip(call.args, node.args, strict=True):
        if recorded is arg:
            return written
    return None


def _rename_keyword(compiled: Compiled, call: Call, arg: Arg, new: str) -> Fix | None:
    """Rename the keyword of ``arg`` to ``new`` (unsafe: a guess at what was meant); none
    when the call passes ``new`` already (a repeated keyword is a SyntaxError)."""
    node = _arg_node(call, arg)
    if node is None or node.keyword is None or arg.keyword_span is None:
        return None
    if any(a.keyword == new for a in call.args):
        return None
    edit = _replace(compiled, arg.keyword_span, node.keyword.with_changes(value=new))
    return Fix(f"rename `{_said(arg.keyword or '')}` to `{new}`", (edit,), Applicability.UNSAFE)


def _rename_key(compiled: Compiled, call: Call, arg: Arg, old: str, new: str) -> Fix | None:
    """Rename the key ``old`` of a ``dict(...)`` or ``{...}`` literal given as ``arg``."""
    import libcst as cst

    node = _arg_node(call, arg)
    value = node.value if node is not None else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and \
            value.func.value == "dict":
        if any(a.keyword is not None and a.keyword.value == new for a in value.args):
            return None
        args = [a.with_changes(keyword=a.keyword.with_changes(value=new))
                if a.keyword is not None and a.keyword.value == old else a for a in value.args]
        new_value: Any = value.with_changes(args=args)
    elif isinstance(value, cst.Dict):
        keys = [e.key if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                else None for e in value.elements]
        if any(k is not None and k.evaluated_value == new for k in keys):
            return None
        elements = [e.with_changes(key=k.with_changes(value=f"{k.prefix}{k.quote}{new}{k.quote}"))
                    if k is not None and k.evaluated_value == old else e
                    for e, k in zip(value.elements, keys, strict=True)]
        new_value = value.with_changes(elements=elements)
    else:
        return None
    if new_value.deep_equals(value):
        return None
    return Fix(f"rename `{_said(old)}` to `{new}`",
               (_replace(compiled, arg.value_span, new_value),), Applicability.UNSAFE)


# -- UW601 uwsgiconf-unknown-keyword ---------------------------------------------------------

# the constructors that hand their unknown keywords to ``Section(**kwargs)``, which drops them
_SECTION_KINDS = frozenset({"Section", "nice.Section", "PythonSection"})
# Broodlord keeps `zerg_die_on_idle` only as a switch: the idle timeout is always 30 s
_BROODLORD_IDLE = 30


def _unknown_arguments(compiled: Compiled, call: Call, spec: api.MethodSpec | None
                       ) -> Iterator[Problem]:
    if spec is None:
        return
    if spec.var_positional and not spec.params:
        return  # a group's base set_basic_params: it takes anything (UW602)
    names = [p.name for p in spec.params]
    if spec.name == "bootstrap":  # its other keywords go to the section's constructor
        init = api.constructor(_section_kind(call))
        names += [p.name for p in init.params] if init is not None else []
    what = f"{_section_kind(call)}.bootstrap()" if spec.name == "bootstrap" else _name(spec)
    unknown = _unknown(call, spec)
    extra = [a for a in unknown if a.keyword is None]
    if extra:
        positional = sum(p.positional for p in spec.params)
        only = "keyword arguments only" if not positional else (
            f"at most {positional} positional argument{'s' * (positional > 1)}")
        yield Problem("UW601", f"{what} takes {only}: uwsgiconf fails here with TypeError; "
                      "name the argument", extra[0].span)
    for arg in unknown:
        keyword = arg.keyword
        if keyword is None or keyword == "**" or (
                spec.var_keyword and keyword.startswith("params_")):
            continue  # params_<group>: UW602
        hints = _similar(keyword, names)
        fix = _rename_keyword(compiled, call, arg, hints[0]) if len(hints) == 1 else None
        span = arg.keyword_span or arg.span
        if spec.var_keyword:
            groups = _similar(keyword, sorted(g for g in api.groups() if _basic(g)))
            advice = _did_you_mean(hints) or (
                f"; for the `{groups[0]}` group write `params_{groups[0]}=dict(...)`"
                if groups else "; remove it")
            yield Problem("UW601", f"{what} has no parameter `{_said(keyword)}`: uwsgiconf ignores "
                          f"it without a word{advice}", span, fix=fix)
        else:
            yield Problem("UW601", f"{what} has no parameter `{_said(keyword)}`: uwsgiconf fails "
                          f"here with TypeError{_did_you_mean(hints) or '; remove it'}", span,
                          fix=fix)
    if spec.owner in _SECTION_KINDS or (spec.owner == "" and spec.name == "bootstrap"):
        yield from _params_keys(compiled, call)
    if spec.owner == "Broodlord" and spec.name == "__init__":
        yield from _broodlord_idle(call, spec)


def _section_kind(call: Call) -> str:
    """The section class a ``X.bootstrap(...)`` call builds (``Section`` when not said)."""
    return next((part for part in call.path if part in _SECTION_KINDS), "Section")


def _unknown(call: Call, spec: api.MethodSpec) -> list[Arg]:
    """The arguments the method does not take: extra positional ones, and keywords it
    does not have (those a ``**kwargs`` swallows included; ``params_`` ones too)."""
    if call.method is spec:
        return call.unknown  # bound by the emitter
    out = []
    positional = sum(p.positional for p in spec.params)
    for arg in call.args:
        if arg.keyword is None:
            positional -= 1
            if positional < 0 and not spec.var_positional:
                out.append(arg)
        elif arg.keyword != "**" and spec.param(arg.keyword) is None:
            out.append(arg)
    return out


def _params_keys(compiled: Compiled, call: Call) -> Iterator[Problem]:
    """``params_<group>=dict(...)`` with a key the group's set_basic_params does not take."""
    for arg in call.args:
        group = _params_group(arg)
        if group is None or not _basic(group) or not isinstance(arg.value, dict):
            continue
        spec = api.method(group, "set_basic_params")
        if spec is None or spec.var_keyword:
            continue
        names = [p.name for p in spec.params]
        for key in arg.value:
            if isinstance(key, str) and key not in names:
                hints = _similar(key, names)
                fix = _rename_key(compiled, call, arg, key, hints[0]) if len(hints) == 1 \
                    else None
                yield Problem(
                    "UW601", f"{_name(spec)} has no parameter `{_said(key)}` (from "
                    f"`{arg.keyword}`): uwsgiconf fails here with TypeError"
                    f"{_did_you_mean(hints) or '; remove it'}", arg.value_span, fix=fix)


def _broodlord_idle(call: Call, spec: api.MethodSpec) -> Iterator[Problem]:
    arg = _bound(call, spec).get("zerg_die_on_idle")
    if arg is None or (_known(arg.value) and (not arg.value or arg.value == _BROODLORD_IDLE)):
        return
    yield Problem(
        "UW601", "Broodlord ignores the value of `zerg_die_on_idle`: idle zergs die after "
        f"{_BROODLORD_IDLE} s; set the zerg section's `master_process.set_idle_params(timeout=N)`",
        arg.span,
        detail="uwsgiconf's Broodlord preset only tests whether `zerg_die_on_idle` is set and "
        f"then writes `idle = {_BROODLORD_IDLE}` and `die-on-idle = true` into the zerg section "
        "(presets/empire.py, uwsgiconf 1.0.0 to 2.4.0). After `emperor, zerg = "
        "Broodlord(...).configure()`, `zerg.master_process.set_idle_params(timeout=N, "
        "exit=True)` sets the timeout meant.")


# -- UW602 uwsgiconf-params-ignored ----------------------------------------------------------


def _basic(group: str) -> bool:
    spec = api.group(group)
    return spec is not None and spec.basic_params


def _params_group(arg: Arg) -> str | None:
    keyword = arg.keyword
    if keyword is None or not keyword.startswith("params_") or keyword == "params_":
        return None
    return keyword.removeprefix("params_")


def _ignored_params(compiled: Compiled, call: Call, spec: api.MethodSpec | None
                    ) -> Iterator[Problem]:
    if spec is None:
        return
    if spec.owner in api.groups() and spec.name == "set_basic_params" and not _basic(spec.owner):
        if call.args:
            yield Problem(
                "UW602", f"the `{spec.owner}` group has no basic parameters: uwsgiconf drops "
                f"these arguments without a word; {_use_methods(spec.owner, call.args)}",
                call.span)
        return
    if not (spec.var_keyword and (spec.owner in _SECTION_KINDS or spec.name == "bootstrap")):
        return
    names = {p.name for p in spec.params}
    for arg in call.args:
        group = _params_group(arg)
        if group is None or arg.keyword in names or _basic(group):
            continue
        if _known(arg.value) and not arg.value:
            continue  # uwsgiconf skips an empty value before it looks at the group
        span = arg.keyword_span or arg.span
        if group in api.groups():
            yield Problem(
                "UW602", f"the `{group}` group has no basic parameters: uwsgiconf drops "
                f"`{arg.keyword}` without a word; {_use_methods(group, [arg])}", span)
            continue
        hints = _similar(group, sorted(g for g in api.groups() if _basic(g)))
        fix = _rename_keyword(compiled, call, arg, f"params_{hints[0]}") if len(hints) == 1 \
            else None
        yield Problem(
            "UW602", f"a section has no group `{_said(group)}`: uwsgiconf drops "
            f"`params_{_said(group)}` without a word{_did_you_mean(hints, '`params_{}`')}",
            span, fix=fix)


def _use_methods(group: str, args: list[Arg] | tuple[Arg, ...]) -> str:
    """Advice naming the group's methods that take the keywords given (directly, or as
    the keys of a ``params_`` dict)."""
    keys: set[str] = set()
    for arg in args:
        if isinstance(arg.value, dict):
            keys |= {k for k in arg.value if isinstance(k, str)}
        elif arg.keyword is not None and arg.keyword != "**":
            keys.add(arg.keyword)
    fitting = [name for name in api.methods(group)
               if not name.startswith("_") and keys & _parameters(group, name)]
    if fitting:
        return "call " + " or ".join(f"`{group}.{m}()`" for m in fitting[:3])
    return f"call the `{group}` group's methods"


def _parameters(owner: str, name: str) -> set[str]:
    spec = api.method(owner, name)
    return {p.name for p in spec.params} if spec is not None else set()


# -- UW605 uwsgiconf-wrong-type --------------------------------------------------------------

_DROP_AFTER = ("init", "apps")
_ERROR_PAGES = (403, 404, 500)


def _socket_schemes() -> frozenset[str]:
    """The DSN schemes ``sockets.from_dsn`` knows: each socket class's option name without
    ``socket`` (``http-socket`` -> ``http``; the default ``socket`` -> ``""``)."""
    out = set()
    for name in ("default", "fastcgi", "http", "https", "raw", "scgi", "shared", "udp",
                 "uwsgi", "uwsgis", "zeromq"):
        spec = api.kind(f"networking.sockets.{name}")
        if spec is not None:
            out.add(spec.option.replace("socket", "").rstrip("-"))
    return frozenset(out)


def _texts(value: object) -> list[str]:
    """The strings a value is or holds (a list's items)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _wrong_values(call: Call, spec: api.MethodSpec | None) -> Iterator[Problem]:
    if call.path[-1] == "from_dsn":  # a classmethod the catalog has no signature of
        dsn = next((a for a in call.args if a.keyword in (None, "dsn")), None)
        if dsn is not None:
            yield from _dsn(dsn)
        return
    if spec is None:
        return
    bound = _bound(call, spec)
    where = (spec.owner, spec.name)

    def problem(arg: Arg, message: str) -> Problem:
        return Problem("UW605", message, arg.value_span)

    if where == ("networking", "set_basic_params"):
        arg = bound.get("default_socket_type")
        if arg is not None and isinstance(arg.value, str) and arg.value:
            cls = arg.value if api.kind(f"networking.sockets.{arg.value}") else "http"
            yield problem(arg, "`default_socket_type` takes a socket class, not a string: "
                          f"uwsgiconf fails here with TypeError; write `networking.sockets.{cls}`")
    elif where == ("networking", "register_socket"):
        arg = bound.get("socket")
        if arg is not None and _texts(arg.value):
            yield Problem(
                "UW605", "register_socket() takes socket objects, not a string: uwsgiconf fails "
                "here with AttributeError; write `networking.sockets.http(ADDRESS)`",
                arg.value_span, detail="Each socket class writes its own option: "
                "`networking.sockets.http(...)` an `http-socket`, `.uwsgi(...)` a `uwsgi-socket`, "
                "`.default(...)` a `socket` (the protocol of `socket-protocol`), `.fastcgi(...)`, "
                "`.https(address, cert=..., key=...)` ...")
    elif where == ("cheapening", "set_basic_params"):
        arg = bound.get("cheaper_algo")
        if arg is not None and isinstance(arg.value, str):
            algo = arg.value if api.kind(f"cheapening.algorithms.{arg.value}") else "spare"
            yield problem(arg, "`cheaper_algo` takes an algorithm object, not a string: "
                          "uwsgiconf fails here with AttributeError; write "
                          f"`cheapening.algorithms.{algo}()`")
    elif where == ("workers", "set_mules_params"):
        arg = bound.get("farms")
        if arg is not None and _texts(arg.value):
            yield problem(arg, "`farms` takes MuleFarm objects, not strings: uwsgiconf fails "
                          "here with AttributeError; write `workers.mule_farm(NAME, MULES)`")
    elif where in (("main_process", "set_owner_params"), ("nice.Section", "configure_owner")):
        arg = bound.get("drop_after")
        if arg is not None and isinstance(arg.value, str) and arg.value \
                and arg.value not in _DROP_AFTER:
            yield problem(arg, f"`drop_after` is `init` or `apps`, not `{_said(arg.value)}`: "
                          "uwsgiconf fails here with AssertionError")
    elif where == ("routing", "set_error_page"):
        arg = bound.get("status")
        if arg is not None:
            yield from _error_status(arg, arg.value)
    elif where == ("routing", "set_error_pages"):
        arg = bound.get("codes_map")
        if arg is not None and isinstance(arg.value, dict):
            for code in arg.value:
                yield from _error_status(arg, code)
    elif where == ("master_process", "attach_process_classic"):
        command, background = bound.get("command_or_pid_path"), bound.get("background")
        if command is not None and background is not None and isinstance(command.value, str) \
                and _known(background.value) and background.value \
                and ".pid" not in command.value:
            yield problem(background, "`background=True` needs a pidfile path (containing "
                          "`.pid`): uwsgiconf fails here with ConfigurationError; or write "
                          "background=False")
    elif where == ("python", "import_module"):
        shared, spooler = bound.get("shared"), bound.get("into_spooler")
        if shared is not None and spooler is not None and _known(shared.value) \
                and _known(spooler.value) and shared.value and spooler.value:
            yield problem(spooler, "`shared=True` and `into_spooler=True` together: uwsgiconf "
                          "fails here with ConfigurationError; import it twice, once each")
    elif spec.name == "bootstrap":
        arg = bound.get("dsn")
        if arg is not None:
            yield from _dsn(arg)


def _error_status(arg: Arg, status: object) -> Iterator[Problem]:
    if not isinstance(status, int | str) or isinstance(status, bool):
        return
    try:
        code = int(status)
    except ValueError:
        yield Problem("UW605", f"the status `{_said(str(status))}` is not a number: uwsgiconf "
                      "fails here with ValueError; error pages exist for 403, 404 and 500",
                      arg.value_span)
        return
    if code not in _ERROR_PAGES:
        yield Problem("UW605", f"uWSGI has error pages for 403, 404 and 500 only: uwsgiconf "
                      f"fails here with ConfigurationError on {code}", arg.value_span)


def _dsn(arg: Arg) -> Iterator[Problem]:
    """DSNs ``from_dsn`` fails on (an unknown scheme: KeyError) or reads as a default
    socket without an address (no scheme, no ``//``: ``socket =``), split as it splits."""
    from .emit import split_dsn

    schemes = _socket_schemes()
    for dsn in _texts(arg.value):
        try:
            split = split_dsn(dsn)
        except ValueError:
            continue
        advice = "start it with http://, uwsgi://, fastcgi:// ..."
        known = "The schemes uwsgiconf knows: " + ", ".join(
            f"`{s}://`" for s in sorted(schemes) if s) + "."
        head, colon, _ = dsn.partition(":")
        if split.scheme not in schemes and "://" in dsn:
            yield Problem("UW605", f"uwsgiconf knows no socket scheme `{_said(split.scheme)}`: "
                          "it fails here with KeyError; use http://, uwsgi://, fastcgi:// ...",
                          arg.value_span, detail=known)
        elif colon and head and not head[0].isalpha() and "://" not in dsn:
            # `127.0.0.1:8000`: Python 3.10's urlsplit takes `127.0.0.1` as the scheme, 3.11
            # and later take no scheme (checked on 3.10.13 and 3.11.7): the interpreter that
            # compiles the config decides, not the one linting it
            yield Problem("UW605", f"`{_said(dsn)}` has no scheme: uwsgiconf fails here or writes "
                          f"`socket =` with no address (uWSGI exits); {advice}", arg.value_span,
                          detail="Which one depends on the Python that compiles it: 3.10 "
                          "takes the host for a scheme (KeyError), 3.11 and later write an "
                          f"empty `socket`. {known}")
        elif split.scheme not in schemes:
            yield Problem("UW605", f"`{_said(dsn)}` has no scheme: uwsgiconf fails here with "
                          f"KeyError; {advice}", arg.value_span, detail=known)
        elif not split.netloc:
            yield Problem("UW605", f"`{_said(dsn)}` has no scheme: uwsgiconf writes `socket =` "
                          f"with no address (uWSGI exits); {advice}", arg.value_span,
                          detail=known)


# -- UW607 uwsgiconf-workers-touched -----------------------------------------------------------


# how the emitter marks what a group's first access writes
_TOUCHED = IMPLICIT_TOUCH.split("{", 1)[0]


def _touched(compiled: Compiled) -> Iterator[Problem]:
    """``workers = %k`` written by touching a group, once per place (a section derived
    from another carries its lines); not when a preset touched it (Broodlord)."""
    seen: set[Span] = set()
    lines: list[str] = []
    for conf in compiled.configurations:
        for section in conf.sections:
            for e in section.emissions:
                if not e.implicit.startswith(_TOUCHED) or e.span in seen:
                    continue
                seen.add(e.span)
                call = _call_at(compiled, e.span)
                if call is not None and call.path == ("Broodlord",):
                    continue
                lines = lines or compiled.module.code.split("\n")
                yield _touch_problem(e, call, lines)


def _touch_problem(e: Emission, call: Call | None, lines: list[str]) -> Problem:
    """The finding at the access; it names the call that made it."""
    given = [a.keyword for a in call.args if a.keyword_span == e.span] if call else []
    if call is not None and len(call.path) == 2 and call.path[1] != "__call__":
        what = f"`{'.'.join(call.path)}()` touches `section.{call.path[0]}`"
    elif call is not None and len(call.path) == 2:
        what = f"`section.{call.path[0]}(...)` touches the group"
    elif given and given[0] is not None:
        what = f"`{given[0]}=` touches `section.{given[0].removeprefix('params_')}`"
    else:
        start, end = e.span.start, e.span.end
        written = lines[start.line - 1][start.column - 1:end.column - 1] \
            if start.line == end.line and start.line <= len(lines) else "section.workers"
        what = f"`{_said(written)}` is the group's first access"
    return Problem(
        "UW607", f"{what}: uwsgiconf writes `workers = %k`, a worker per CPU core; set a "
        "worker count", e.span,
        detail="The first access to a section's `workers` or `python` group writes "
        "`workers = %k` unless a count is set (uwsgiconf's Workers and Python groups do it "
        "when they are created): a 64-core host starts 64 workers, each with its own copy "
        "of the application. Set the count meant with "
        "`section.workers.set_basic_params(count=N)`.")


def _call_at(compiled: Compiled, span: Span) -> Call | None:
    """The innermost recorded call whose span holds ``span``."""
    best: Call | None = None
    for call in compiled.calls:
        s = call.span
        if s.file == span.file and s.start <= span.start and span.end <= s.end and (
                best is None or (s.start, best.span.end) >= (best.span.start, s.end)):
            best = call
    return best


# -- UW608 uwsgiconf-newer-than-pinned ---------------------------------------------------------


def _newer_than(call: Call, spec: api.MethodSpec, pin: Pin) -> Iterator[Problem]:
    floor = _version(pin.version)
    allowed = f"uwsgiconf {_version_text(pin.version)}"
    related = (Related(f"`{_said(pin.requirement)}` allows uwsgiconf "
                       f"{_version_text(pin.version)}", pin.span),)
    if _version(spec.since) > floor:
        error = "TypeError" if spec.name == "__init__" else "AttributeError"
        yield Problem(
            "UW608", f"{_name(spec)} is new in uwsgiconf {spec.since}: the project allows "
            f"{allowed}, which fails here with {error}; require uwsgiconf>={spec.since}",
            call.name_span, related=related)
        return
    for name, arg in _bound(call, spec).items():
        param = spec.param(name)
        if param is not None and _version(param.since) > floor:
            yield Problem(
                "UW608", f"`{name}=` is new in uwsgiconf {param.since}: the project allows "
                f"{allowed}, which fails here with TypeError; require uwsgiconf>={param.since}",
                arg.keyword_span or arg.span, related=related)


def _version(text: str) -> tuple[int, ...]:
    """``"2.1"`` -> ``(2, 1, 0)``: the numbers a version starts with."""
    numbers = [int(n) for n in re.findall(r"\d+", re.split(r"[^\d.]", text, maxsplit=1)[0])][:3]
    return tuple(numbers + [0] * (3 - len(numbers)))


def _version_text(text: str) -> str:
    return ".".join(map(str, _version(text)))


# -- UW603/UW604 the module attribute --------------------------------------------------------


_NEEDS = ("uwsgiconf formats each item of `uwsgi_configuration` as a Configuration. "
          "`configure_uwsgi(function)` calls the function and wraps each Section it returns "
          "with `as_configuration()`; a value set directly must be Configurations already.")


def _module_fact(compiled: Compiled, fact: ModuleFact) -> Iterator[Problem]:
    if fact.kind == "configuration-attribute":
        yield Problem(
            "UW603", "uwsgiconf reads `uwsgi_configuration`, not `configuration`: this module "
            "compiles to nothing and `uwsgiconf compile` exits 0; rename it", fact.span,
            detail="uwsgiconf reads the module attribute `uwsgi_configuration` since 0.11.0; "
            "`configuration` is what older versions read (and what its CLI page still says). "
            "`configure_uwsgi(get_configurations)` sets it for you.",
            fix=_rename_attribute(compiled, fact))
    elif fact.kind == "section-assigned":
        yield Problem(
            "UW604", "`uwsgi_configuration` holds a Section: uwsgiconf fails on it "
            "(AttributeError); append `.as_configuration()`", fact.span, detail=_NEEDS,
            fix=_as_configuration(compiled, fact))
    elif fact.kind == "callable-assigned":
        yield Problem(
            "UW604", "`uwsgi_configuration` holds a function: uwsgiconf does not call it and "
            "fails (AttributeError); hand it to `configure_uwsgi(...)`", fact.span,
            detail=_NEEDS, fix=_configure_uwsgi(compiled, fact))


def _assigned(fact: ModuleFact) -> Any:
    """The ``Assign`` statement of a fact (None when the evaluator kept another node)."""
    import libcst as cst

    node = fact.node
    return node if isinstance(node, cst.Assign) and len(node.targets) == 1 else None


def _rename_attribute(compiled: Compiled, fact: ModuleFact) -> Fix | None:
    """``configuration = X`` -> ``uwsgi_configuration = X`` when X is a Configuration or a
    list of them (a Section there would make uwsgiconf fail instead: UW604)."""
    import libcst as cst

    node = _assigned(fact)
    if node is None or not _configurations(compiled, node.value):
        return None
    target = node.targets[0].target
    if not isinstance(target, cst.Name) or target.value != "configuration":
        return None
    new = node.with_changes(targets=[node.targets[0].with_changes(
        target=target.with_changes(value="uwsgi_configuration"))])
    return Fix("rename `configuration` to `uwsgi_configuration`",
               (_replace(compiled, fact.span, new),), Applicability.UNSAFE)


def _configurations(compiled: Compiled, value: Any) -> bool:
    """Whether an expression builds a Configuration (``Configuration(...)``,
    ``X.as_configuration(...)``) or a list of them, as the module imports the names."""
    import libcst as cst

    if isinstance(value, cst.List):
        return bool(value.elements) and all(
            isinstance(e, cst.Element) and _configuration(compiled, e.value)
            for e in value.elements)
    return _configuration(compiled, value)


def _configuration(compiled: Compiled, value: Any) -> bool:
    import libcst as cst

    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute):
        if func.attr.value == "as_configuration":
            return True
        return func.attr.value == "Configuration" and _imports(compiled).get(
            _dotted(func.value)) == "module:uwsgiconf.config"
    return isinstance(func, cst.Name) and \
        _imports(compiled).get(func.value) == api.Kind("Configuration")


def _dotted(node: Any) -> str:
    """``a.b.c`` as written ("" for anything but names and attributes)."""
    import libcst as cst

    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return ""
    return ".".join([node.value, *reversed(parts)])


def _imports(compiled: Compiled) -> dict[str, object]:
    """Local name -> what it is (:func:`api.imported`), for the module-level imports of
    uwsgiconf: ``from uwsgiconf.config import Configuration as C`` -> ``{"C":
    Kind("Configuration")}``; ``import uwsgiconf.config as c`` -> ``{"c":
    "module:uwsgiconf.config"}``."""
    import libcst as cst

    out: dict[str, object] = {}
    lines = [s for s in compiled.module.body if isinstance(s, cst.SimpleStatementLine)]
    for statement in lines:
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not small.relative and \
                    small.module is not None and not isinstance(small.names, cst.ImportStar):
                module = _dotted(small.module)
                for alias in small.names:
                    name = _dotted(alias.name)
                    local = alias.asname.name.value if alias.asname is not None and \
                        isinstance(alias.asname.name, cst.Name) else name
                    found = api.imported(module, name)
                    if found is not None:
                        out[local] = found
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    name = _dotted(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        out[alias.asname.name.value] = f"module:{name}"
                    else:
                        out[name] = f"module:{name}"
    return out


def _as_configuration(compiled: Compiled, fact: ModuleFact) -> Fix | None:
    """``uwsgi_configuration = S`` -> ``uwsgi_configuration = S.as_configuration()``:
    what ``configure_uwsgi`` does to a Section (safe: the message's fix, nothing else)."""
    import libcst as cst

    node = _assigned(fact)
    if node is None or isinstance(node.value, cst.List | cst.Tuple):
        return None
    value = node.value
    if not isinstance(value, cst.Name | cst.Attribute | cst.Call | cst.Subscript):
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    new = node.with_changes(value=cst.Call(
        func=cst.Attribute(value=value, attr=cst.Name("as_configuration"))))
    return Fix("append `.as_configuration()`", (_replace(compiled, fact.span, new),),
               Applicability.SAFE)


def _configure_uwsgi(compiled: Compiled, fact: ModuleFact) -> Fix | None:
    """``uwsgi_configuration = f`` -> ``uwsgi_configuration = configure_uwsgi(f)`` when the
    module imports ``configure_uwsgi`` at its top level (safe: uwsgiconf calls the function
    and keeps the Configurations it returns, as the message says)."""
    import libcst as cst

    node = _assigned(fact)
    names = [n for n, v in _imports(compiled).items() if v == "configure_uwsgi"]
    if node is None or not names:
        return None
    new = node.with_changes(value=cst.Call(func=cst.Name(names[0]), args=[cst.Arg(node.value)]))
    return Fix(f"write `{names[0]}(...)` around the function",
               (_replace(compiled, fact.span, new),), Applicability.SAFE)


# -- the pin (UW608) ---------------------------------------------------------------------------

_NAME = re.compile(r"^\s*uwsgiconf\s*(\[[^\]]*\])?\s*", re.I)
_LOWER = re.compile(r"^\s*(===|==|~=|>=)\s*v?(\d+(?:\.\d+)*)")
# a poetry constraint's lower bounds: ^X ~X ~=X >=X ==X =X and a bare X (not <X, >X, !=X)
_POETRY_LOWER = re.compile(r"(?:^|[,\s])(\^|~=|~|>=|==|=)?\s*v?(\d+(?:\.\d+)*)")


def find_pin(path: str) -> Pin | None:
    """The lowest uwsgiconf version the project of ``path`` allows: the nearest directory
    above it whose ``pyproject.toml`` (``[project].dependencies``,
    ``[tool.poetry.dependencies]``), ``setup.cfg`` (``install_requires``) or
    ``requirements*.txt`` (also ``requirements/*.txt``) names uwsgiconf decides, with the
    lowest bound it gives (``==X``, ``>=X``, ``~=X``, poetry's ``^X``); None when none
    names it with a lower bound.  The walk stops at the first ``.git`` and at the top of
    the linted trees (nothing outside them is read)."""
    directory = os.path.dirname(os.path.abspath(path))
    while fs.inside(directory):
        pins = [p for name in _pin_files(directory) for p in _pins(name)]
        if pins:
            bounded = [p for p in pins if p.version]
            return min(bounded, key=lambda p: _version(p.version)) if bounded else None
        parent = os.path.dirname(directory)
        if parent == directory or os.path.exists(os.path.join(directory, ".git")):
            return None
        directory = parent
    return None


def _pin_files(directory: str) -> list[str]:
    names = ["pyproject.toml", "setup.cfg"]
    names += fs.glob("requirements*.txt", directory) or []
    names += fs.glob("requirements/*.txt", directory) or []
    return [os.path.join(directory, n) for n in names]


def _pins(path: str) -> list[Pin]:
    """Every mention of uwsgiconf in one file (``version`` empty: no lower bound)."""
    if not os.path.isfile(path):
        return []
    try:
        text = fs.read_regular(path, PIN_FILE_BYTES).decode("utf-8")
    except (fs.Unreadable, UnicodeDecodeError):
        return []
    name = os.path.basename(path)
    if name == "pyproject.toml":
        return _pyproject(path, text)
    if name == "setup.cfg":
        return _setup_cfg(path, text)
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        requirement = re.split(r"\s+#|;", line, maxsplit=1)[0].strip()
        if _NAME.match(requirement):
            out.append(_pin(path, text, number, requirement))
    return out


def _pin(path: str, text: str, line: int, requirement: str) -> Pin:
    """A requirement written on ``line``: its lowest bound, and where it is."""
    source = text.splitlines()[line - 1]
    start = max(source.find(requirement), 0)
    span = Span(path, Position(line, start + 1), Position(line, start + len(requirement) + 1))
    return Pin(_lower_bound(_NAME.sub("", requirement, 1)), requirement, span)


def _lower_bound(specifiers: str) -> str:
    """The highest of the lower bounds in a PEP 440 specifier list (``>=1.0,<3``), "" when
    there is none; ``==2.*`` counts as ``2``."""
    found = [m.group(2) for part in specifiers.split(",") if (m := _LOWER.match(part))]
    return max(found, key=_version) if found else ""


def _poetry_bound(constraint: str) -> str:
    """The lowest version a poetry constraint allows (``^1.2``, ``~1.2``, ``>=1.2,<2``,
    ``1.2``, ``1.0 || 2.0``); "" when one alternative has no lower bound (``*``, ``<3``)."""
    lows = []
    for alternative in constraint.split("||"):
        found = [m.group(2) for m in _POETRY_LOWER.finditer(alternative)]
        if not found:
            return ""
        lows.append(max(found, key=_version))
    return min(lows, key=_version)


def _pyproject(path: str, text: str) -> list[Pin]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return []
    out = []
    project = doc.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    for requirement in dependencies if isinstance(dependencies, list) else []:
        if isinstance(requirement, str) and _NAME.match(requirement):
            requirement = requirement.split(";", 1)[0].strip()
            out.append(_pin(path, text, _line_of(text, requirement), requirement))
    tool = doc.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    for key, value in deps.items() if isinstance(deps, dict) else ():
        if key.lower() != "uwsgiconf":
            continue
        constraint = value.get("version") if isinstance(value, dict) else value
        line = _line_of(text, key, r"^\s*[\"']?uwsgiconf[\"']?\s*=")
        written = text.splitlines()[line - 1].strip()
        pin = _pin(path, text, line, written)
        out.append(Pin(_poetry_bound(constraint) if isinstance(constraint, str) else "",
                       written, pin.span))
    return out


def _setup_cfg(path: str, text: str) -> list[Pin]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, path)
    except configparser.Error:
        return []
    requires = parser.get("options", "install_requires", fallback="")
    out = []
    for requirement in requires.splitlines():
        requirement = requirement.split(";", 1)[0].split("#", 1)[0].strip()
        if _NAME.match(requirement):
            out.append(_pin(path, text, _line_of(text, requirement), requirement))
    return out


def _line_of(text: str, needle: str, pattern: str | None = None) -> int:
    """The first line holding ``needle`` (matching ``pattern``, when given); 1 if none."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(pattern, line, re.I) if pattern else needle in line:
            return number
    return 1

"""UW108-UW111: ``%(name)`` placeholders and ``$(ENV)`` that do not give what they seem to.

``core/config.c: uwsgi_manage_placeholder()`` returns the FIRST entry named ``name`` (no
aliases); an undefined name stays in the value literally; options applied while the file
is read (IMMEDIATE) never see the ``$()``/``@()``/``%()`` passes at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..catalog import close_matches
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive, Span
from ..values import atoi, shown, value_subspan
from . import Instances, rule

_NAME = re.compile(r"%\(([^()\s]+)\)")
# options whose %(name) are filled in per request by the logger, not by the config
RUNTIME_VARS = ("log-format", "log-req-encoder", "log-encoder")
_SET_ARG = re.compile(r"(?:-S|--set(?:-ph|-placeholder)?)[ =]+([^=\s]+)=")
_ANY = re.compile(r"[$%@]\([^()]*\)")


def where(span: Span, here: str) -> str:
    """``line 3``, or ``base.ini line 3`` when ``span`` is in another file than ``here``."""
    if span.file == here:
        return f"line {span.start.line}"
    return f"{span.file.rsplit('/', 1)[-1]} line {span.start.line}"


def token_span(d: Directive, token: str) -> Span:
    at = d.value.find(token)
    return value_subspan(d, at, at + len(token)) if at != -1 else d.value_span


def command_line_names(view: View) -> frozenset[str]:
    """Placeholders a ``#!`` first line defines for the command it shows (``-S name=v``)."""
    for c in view.inst.root.comments:
        if c.span.start.line == 1 and c.text.startswith("#!"):
            return frozenset(_SET_ARG.findall(c.text))
    return frozenset()


@rule(
    "UW108",
    "undefined-placeholder",
    Severity.WARNING,
    "A `%(name)` that nothing defines: uWSGI leaves the text `%(name)` in the value.",
    on=Instances(),
)
def check_undefined(view: View) -> Iterator[Finding]:
    inst = view.inst
    if not view.read_whole():
        return  # what was not read (a config source, the rest of a file) may define it
    runtime: frozenset[str] | None = None
    given: frozenset[str] = frozenset()
    uses: dict[str, list[tuple[Directive, str]]] = {}
    for i, d in view.referring():  # only a value written with a reference keeps one
        if not d.unresolved:
            continue
        if runtime is None:
            runtime = frozenset().union(*(view.names(k) for k in RUNTIME_VARS))
            given = command_line_names(view)
        if d.key in runtime:
            continue
        for token in d.unresolved:
            name = token[2:-1]
            if not token.startswith("%(") or name in given:
                continue
            if name == "_" and (d.block is not None or i in inst.conditional):
                continue  # an undecided if-* keeps %(_) for the value it would give
            uses.setdefault(name, []).append((d, token))
    keys = sorted(view.keys)
    for name, found in uses.items():
        d, token = found[0]
        detail = ""
        if name == "_":
            text = "`%(_)` is only defined inside a `for` or `if-*` block,"
        else:
            text = f"`{token}` is not defined in this config:"
            detail = (
                "Unless a config that includes this one, the Emperor (`vassal-set`) or the "
                "command line (`--set`) defines it, uWSGI keeps the reference as text."
            )
        text += f" uWSGI leaves the text `{token}` in the `{d.key}` value"
        if len(found) > 1:
            text += f" (and in {len(found) - 1} more)"
        # never the key being set: `%(virtualenv)` in `virtualenv` refers to itself
        own = {o.key for o, _ in found}
        aliases = [a for a in view.names(name) if a != name and a in keys and a not in own]
        if aliases:
            text += (
                f"; placeholders do not follow aliases: write `%({aliases[0]})`, the name "
                "the config uses"
            )
        else:
            close = close_matches(name, [k for k in keys if k not in own], n=1,
                                  cutoff=0.8) or []
            if close:
                text += f"; did you mean `%({close[0]})`?"
        related = tuple(Related(f"`{t}` used here too", token_span(o, t)) for o, t in found[1:])
        yield Finding(token_span(d, token), text, related, detail=detail)


def self_referring(view: View) -> set[str]:
    """Keys whose value reaches back to themselves through ``%(name)`` references."""
    refs: dict[str, set[str]] = {}
    for d in view.inst.options:
        if d.key not in refs:  # %(name) reads the first entry
            refs[d.key] = set(_NAME.findall(d.value))
    out: set[str] = set()
    for key in refs:
        todo, seen = list(refs[key]), set()
        while todo:
            name = todo.pop()
            if name == key:
                out.add(key)
                break
            if name not in seen:
                seen.add(name)
                todo.extend(refs.get(name, ()))
    return out


@rule(
    "UW109",
    "endless-expansion",
    Severity.ERROR,
    "A placeholder that refers to itself, directly or through others: uWSGI hangs at start-up.",
    on=Instances(),
)
def check_hang(view: View) -> Iterator[Finding]:
    cyclic: set[str] | None = None
    for p in view.problems("uwsgi-hang"):
        m = re.search(r"expanding (.)\(\) in '(.*)'", p.message)
        symbol, key = m.groups() if m else ("%", "")
        if cyclic is None:
            cyclic = self_referring(view)
        if symbol == "%" and key not in cyclic:
            continue  # it only reads a key that hangs: uWSGI never gets this far
        yield Finding(
            p.span,
            f"expanding `{symbol}()` in `{key}` never ends: uWSGI hangs at start-up, growing "
            "its memory; break the cycle",
            detail="The value refers back to itself (directly or through other keys), so every "
            "expansion brings the reference back.",
        )


@rule(
    "UW110",
    "placeholder-takes-first-value",
    Severity.WARNING,
    "`%(name)` takes the FIRST value of `name`, not the last one that takes effect.",
    on=Instances(),
)
def check_first(view: View) -> Iterator[Finding]:
    for _, d in view.referring():
        if d.expanded is not None and "%(" in d.value:
            yield from _first_value(view, d)


def _first_value(view: View, d: Directive) -> Iterator[Finding]:
    inst = view.inst
    for name in dict.fromkeys(_NAME.findall(d.value)):
        found = view.written_as(name)
        if found is None:
            continue
        fi, li = found
        opt = view.catalog.get(name)
        if opt is not None and opt.repeatable:
            continue  # a list option: every value counts, the first is as good as any
        if li == fi or {fi, li} & inst.conditional:
            continue
        a, b = inst.options[fi], inst.options[li]
        if a.effective == b.effective or (a.file, a.loc.whole) == (b.file, b.loc.whole):
            continue
        if d is a or d is b:
            continue
        here = d.file
        yield Finding(
            token_span(d, f"%({name})"),
            f"`%({name})` takes the FIRST `{name}` in the option list, "
            f"`{shown(a.effective)}` ({where(a.span, here)}), not the value that takes "
            f"effect, `{shown(b.effective)}` ({where(b.span, here)})",
            (
                Related(f"the first `{name}`: what `%({name})` gives", a.span),
                Related(f"the value of `{name}` that takes effect", b.span),
            ),
        )


@rule(
    "UW111",
    "expansion-in-immediate-option",
    Severity.WARNING,
    "`$(...)`/`%(...)`/`@(...)` in an option that uWSGI applies while reading, before expanding.",
    on=Instances(),
)
def check_immediate(view: View) -> Iterator[Finding]:
    for _, d in view.referring():
        opt = view.catalog.get(d.key)
        if opt is None or not opt.immediate or opt.value_kind in ("assignment", "logic-close"):
            continue
        kind = opt.value_kind
        if kind == "include":
            then = "and tries to open a file of that name"
        elif kind == "logic-open":
            then = "as the condition"
        elif kind in ("int", "uint64"):
            then = f"(read as the number {atoi(d.value).value})"
        else:
            then = "as it is"
        m = _ANY.search(d.value)
        yield Finding(
            token_span(d, m.group(0)) if m else d.value_span,
            f"uWSGI uses the literal `{shown(d.value)}` {then}: `{d.key}` is applied before "
            "expansion; write the value out",
            detail=f"`{d.key}` is applied while the file is read, before `$()`, `@()` and "
            "`%()` are expanded. Magic variables (`%d`, `%n` ...) are substituted when the "
            "file is read: they work here.",
        )

"""UW112: a scalar option set more than once: uWSGI applies every one, the last wins."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Option
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Applicability, Directive, Edit, Fix
from ..textfix import remove_directive
from ..values import atoi, flag_is_on, logic_kind, shown, strtoul
from . import Instances, rule
from .placeholders import where

SCALAR_KINDS = frozenset(
    {
        "bool",
        "bool-inverted",
        "int",
        "uint64",
        "uint16",
        "megabytes",
        "string",
        "user",
        "group",
        "octal",
        "octal3",
    }
)


def meaning(opt: Option, value: str) -> object:
    """What the handler stores, so `true`/`1` or `4`/`04` count as the same value."""
    kind = opt.value_kind
    if kind in ("bool", "bool-inverted"):
        return flag_is_on(value)
    if kind == "int":
        return atoi(value).value
    if kind in ("uint64", "uint16", "megabytes"):
        return strtoul(value).value
    return value


# what the Emperor adds around a vassal: defaults the vassal file overrides on purpose, and
# files read after it (their values win over the vassal's own)
EMPEROR_DEFAULTS = frozenset({"vassal-set", "vassals-set", "vassals-include-before"})
WHERE = "\0where\0"  # filled in per reported line
EMPEROR_AFTER = frozenset({"vassals-include", "vassals-inherit", "vassals-inherit-before"})


def inherited(d: Directive) -> str | None:
    """The ``inherit`` target that brought ``d`` in, if any."""
    for o in d.origin:
        if o.kind == "inherit":
            return o.target
    return None


def emperor_kind(d: Directive, kinds: frozenset[str]) -> str | None:
    """``vassals-include = x.ini`` when the Emperor added ``d`` through one of ``kinds``."""
    for o in d.origin:
        if o.kind in kinds:
            return f"{o.kind} = {o.target}"
    return None


def conditional(d: Directive, i: int, view: View) -> bool:
    kind = logic_kind(d)
    return i in view.inst.conditional or (kind is not None and not kind.startswith("for"))


@rule(
    "UW112",
    "scalar-option-repeated",
    Severity.WARNING,
    "A single-value option set twice: only the last value takes effect.",
    on=Instances(),
    fix="unsafe",
)
def check(view: View) -> Iterator[Finding]:
    get = view.catalog.get
    # the scalar options written, each with the name that stands for it and its aliases
    group = {key: min(view.names(key)) for key in view.keys if (opt := get(key)) is not None
             and not opt.repeatable and opt.value_kind in SCALAR_KINDS}
    groups: dict[str, list[tuple[int, Directive]]] = {}
    for i, d in view.unique():
        if d.key in group and not d.unresolved:
            groups.setdefault(group[d.key], []).append((i, d))
    for entries in groups.values():
        scopes: dict[object, list[tuple[int, Directive]]] = {}
        for i, d in entries:
            scope: object = "top"
            if conditional(d, i, view):
                # an override under a condition is what if-* is for: only repeats inside
                # the same block count
                scope = id(d.block) if logic_kind(d) is not None else ("alone", i)
            scopes.setdefault(scope, []).append((i, d))
        for scoped in scopes.values():
            if len(scoped) > 1:
                yield from _report(view, [d for _, d in scoped])


def _report(view: View, entries: list[Directive]) -> Iterator[Finding]:
    last = entries[-1]
    opt = view.catalog.get(last.key)
    assert opt is not None
    wins = meaning(opt, last.effective)
    earlier = [
        d
        for d in entries[:-1]
        if meaning(opt, d.effective) != wins and emperor_kind(d, EMPEROR_DEFAULTS) is None
    ]
    if not earlier:
        return
    forced = emperor_kind(last, EMPEROR_AFTER)
    target = inherited(last)
    if forced is not None or target is not None:
        # the losing line is the surprise: report there
        if forced is not None:
            how = (
                f"the Emperor's `{forced}` is read after this file, so its "
                f"`{last.key} = {shown(last.effective)}` ({WHERE}) wins"
            )
            own = [d for d in earlier if emperor_kind(d, EMPEROR_AFTER) is None]
        else:
            how = (
                f"`inherit = {target}` is applied after everything else, so its "
                f"`{last.key} = {shown(last.effective)}` ({WHERE}) wins"
            )
            own = [d for d in earlier if inherited(d) is None]
        for a in own:
            alias = ""
            if a.key != last.key:
                alias = f"`{last.key}` and `{a.key}` are the same option."
            yield Finding(
                a.key_span,
                f"`{a.key} = {shown(a.effective)}` never takes effect: "
                + how.replace(WHERE, where(last.span, a.file)),
                (Related(f"the `{last.key}` that wins", last.span),),
                detail=alias,
            )
        earlier = [d for d in earlier if all(d is not o for o in own)]
        if not earlier:
            return
    if opt.handler == "uwsgi_opt_chmod_socket":
        yield _chmod_shifted([*earlier, last])
        return
    keys = {d.key for d in earlier} - {last.key}
    alias = ""
    if keys:
        alias = f" `{'`, `'.join(sorted(keys))}` and `{last.key}` are the same option."
    replaced = ", ".join(
        f"`{_setting(d, last)}` from {where(d.span, last.file)}" for d in earlier
    )
    yield Finding(
        last.key_span,
        f"`{last.key}` is set more than once: this `{shown(last.effective)}` replaces "
        f"{replaced}; keep one line",
        tuple(Related(f"`{d.key}` set earlier here, overridden", d.span) for d in earlier),
        detail=f"Only the last value of `{last.key}` takes effect.{alias}",
        fix=_keep_last(view, earlier, last),
    )


def _keep_last(view: View, earlier: list[Directive], last: Directive) -> Fix | None:
    """The fix: the ``earlier`` lines removed, when they are written in the file of
    ``last`` itself, outside any block, and no ``%(key)`` or ``if-opt`` reads them (it
    reads the first entry)."""
    read = view.placeholder_names()
    edits: list[Edit] = []
    for d in [*earlier, last]:
        if d.file != last.file or d.origin or d.block is not None or d.key in read:
            return None
    for d in earlier:
        removed = remove_directive(d)
        if removed is None:
            return None
        edits.extend(removed)
    lines = "line" if len(earlier) == 1 else "lines"
    return Fix(f"remove the earlier `{last.key}` {lines}: only the last takes effect",
               tuple(edits), Applicability.UNSAFE)


def _chmod_shifted(entries: list[Directive]) -> Finding:
    """``uwsgi_opt_chmod_socket`` shifts each value into the previous one instead of
    replacing it; chmod() keeps the low 12 bits, so earlier digits become special bits."""
    mode = 0
    for d in entries:
        if len(d.effective) == 3 and all("0" <= c <= "7" for c in d.effective):
            mode = (mode << 9) + int(d.effective, 8)
    last = entries[-1]
    return Finding(
        last.key_span,
        f"`{last.key}` is set more than once: uWSGI appends the digits, so the socket gets "
        f"mode {mode & 0o7777:04o}, not {last.effective}; keep one line",
        tuple(Related(f"`{d.key}` set earlier here", d.span) for d in entries[:-1]),
        detail="uWSGI does not replace the earlier value of this option: the earlier digits "
        "turn into setuid/setgid/sticky bits.",
    )


def _setting(d: Directive, last: Directive) -> str:
    """``value``, or ``key = value`` when ``d`` uses another name than ``last``."""
    return shown(d.effective) if d.key == last.key else f"{d.key} = {shown(d.effective)}"

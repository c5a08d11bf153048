"""UW113/UW114: what makes uWSGI refuse a config while reading it, and nested logic blocks.

uWSGI has no nesting of config-logic blocks (``core/config.c: add_exported_option_do()``):
an opener inside a block is fatal when the outer condition holds ("recursive logic in
options is not supported"); when it does not hold, the inner opener is dropped and the
inner closer ends the OUTER block, so the rest of it is applied unconditionally.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Block, Directive, Span
from ..readers.common import CLOSERS
from ..values import atoi, shown
from . import Instances, rule
from .placeholders import where

RECURSIVE = "recursive logic"
ELSE = "else"  # uWSGI 2.1: ends the block like a closer, then opens the opposite one


@rule(
    "UW113",
    "refused-at-startup",
    Severity.ERROR,
    "Something uWSGI refuses while reading the config: it exits before starting.",
    on=Instances(),
)
def check_fatal(view: View) -> Iterator[Finding]:
    # missing includes and include cycles have codes of their own (UW020, UW021)
    for p in view.problems("uwsgi-fatal"):
        if p.message.startswith(RECURSIVE):
            continue  # UW114
        message = p.message
        if message.startswith("you cannot use"):
            message += " (uWSGI exits); use `set` to give an option a value, or another name"
        elif message.startswith("invalid placeholder"):
            message += ": uWSGI exits; write `name=value`"
        elif "crashes" not in message:
            message += ", so uWSGI exits at start-up"
        yield Finding(p.span, message)
    yield from _refused_values(view)


# handlers that exit on a socket name that is empty or only blanks
# (core/socket.c: generate_socket_name()), and those that take `=N`, shared socket N
# (core/socket.c: uwsgi_new_socket())
_NAMED_SOCKETS = frozenset({"uwsgi_opt_add_socket", "uwsgi_opt_add_socket_no_defer",
                            "uwsgi_opt_add_lazy_socket", View.SHARED_SOCKET_HANDLER})
_SHARED_USERS = (_NAMED_SOCKETS - {View.SHARED_SOCKET_HANDLER}) | {"uwsgi_opt_add_ssl_socket"}
_STATIC_MAP = "uwsgi_opt_static_map"


def _refused_values(view: View) -> Iterator[Finding]:
    """Values an option handler refuses when uWSGI applies the options, in list order
    (verified with uWSGI 2.0.31, a real start each): an empty `socket`, `socket = =N`
    before shared socket N exists, a `static-map` without `=`."""
    shared = 0  # shared sockets applied so far (an undecided one counts)
    reported: set[tuple[str, tuple[int, int]]] = set()
    for d in view.by_handler(_NAMED_SOCKETS | _SHARED_USERS | {_STATIC_MAP}):
        handler = view.catalog.get(d.key)
        kind = handler.handler if handler is not None else ""
        if kind == View.SHARED_SOCKET_HANDLER:
            shared += 1
        value = d.effective
        where = (d.file, d.loc.whole)
        if d.unresolved or where in reported:
            continue
        span = d.value_span if d.raw_value else d.key_span
        if kind in _NAMED_SOCKETS and not value.strip():
            reported.add(where)
            yield Finding(
                span,
                f"`{d.key}` has no address: uWSGI exits at start-up ('invalid/empty uwsgi "
                "socket name'); write the address to bind, or remove the line",
            )
        elif kind in _SHARED_USERS and value.startswith("="):
            n = atoi(value[1:].split(",", 1)[0]).value
            if n >= 0 and shared <= n and view.read_whole():
                reported.add(where)
                yield Finding(
                    span,
                    f"`{d.key} = {shown(value)}` names shared socket {n}, which is not "
                    "defined before it: uWSGI exits at start-up; define it first with "
                    "`shared-socket`",
                    detail=f"uWSGI applies the options in order and exits with 'unable to use "
                    f"shared socket {n}': `=N` is the N-th `shared-socket` (from 0) defined "
                    "before this line.",
                )
        elif kind == _STATIC_MAP and "=" not in value:
            reported.add(where)
            yield Finding(
                span,
                f"`{d.key} = {shown(value)}` has no `=`: uWSGI exits at start-up ('invalid "
                f"document root in static map'); write `{d.key} = MOUNTPOINT=DIRECTORY`",
            )


@rule(
    "UW114",
    "nested-logic-block",
    Severity.ERROR,
    "An `if-*`/`for` block inside another: uWSGI exits, or the inner `endif` ends the outer block.",
    on=Instances(),
)
def check_nested(view: View) -> Iterator[Finding]:
    inst = view.inst
    # 2.1's `else` closes the block before it opens its own: no nesting (the expander
    # does not model that yet, so its problem for `else` is ignored here)
    fatal = {
        p.span
        for p in view.problems("uwsgi-fatal")
        if p.message.startswith(RECURSIVE) and not p.message.endswith("(option = else)")
    }
    nested = [(cfg.path, sec, outer, d) for cfg in view.files()
              for sec, outer, d in view.nested_openers(cfg) if d.key != ELSE]
    if not fatal and not nested:
        return
    # a fatal opener whose outer condition is undecided here: uWSGI may or may not exit
    undecided = {inst.options[i].span for i in inst.conditional}
    used = {(d.file, d.section) for d in inst.options}
    reported: set[Span] = set()
    for path, sec, outer, d in nested:
        if (path, sec.name) in used:
            reported.add(d.span)
            yield _nested(outer, d.span, d.key, sec.items, fatal - undecided)
    for span in sorted(fatal - reported - undecided, key=lambda s: (s.file, s.start)):
        yield Finding(
            span,
            "uWSGI exits: 'recursive logic in options is not supported': this block opens "
            "inside another one that is still open",
            detail="A block left open at the end of a file carries on into the next config "
            "read.",
        )


def _nested(
    outer: Block,
    span: Span,
    key: str,
    items: list[Directive | Block],
    fatal: set[Span],
) -> Finding:
    o = outer.opener
    here = span.file
    related = [Related(f"the outer `{o.key}` block opens here", o.span)]
    if span in fatal:
        return Finding(
            span,
            f"`{key}` inside the `{o.key} = {o.value}` block ({where(o.span, here)}) makes "
            "uWSGI exit: it has no nested blocks; combine the conditions or split them",
            tuple(related),
            detail="The outer condition holds, so uWSGI exits with 'recursive logic in "
            "options is not supported'.",
        )
    holds = "has an item" if o.key.startswith("for") else "holds"
    closer = outer.closer
    if closer is None:
        rest = "and the outer block is never closed"
    else:
        related.append(Related("this closer ends the OUTER block", closer.span))
        after = _rest_of_outer(items, outer)
        if after is not None:
            rest = (
                f"and its closer ({where(closer.span, here)}) ends the OUTER block, so "
                f"{after} applied whatever the outer condition"
            )
        else:
            rest = f"and its closer ({where(closer.span, here)}) ends the OUTER block"
    return Finding(
        span,
        f"`{key}` inside the `{o.key} = {o.value}` block ({where(o.span, here)}): uWSGI has "
        "no nested blocks; combine the conditions or split them into separate blocks",
        tuple(related),
        detail=f"When `{o.key} = {o.value}` {holds}, this `{key}` makes uWSGI exit with "
        f"'recursive logic in options is not supported'; when it does not, this line is "
        f"dropped {rest}.",
    )


def _rest_of_outer(items: list[Directive | Block], outer: Block) -> str | None:
    """The lines after the inner closer up to the stray closer meant for the outer block."""
    after = False
    lines: list[int] = []
    for item in items:
        if item is outer:
            after = True
            continue
        if not after:
            continue
        if isinstance(item, Block):
            break
        if item.key in CLOSERS:
            break
        lines.append(item.span.start.line)
    if not lines:
        return None
    if len(lines) == 1:
        return f"line {lines[0]} is"
    return f"lines {lines[0]}-{lines[-1]} are"

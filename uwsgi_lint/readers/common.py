"""Helpers shared by the format readers: building directives and logic blocks."""

from __future__ import annotations

from collections.abc import Iterable
from sys import intern

from ..model import Applicability, Block, Directive, Edit, Fix, Format, Loc, Position, Section, Span
from ..source import Expanded

# uWSGI ends any logic block on these keys, by name (core/config.c: add_exported_option_do)
CLOSERS = frozenset({"end", "endif", "end-if", "endfor", "end-for"})
# the note on the `app` entry that uWSGI adds for every XML <app> element (not an option)
APP_NOTE = "<app> also adds app with an empty value"
# XML notes: an element has more child nodes than the one uWSGI reads; its value is the
# text of a comment or of a processing instruction
ONLY_FIRST_CHILD = "uWSGI takes only the first child node"
COMMENT_VALUE = "the first child is a comment: uWSGI takes the comment text"
PI_VALUE = "the first child is a processing instruction: uWSGI takes its data"
# notes on the options a uwsgiconf module writes (readers/python.py): "from ..." offers no
# INI text fix on them; a line written under an undecided `if` is added undecided
PY_NOTE = "from uwsgiconf"
PY_CONDITIONAL = "from uwsgiconf, only when "


def make_directive(
    exp: Expanded,
    fmt: Format,
    section: str,
    key: tuple[int, int],
    value: tuple[int, int],
    whole: tuple[int, int],
    key_text: str | None = None,
    value_text: str | None = None,
    note: str = "",
) -> Directive:
    """A directive from offsets into the expanded text.

    ``key``/``value``/``whole`` are ``(start, end)`` offsets in ``exp.text``; ``key_text``
    and ``value_text`` override what uWSGI sees when the format converts it (JSON, XML).
    """
    ks, ke = key
    vs, ve = value
    return Directive(
        # option names repeat in every file: one string each
        key=intern(exp.text[ks:ke] if key_text is None else key_text),
        value=exp.text[vs:ve] if value_text is None else value_text,
        loc=Loc(exp, ks, ke, vs, ve, whole[0], whole[1]),
        format=fmt,
        section=section,
        unresolved=exp.unresolved_in(vs, ve) + exp.unresolved_in(ks, ke),
        note=note,
    )


def without_bom(exp: Expanded) -> Fix:
    """The fix for a UTF-8 byte order mark at the start of the file: remove it (unsafe:
    the section it hid, and the keys in it, then take effect)."""
    span = Span(exp.path, Position(1, 1), Position(1, 2))
    return Fix("remove the byte order mark", (Edit(span, ""),), Applicability.UNSAFE)


def group_logic(
    directives: Iterable[Directive], openers: frozenset[str]
) -> list[Directive | Block]:
    """Group a section's directives into logic blocks the way uWSGI applies them.

    uWSGI has no nesting: an opener inside a block is a plain body line (fatal when the
    outer condition holds, dropped otherwise) and the first closer ends the block.
    """
    items: list[Directive | Block] = []
    block: Block | None = None
    for d in directives:
        if block is not None:
            if d.key in CLOSERS:
                block.closer = d
                d.block = block
                block = None
            else:
                block.body.append(d)
                d.block = block
            continue
        if d.key in openers:
            block = Block(opener=d)
            d.block = block
            items.append(block)
        else:
            items.append(d)
    return items


def section_of(
    name: str, header: Span | None, directives: list[Directive], openers: frozenset[str]
) -> Section:
    return Section(name=name, span=header, items=group_logic(directives, openers))

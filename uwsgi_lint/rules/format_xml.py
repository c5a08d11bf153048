"""UW017-UW019: XML that uWSGI's XML reader (libxml2) reads otherwise than it looks.

The XML reader records the attributes it ignores and the child nodes it does not read
(``uwsgi_lint/readers/xml.py``); the whitespace it keeps is seen in the values.  Nothing is
said about the inside of an element that names no option: UW101 says uWSGI ignores it all.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Edit, Fix, Format, Span
from ..readers.common import COMMENT_VALUE, ONLY_FIRST_CHILD, PI_VALUE
from ..textfix import advance
from ..values import NUMBER_KINDS, read_number, shown
from . import Instances, rule
from .flag_value import FLAG_KINDS
from .inline_comment import free_text

_BLANKS = " \t\r\n"


def _ignored_elements(view: View) -> dict[str, list[Span]]:
    """The spans of XML elements that are not options (nor placeholders) for each file,
    minus those that also give an option (``<app>`` gives ``mount`` and ``app``)."""
    used = view.placeholder_names()
    known: set[tuple[str, Span]] = set()
    unknown: dict[tuple[str, Span], Directive] = {}
    for _, d in view.written_in(Format.XML):
        where = (d.file, d.span)
        if d.key in view.catalog or d.key in used:
            known.add(where)
        else:
            unknown[where] = d
    spans: dict[str, list[Span]] = {}
    for (file, span) in unknown:
        if (file, span) not in known:
            spans.setdefault(file, []).append(span)
    return spans


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end


def _xml_findings(code: str, view: View) -> Iterator[Finding]:
    """The problems the XML reader recorded with ``code``, but not inside an element
    that is no option (UW101 speaks for those)."""
    ignored: dict[str, list[Span]] | None = None
    for problem in view.problems(code):
        if ignored is None:
            ignored = _ignored_elements(view)
        if any(_inside(problem.span, s) for s in ignored.get(problem.span.file, ())):
            continue
        yield Finding(problem.span, problem.message, detail=problem.detail, fix=problem.fix)


@rule(
    "UW017",
    "xml-attribute-ignored",
    Severity.WARNING,
    "uWSGI ignores the attributes of an XML option element (`<harakiri value=\"30\"/>` is 1).",
    on=Instances(),
    fix="unsafe",
)
def attribute_ignored(view: View) -> Iterator[Finding]:
    yield from _xml_findings("UW017", view)


def _blanks(text: str) -> str:
    """``a line break and 2 blanks``."""
    breaks = text.count("\n")
    blanks = len(text) - breaks - text.count("\r")
    parts = []
    if breaks:
        parts.append("a line break" if breaks == 1 else f"{breaks} line breaks")
    if blanks:
        parts.append("a blank" if blanks == 1 else f"{blanks} blanks")
    return " and ".join(parts) or "a carriage return"


def whitespace_message(d: Directive, value: str, meant: str) -> tuple[str, str]:
    """The message and the detail."""
    lead = value[: len(value) - len(value.lstrip(_BLANKS))]
    trail = value[len(value.rstrip(_BLANKS)) :]
    where = []
    if lead:
        where.append(f"starts with {_blanks(lead)}")
    if trail:
        where.append(f"ends with {_blanks(trail)}")
    fix = (
        f"write <{d.key}>{meant}</{d.key}>"
        if "\n" not in meant and len(meant) <= 60
        else "put the text right after the opening tag and right before the closing one"
    )
    return (
        f"uWSGI keeps the blanks around the text: `{d.key}` gets `{shown(value)}`; {fix}",
        f"uWSGI keeps the whitespace around the text of an XML element: the value of "
        f"`{d.key}` {' and '.join(where)}.",
    )


@rule(
    "UW018",
    "xml-whitespace-kept",
    Severity.WARNING,
    "uWSGI keeps the blanks and line breaks around the text of an XML element.",
    on=Instances(),
    fix="safe",
)
def whitespace_kept(view: View) -> Iterator[Finding]:
    for _, d in view.written_in(Format.XML):
        if d.note.startswith("<app>"):
            continue
        value = d.value
        meant = value.strip(_BLANKS)
        if value == meant or (not meant and ONLY_FIRST_CHILD in d.note):
            continue
        if COMMENT_VALUE in d.note or PI_VALUE in d.note:
            continue  # UW019 says the comment is the value
        opt = view.catalog.get(d.key)
        if opt is None:
            if d.key not in view.placeholder_names():
                continue
        else:
            kind = opt.value_kind or ""
            if kind in FLAG_KINDS or free_text(opt):
                continue  # UW102 speaks for flags; code and log formats may keep blanks
            if kind in NUMBER_KINDS and (
                read_number(kind, value).value == read_number(kind, meant).value
            ):
                continue  # atoi()/strtoul() skip leading blanks and stop at trailing ones
        message, detail = whitespace_message(d, value, meant)
        yield Finding(d.value_span, message, detail=detail, fix=trimmed(d, meant))


def _lines_read(text: str) -> str:
    """``text`` with its line ends as an XML parser reads them (CRLF and CR are LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def trimmed(d: Directive, meant: str) -> Fix | None:
    """The blanks around the text of ``d`` removed where they are written; none when some
    of them are not written as blanks (``&#32;``, a magic ``%`` variable), or nothing is
    left (an empty element is `1`)."""
    raw, value = d.raw_value, d.value
    if not meant or d.note.startswith("from "):
        return None
    lead = raw[: len(raw) - len(raw.lstrip(_BLANKS))]
    trail = raw[len(raw.rstrip(_BLANKS)) :]
    if (_lines_read(lead) != value[: len(value) - len(value.lstrip(_BLANKS))]
            or _lines_read(trail) != value[len(value.rstrip(_BLANKS)) :]):
        return None
    start = d.value_span.start
    edits = []
    if lead:
        edits.append(Edit(Span(d.file, start, advance(start, lead)), ""))
    if trail:
        kept = raw[: len(raw) - len(trail)]
        edits.append(Edit(Span(d.file, advance(start, kept), advance(start, raw)), ""))
    return Fix("remove the blanks around the text", tuple(edits), Applicability.SAFE)


@rule(
    "UW019",
    "xml-first-child-only",
    Severity.WARNING,
    "uWSGI reads only the first child node of an XML option element: a comment becomes the "
    "value, later text is lost.",
    on=Instances(),
)
def first_child_only(view: View) -> Iterator[Finding]:
    yield from _xml_findings("UW019", view)

"""UW014-UW016: JSON values that uWSGI's JSON reader drops or turns into other text, and
the booleans that JSON and XML turn into the text ``1`` or ``0``.

The JSON reader records what it drops (``uwsgi_lint/readers/json.py``); the rest is seen
in the text each directive was written with (``Directive.raw_value``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Edit, Fix, Format, Span
from ..values import NUMBER_KINDS
from . import Instances, Reader, declare, rule
from .flag_value import FLAG_KINDS

_INTEGER = re.compile(r"-?[0-9]+")
_LITERALS = {"true": "1", "false": "0", "null": "0"}


value_dropped = declare(
    "UW014",
    "json-value-dropped",
    Severity.ERROR,
    "uWSGI drops JSON reals, nested objects and the earlier values of a repeated key "
    "without a word.",
    on=Reader(),
    fix="unsafe",
)


@rule(
    "UW015",
    "json-integer-cut",
    Severity.WARNING,
    "uWSGI casts JSON integers to a 32-bit int and prints at most 10 characters (for an option "
    "that takes text; UW103 speaks for numbers).",
    on=Instances(),
    fix="safe",
)
def integer_cut(view: View) -> Iterator[Finding]:
    for _, d in view.written_in(Format.JSON):
        raw = d.raw_value
        if not _INTEGER.fullmatch(raw) or not _INTEGER.fullmatch(d.value):
            continue
        if int(raw) == int(d.value):
            continue
        opt = view.catalog.get(d.key)
        if opt is None:
            if d.key not in view.placeholder_names():
                continue
        elif opt.value_kind in NUMBER_KINDS:
            continue  # UW103 says which number uWSGI reads
        fix = Fix(f'write it as the string `"{raw}"`', (Edit(d.value_span, f'"{raw}"'),),
                  Applicability.SAFE)
        yield Finding(
            d.value_span,
            f"`{d.key}` gets the text `{d.value}`, not `{raw}`; write it as a string, "
            f'`"{raw}"`',
            fix=fix,
            detail="uWSGI casts JSON integers to a 32-bit int and prints them into 10 "
            "characters.",
        )


def _xml_attribute_spans(view: View) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    for p in view.problems("UW017"):
        spans.setdefault(p.span.file, []).append(p.span)
    return spans


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end


@rule(
    "UW016",
    "boolean-as-value",
    Severity.WARNING,
    "A JSON `true`/`false`/`null` or an empty XML element gives an option that takes a value "
    "the text `1` or `0`.",
    on=Instances(),
)
def boolean_as_value(view: View) -> Iterator[Finding]:
    attributes: dict[str, list[Span]] | None = None
    entries = sorted([*view.written_in(Format.JSON), *view.written_in(Format.XML)],
                     key=lambda e: e[0])
    for _, d in entries:
        if d.format is Format.JSON and d.raw_value in _LITERALS:
            literal = f"JSON `{d.raw_value}`"
        elif d.format is Format.XML and d.value == "1" and d.raw_value == "":
            literal = f"the empty element <{d.key}/>"
        else:
            continue
        opt = view.catalog.get(d.key)
        if opt is None or opt.arg == "none" or opt.value_kind in FLAG_KINDS:
            continue
        kind = opt.value_kind or ""
        if kind == "logic-close":
            continue
        if d.value == "1" and opt.arg == "optional":
            continue  # `1` is how a config says "no value" to an optional argument
        if d.value == "0" and kind in NUMBER_KINDS:
            continue  # 0 is what `false`/`null` mean for a number
        if d.format is Format.XML:
            if attributes is None:
                attributes = _xml_attribute_spans(view)
            if any(_inside(s, d.span) for s in attributes.get(d.file, ())):
                continue  # UW017 says why the element is empty
            span = d.span
        else:
            span = d.value_span
        yield Finding(
            span,
            f"`{d.key}` takes a value, not a switch: {literal} becomes the text `{d.value}`, "
            f"so uWSGI sets `{d.key}` to `{d.value}`; write the value, or remove the option",
        )

"""UW007-UW013: YAML that uWSGI's YAML readers read otherwise than YAML does.

uWSGI has two YAML readers: the embedded line reader of pip builds (the default, assumed
unless ``--yaml-reader libyaml``) and the libyaml token reader of Debian's packages.  The
readers record where they stop, what they skip and how the other reader would fail
(``uwsgi_lint/readers/yaml.py``); the quotes and carriage returns that the embedded reader
keeps are found here, in the values it produced.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Option
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive, Format
from ..values import NUMBER_KINDS, read_number, shown
from . import Instances, Reader, declare, rule
from .flag_value import FLAG_KINDS

# what YAML does not let a plain (unquoted) value start with
_INDICATORS = tuple("%@`&*!|>{}[],#?-:'\"")


def embedded_values(view: View) -> Iterator[tuple[Directive, Option | None]]:
    """The YAML entries the embedded reader produced, with their option (``None``: a key
    uWSGI does not know but a value reads as a placeholder); other unknown keys, flags
    (UW102 speaks for them) and logic closers are left out."""
    if view.assume.yaml_reader != "embedded":
        return
    for _, d in view.written_in(Format.YAML):
        opt = view.catalog.get(d.key)
        if opt is None:
            if d.key not in view.placeholder_names():
                continue
        elif opt.value_kind in FLAG_KINDS or opt.value_kind == "logic-close":
            continue
        yield d, opt


def same_number(opt: Option | None, a: str, b: str) -> bool:
    """Both texts give the same number to a numeric option."""
    kind = opt.value_kind if opt is not None else None
    if kind not in NUMBER_KINDS:
        return False
    assert kind is not None
    return read_number(kind, a).value == read_number(kind, b).value


reader_stops = declare(
    "UW007",
    "yaml-reader-stops",
    Severity.ERROR,
    "uWSGI's YAML reader stops silently at a line it does not understand: later keys are lost.",
    on=Reader(),
)


inline_section = declare(
    "UW008",
    "yaml-inline-section",
    Severity.ERROR,
    "A section written on the `uwsgi:` line (`uwsgi: {...}`) is skipped whole.",
    on=Reader(),
)


@rule(
    "UW009",
    "yaml-raw-value",
    Severity.WARNING,
    "uWSGI's embedded YAML reader keeps what YAML strips: the quotes around a value, the "
    "carriage return of a CRLF line end.",
    on=Instances(),
)
def raw_value(view: View) -> Iterator[Finding]:
    crlf: dict[str, list[Directive]] = {}
    for d, opt in embedded_values(view):
        value = d.value
        if value.endswith("\r"):
            if not same_number(opt, value, value.rstrip("\r")):
                crlf.setdefault(d.file, []).append(d)
            continue
        if len(value) < 2 or value[0] not in "\"'" or value[-1] != value[0]:
            continue
        if opt is not None and opt.value_kind in NUMBER_KINDS:
            continue  # UW103 says which number a quoted number is
        inner = value[1:-1]
        message = (
            f"uWSGI's embedded YAML reader keeps quotes: `{d.key}` gets `{shown(value)}`, "
            "quotes included; write the value without quotes"
        )
        detail = ""
        if inner.startswith(_INDICATORS) or ": " in inner or " #" in inner:
            detail = ("A libyaml build needs them here: no spelling of this value reads the "
                      "same in both.")
        yield Finding(d.value_span, message, detail=detail)
    for found in crlf.values():
        first, rest = found[0], found[1:]
        keys = list(dict.fromkeys(d.key for d in found))
        names = ", ".join(f"`{k}`" for k in keys[:6]) + (", ..." if len(keys) > 6 else "")
        more = f" {len(found)} values get a stray CR: {names}." if rest else ""
        yield Finding(
            first.value_span,
            f"uWSGI keeps the carriage return of the CRLF line ends: `{first.key}` is "
            f"`{shown(first.value)}`; convert the file to LF line ends",
            tuple(Related(f"`{d.key}` ends with a CR too", d.value_span) for d in rest),
            detail="This file has Windows (CRLF) line ends and uWSGI's embedded YAML reader "
            f"keeps the carriage return at the end of each value.{more}",
        )


hash_comment = declare(
    "UW010",
    "yaml-hash-comment",
    Severity.WARNING,
    "uWSGI's embedded YAML reader starts a comment at every `#`, even inside quotes or a URL.",
    on=Reader(),
)


key_without_value = declare(
    "UW011",
    "yaml-key-without-value",
    Severity.ERROR,
    "`key:` with no value: the libyaml reader skips the key, the embedded reader stops there.",
    on=Reader(),
)


alias = declare(
    "UW012",
    "yaml-alias",
    Severity.ERROR,
    "YAML anchors and aliases do not work: the embedded reader keeps `&name`/`*name` as "
    "text, the libyaml reader drops an alias's key.",
    on=Reader(),
)


reader_differs = declare(
    "UW013",
    "yaml-reader-differs",
    Severity.INFO,
    "The other build of uWSGI (pip's embedded YAML reader, Debian's libyaml) refuses this "
    "file or loses keys of it.",
    on=Reader(),
)

"""INI, read as ``core/ini.c: uwsgi_ini_config()`` reads it.

Lines split on ``\\n`` only; space, TAB and CR stripped at both ends; a line starting with
``[`` is a header whose name is the rest minus its last character (no check for ``]``);
only whole-line ``;``/``#`` comments; ``key = value`` split at the first ``=``; a line
without ``=`` is a key with an empty value; quotes and trailing text are kept; repeated
sections merge; keys before any header belong to the unnamed section ``""``.
"""

from __future__ import annotations

from ..model import Comment, ConfigFile, Directive, Format, Span
from ..source import Expanded
from .common import make_directive, section_of

_WS = " \t\r"


def parse(exp: Expanded, openers: frozenset[str], section: str = "uwsgi") -> ConfigFile:
    """Every section of the file (``section`` does not change how INI is read)."""
    text = exp.text
    cfg = ConfigFile(path=exp.path, format=Format.INI)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    order: list[str] = []
    found: dict[str, list[Directive]] = {"": []}
    headers: dict[str, Span | None] = {"": None}
    current = ""
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        # uWSGI works on C strings: a NUL ends the line early
        nul = text.find("\0", pos, line_end)
        end = line_end if nul == -1 else nul
        s = pos
        while s < end and text[s] in _WS:
            s += 1
        e = end
        while e > s and text[e - 1] in _WS:
            e -= 1
        if s < e:
            first = text[s]
            if first == "[":
                current = text[s + 1 : e - 1] if e - s > 1 else ""
                if current not in found:
                    found[current] = []
                    headers[current] = exp.span(s, e)
                    order.append(current)
            elif first in ";#":
                cfg.comments.append(Comment(exp.raw(s, e), exp.span(s, e)))
            else:
                eq = text.find("=", s, e)
                if eq == -1:
                    key, value = (s, e), (e, e)
                else:
                    ke = eq
                    while ke > s and text[ke - 1] in _WS:
                        ke -= 1
                    vs = eq + 1
                    while vs < e and text[vs] in _WS:
                        vs += 1
                    key, value = (s, ke), (vs, e)
                found[current].append(
                    make_directive(exp, Format.INI, current, key, value, (s, e))
                )
        pos = line_end + 1
    if found[""]:
        order.insert(0, "")
    cfg.sections = [section_of(name, headers[name], found[name], openers) for name in order]
    return cfg

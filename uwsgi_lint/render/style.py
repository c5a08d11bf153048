"""ANSI colour for the text and full outputs (off unless the caller asks for it), and
terminal hyperlinks (OSC 8) with it."""

from __future__ import annotations

import os
from typing import TextIO

from ..diagnostics import Severity

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
SEVERITY = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[1;36m",
}
DIM = "\x1b[2m"
CARET = "\x1b[1;31m"


def wants_color(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Colour for a terminal unless ``NO_COLOR`` is set (non-empty); ``FORCE_COLOR``
    (non-empty) asks for it even when the output is not a terminal.  NO_COLOR wins."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text

    def link(self, text: str, url: str | None) -> str:
        """``text`` as a terminal hyperlink to ``url`` (OSC 8, as ruff links a rule's code)
        when styling is on; else ``text`` alone.  ``url`` arrives cleaned (no control
        characters); what is not printable ASCII is percent-encoded, as OSC 8 asks."""
        if not (self.color and url and text):
            return text
        from urllib.parse import quote  # only for links: start-up stays light

        target = quote(url, safe=_URL_SAFE)
        return f"\x1b]8;;{target}\x1b\\{text}\x1b]8;;\x1b\\"


_URL_SAFE = "".join(map(chr, range(0x21, 0x7F)))  # printable ASCII but the blank

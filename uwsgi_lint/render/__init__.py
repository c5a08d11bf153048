"""Renderers: each turns a report into the text one kind of reader wants.

Messages arrive cleaned (``diagnostics``); every path a renderer prints goes through
:func:`display_path` or :func:`shown_path` (``untrusted.clean``).
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..untrusted import clean


def display_path(path: str) -> str:
    """``path`` as printed: relative to the working directory when it lies below it,
    secrets masked and control characters escaped (``untrusted.clean``); a relative path
    that would start a line with ``::`` (after blanks) gets ``./`` in front."""
    return _display(path, os.getcwd())


@lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:  # `show` prints one a line: many repeats
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    shown = path if rel.startswith("..") else rel
    if shown.lstrip().startswith(":"):  # the runner strips leading (Unicode) blanks
        shown = "./" + shown
    return clean(shown, None)


def shown_path(path: str) -> str:
    """The absolute ``path`` as printed (JSON documents)."""
    return clean(os.path.abspath(path), None)

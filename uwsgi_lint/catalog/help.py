"""What the real uWSGI 2.0.31 binary says about its options: the help text ``uwsgi --help``
prints for each, and the names its ``--*-list`` options print (loggers, cheaper algorithms,
imperial monitors ...).

The data file, ``help-2.0.31.json``, is written by ``scripts/gen_option_help.py`` from the
default ``pip install uwsgi`` build; it is read on first use (only the language server asks).

>>> option_help("processes")
'spawn the specified number of workers/processes'
>>> names("cheaper-algos-list")
('busyness', 'spare', 'backlog', 'manual')
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

HELP_FILE = "help-2.0.31.json"


@functools.cache
def _document() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), HELP_FILE)
    with open(path, "rb") as fh:
        doc: dict[str, Any] = json.loads(fh.read())
    return doc


def option_help(name: str) -> str | None:
    """The help text of option ``name``; None when the default 2.0.31 build does not have
    the option (another plugin's, or only in 2.1-dev)."""
    text: str | None = _document()["help"].get(name)
    return text


@functools.cache
def names(list_option: str) -> tuple[str, ...]:
    """What ``uwsgi --LIST_OPTION`` prints (``"loggers-list"`` -> the loggers compiled in)."""
    return tuple(_document()["lists"][list_option])

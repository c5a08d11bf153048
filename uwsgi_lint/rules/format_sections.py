"""UW002, UW003: a config file whose section uWSGI does not find, and the byte order mark
that hides it.  Also the helper that turns what the readers record into diagnostics.

The format readers (``uwsgi_lint/readers``) see what uWSGI drops or ignores while it reads
a file; they record it as a :class:`~uwsgi_lint.model.Problem` whose code is the code of
the rule that reports it (``ConfigFile.stopped`` for a reader that stops early).  Such a
rule is declared with the ``Reader()`` scope: the engine reports those problems.
"""

from __future__ import annotations

from ..diagnostics import Severity
from . import Reader, declare

section_not_found = declare(
    "UW002",
    "section-not-found",
    Severity.ERROR,
    "The file has no section uWSGI is asked for (`[uwsgi]`, `uwsgi:`), so it reads nothing.",
    on=Reader(),
    fix="unsafe",
)


byte_order_mark = declare(
    "UW003",
    "byte-order-mark",
    Severity.ERROR,
    "A UTF-8 byte order mark glued to the first header or key hides the section from uWSGI.",
    on=Reader(),
    fix="unsafe",
)

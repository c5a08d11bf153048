"""UW215: a magic variable naming a file in a value the Emperor hands to its vassals.

``core/utils.c: magic_sub()`` replaces ``%n``, ``%s``, ``%e`` ... in the raw text of a
config file when that file is read (``core/uwsgi.c: config_magic_table_fill()``), so in
the Emperor's own file they name the Emperor's file.  ``core/emperor.c:
uwsgi_emperor_spawn_vassal()`` then passes the expanded text to every vassal as
``--set``/``--include``/``--inherit`` arguments, which are not substituted again: every
vassal gets the same value.  In a template given with ``vassals-include`` (or
``vassals-inherit``), read after the vassal's own ``--ini``, ``%N`` is the vassal's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from ..values import shown
from . import Entries, rule

# what the Emperor passes on to every vassal (`vassals-set` is an alias of `vassal-set`)
HANDED_DOWN = frozenset({
    "vassal-set", "vassals-include", "vassals-inherit", "vassals-include-before",
    "vassals-inherit-before",
})
# the variables that name the file being read (its name, extension, section, inode, path
# hash), upper case: the first file loaded; `%d`, `%p`, `%0`-`%9` are locations, often
# meant as the Emperor's (`vassals-include = %dbase.ini`), and not reported
NAMING = frozenset("nsexijNSEXIJ")
_MAGIC = re.compile(r"%(.)", re.S)  # `%%` pairs are consumed first, as magic_sub() does


def naming_variables(raw: str) -> list[str]:
    """The naming magic variables written in ``raw`` (``%%n`` is a literal ``%n``)."""
    return list(dict.fromkeys(f"%{m.group(1)}" for m in _MAGIC.finditer(raw)
                              if m.group(1) in NAMING))


@rule(
    "UW215",
    "vassal-magic-variable",
    Severity.WARNING,
    "`%n` & co. in `vassal-set`/`vassals-include`: expanded in the Emperor's file, the same "
    "for every vassal.",
    on=Entries(names=HANDED_DOWN, unique=True),
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    found = naming_variables(d.raw_value)
    if not found:
        return
    names = ", ".join(f"`{v}`" for v in found)
    yield Finding(
        d.value_span,
        f"{names} names the Emperor's file here: every vassal gets `{shown(d.value)}`; "
        "for a per-vassal value use `%N` in a `vassals-include` template",
        detail="uWSGI substitutes magic variables when it reads a file, so in the Emperor's "
        "config they name the Emperor's file; the Emperor passes the result to each vassal "
        "as `--set`/`--include`/`--inherit`, which are not substituted again. In a template "
        "given with `vassals-include` or `vassals-inherit` (read after the vassal's own "
        "file), `%N` is the vassal's file name.",
    )

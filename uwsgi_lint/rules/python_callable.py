"""UW418: a Python `callable` written as a path or a dotted/``module:name`` reference.

``plugins/python/pyloader.c``: ``uwsgi_file_loader()`` (``wsgi-file``, a ``mount`` of a
file) and ``uwsgi_uwsgi_loader()`` (``module`` without ``:name``) look the callable up
with ``PyDict_GetItemString()`` in the module's globals: `callable` is one variable name
(the loader also accepts a trailing ``()``, a factory to call).  A name with ``/``, ``.``
or ``:`` is never found: uWSGI logs "unable to load app 0 ... (callable not found or
import error)" and serves with no app.  ``module = pkg:name`` names its own callable
(``get_uwsgi_pymodule()``): with no file loaded, `callable` is then unused, not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from ..values import shown
from . import Entries, rule

_NOT_IN_A_NAME = ("/", ".", ":")


def fix_for(value: str) -> str:
    """What to write instead of ``callable = value``."""
    if ":" in value:
        return f"write `module = {shown(value, 40)}` and remove `callable`"
    if "/" in value or value.endswith(".py"):
        return f"name the file with `wsgi-file = {shown(value, 40)}`"
    module, _, name = value.rpartition(".")
    if not (module and name):
        return "write the variable's name alone (`application` by default)"
    return f"write `callable = {shown(name)}` and `module = {shown(module)}`"


@rule(
    "UW418",
    "callable-not-a-name",
    Severity.WARNING,
    "A `callable` that is a path or a dotted name: uWSGI looks up one variable name and "
    "loads no app.",
    on=Entries(names=frozenset({"callable"}), unique=True),
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    value = d.effective
    if d.unresolved or not any(c in value for c in _NOT_IN_A_NAME):
        return
    module = view.last("module")
    if module is not None and ":" in module.effective and not (
            view.sets("wsgi-file") or view.sets("mount")):
        return  # `module = pkg:name` names its own callable: this one is never used
    yield Finding(
        d.value_span,
        f"`{d.key}` is one variable name: uWSGI finds no `{shown(value, 40)}` and loads "
        f"no app; {fix_for(value.strip())}",
        detail="uWSGI looks the callable up by name in the globals of the module or file "
        "it loaded (`application` by default) and logs \"unable to load app 0 ... (callable "
        "not found or import error)\". The module goes in `module` (`module = pkg.wsgi:app` "
        "names the callable too), a file in `wsgi-file`.",
    )

"""UW600-UW609: uwsgiconf Python configs (``uwsgicfg.py``), read statically.

uwsgiconf checks nothing: unknown keywords are swallowed, a module attribute misnamed
compiles to nothing, touching a group writes options.  The Python reader
(``readers/python.py``) records these findings as problems: UW600 and UW609 from the
evaluator (``uwsgiconf/evaluate.py``), the others from ``uwsgiconf/checks.py``.  What
the compiled INI says is judged by the other rules, at the ``.py`` argument that wrote
it (UW208 for a throttle `level_max=180`, UW103 for `count="four"` ...).
"""

from __future__ import annotations

from ..diagnostics import Severity
from . import Reader, declare

syntax_error = declare(
    "UW600",
    "uwsgiconf-syntax-error",
    Severity.ERROR,
    "A uwsgiconf config that is not valid Python: uwsgiconf cannot load it and nothing in it "
    "is checked.",
    on=Reader(once_per_file=True),
)


unknown_keyword = declare(
    "UW601",
    "uwsgiconf-unknown-keyword",
    Severity.WARNING,
    "An argument uwsgiconf does not take: `Section(workerz=4)` is swallowed silently, a "
    "method fails with TypeError.",
    on=Reader(),
    fix="unsafe",
)


params_ignored = declare(
    "UW602",
    "uwsgiconf-params-ignored",
    Severity.WARNING,
    "Basic parameters uwsgiconf drops silently: `params_<group>=` or `section.<group>(...)` "
    "for a group without basic parameters, or no such group.",
    on=Reader(),
    fix="unsafe",
)


configuration_attribute = declare(
    "UW603",
    "uwsgiconf-configuration-attribute",
    Severity.ERROR,
    "A module that sets `configuration` instead of `uwsgi_configuration`: uwsgiconf compiles "
    "it to nothing and exits 0.",
    on=Reader(),
    fix="unsafe",
)


not_configurations = declare(
    "UW604",
    "uwsgiconf-configuration-not-configurations",
    Severity.ERROR,
    "`uwsgi_configuration` set to a Section or a function: uwsgiconf fails, it needs "
    "Configuration objects.",
    on=Reader(),
    fix="safe",
)


wrong_type = declare(
    "UW605",
    "uwsgiconf-wrong-type",
    Severity.ERROR,
    "A value uwsgiconf cannot take for the parameter (a str for a socket, a bad `drop_after`, "
    "error page 401 ...): compiling fails.",
    on=Reader(),
)


workers_touched = declare(
    "UW607",
    "uwsgiconf-workers-touched",
    Severity.WARNING,
    "Touching `section.workers` or `section.python` writes `workers = %k`: one worker per "
    "CPU core, unless a count is set.",
    on=Reader(),
)


newer_than_pinned = declare(
    "UW608",
    "uwsgiconf-newer-than-pinned",
    Severity.WARNING,
    "A uwsgiconf method or parameter newer than the lowest uwsgiconf version the project "
    "allows: that version fails on it.",
    on=Reader(),
)


not_followed = declare(
    "UW609",
    "uwsgiconf-not-followed",
    Severity.INFO,
    "Something in a uwsgiconf config that the static reading could not follow: what it "
    "writes is not checked.",
    on=Reader(),
)

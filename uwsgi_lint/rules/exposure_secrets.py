"""UW507: secrets written into a config.

A config file travels: version control, backups, support tickets, ``uwsgi --show-config``.
A password, key or token written in it (``env = DB_PASSWORD=...``, a placeholder such as
``secret_key = ...``, ``scheme://user:password@host``, a ``legion`` key, a ``basicauth``
route with ``user:password``) goes wherever the file goes.  Values taken from the
environment (``$(NAME)``) or a file (``@(path)``), templates (``{{ x }}``, ``${X}``) and
stand-ins (``changeme``) are not reported.  Messages never show the secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ..catalog import Catalog
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive, Span
from ..values import BASICAUTH, MASK, literal_secret, mask_text, secret_name, url_password
from . import Instances, rule

ASSIGNMENTS = ("env", "set", "set-placeholder", "vassal-set")
_PLACEHOLDER = re.compile(r"%\(([^()\s]+)\)")
_WHO = "Whoever reads this file (or its copies in version control and backups) has it."
_FROM_ENV = "read it from the environment: `{name}=$({name})`"
_FROM_FILE = _WHO + (
    " Read it from the environment, or from a file only the app user can read "
    "(`{name}=@(/etc/app/{file})`)."
)


def _fix(name: str) -> tuple[str, str]:
    """What to write instead (for the message) and why, with the other way (the detail)."""
    return _FROM_ENV.format(name=name), _FROM_FILE.format(name=name, file=name.lower())


@cache
def _routes(catalog: Catalog) -> frozenset[str]:
    """The routing options (their values are actions, not secrets)."""
    return frozenset(n for n in catalog.names() if "route" in n)


@rule(
    "UW507",
    "secret-in-config",
    Severity.WARNING,
    "A password, key or token written into the config (`env = DB_PASSWORD=...`): it goes "
    "wherever the file goes.",
    on=Instances(),
)
def check(view: View) -> Iterator[Finding]:
    """Every entry's value may hold a URL with a password: all of them are read."""
    cat = view.catalog
    assigning = {n for key in ASSIGNMENTS for n in view.names(key)}
    legion = view.names("legion")
    routes = _routes(cat)
    done: set[tuple[str, tuple[int, int]]] = set()

    def once(d: Directive) -> bool:
        where = (d.file, d.loc.whole)
        if where in done:
            return False
        done.add(where)
        return True

    def report(d: Directive, span: Span, message: str, detail: str,
               related: tuple[Related, ...] = ()) -> Iterator[Finding]:
        if once(d):
            yield Finding(span, message, related, detail=detail)

    for _, d in view.unique():
        value = d.value
        if d.key in assigning:
            name, eq, rest = value.partition("=")
            name = name.strip()
            if eq and secret_name(name):
                if literal_secret(rest):
                    fix, why = _fix(name)
                    yield from report(
                        d, d.value_span,
                        f"`{d.key}` writes the secret `{name}={MASK}` into the config; {fix}", why,
                    )
                    continue
                for m in _PLACEHOLDER.finditer(rest):
                    # the entry `%(name)` reads: the first one (uwsgi_manage_placeholder);
                    # an option of uWSGI's own (aliases included) is no secret
                    src = view.first(m.group(1))
                    if src is None or src.key in cat or not literal_secret(src.value):
                        continue
                    fix, why = _fix(name)
                    yield from report(
                        src, src.value_span,
                        f"the placeholder `{src.key}` (`{MASK}`), which `{d.key}` passes on as "
                        f"`{name}`, is a secret written into the config; {fix}", why,
                        (Related(f"`{name}` takes it here", d.span),),
                    )
        elif d.key not in cat and not d.note.startswith("from "):
            # a placeholder of the user's own (`db_password = ...`)
            if secret_name(d.key) and literal_secret(value):
                fix, why = _fix(d.key.upper())
                yield from report(
                    d, d.value_span,
                    f"the placeholder `{d.key}` holds a secret written into the config "
                    f"(`{d.key} = {MASK}`); {fix}", why,
                )
                continue
        elif d.key in legion:
            fields = value.split()
            if len(fields) >= 4 and ":" in fields[3]:
                algo, _, key = fields[3].partition(":")
                if literal_secret(key):
                    yield from report(
                        d, d.value_span,
                        f"`{d.key}` writes its shared secret (`{algo}:{MASK}`) into the config; "
                        "read it from a file only uWSGI can read (`@(/etc/uwsgi/legion.key)`)",
                        "Whoever reads this file can join or forge messages for the legion.",
                    )
                    continue
        elif d.key in routes:
            auth = BASICAUTH.search(value)
            if auth and literal_secret(auth.group(2)):
                user = auth.group(1)
                yield from report(
                    d, d.value_span,
                    f"`{d.key}` writes the password of `{user}` into the config; point "
                    "basicauth at an htpasswd file (`basicauth:realm,/etc/app/htpasswd`)",
                    f"`basicauth:...,{user}:{MASK}`: whoever reads this file can log in.",
                )
                continue
        at = url_password(value)
        if at is not None:
            url = mask_text(value)
            yield from report(
                d, d.value_span,
                f"`{d.key}` writes a password into the config in a URL (`{_url_around(url)}`); "
                "take the URL from the environment (`$(NAME)`)",
                f"{_WHO} Take the URL from the environment, or from a file only the app user "
                "can read (`@(path)`).",
            )


def _url_around(masked_value: str) -> str:
    """The masked URL within a value, for a message."""
    at = masked_value.find(MASK)
    start = masked_value.rfind("://", 0, at)
    start = masked_value.rfind("=", 0, start) + 1 if start != -1 else 0
    end = masked_value.find(" ", at)
    text = masked_value[start : end if end != -1 else len(masked_value)]
    return text if len(text) <= 80 else text[:77] + "..."

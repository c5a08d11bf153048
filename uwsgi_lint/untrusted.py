"""One way to print untrusted text: anything that came from a config, a path or the
environment.

Every message (a :class:`~uwsgi_lint.diagnostics.Diagnostic` or ``Related`` cleans its
text when it is made), every path a renderer prints (``render.display_path``), every key
and value ``show`` prints and every quoted source line goes through :func:`clean` (or
:func:`source_line`), which

* masks secrets (:func:`secret_spans`): secret-named ``NAME=value`` pairs (also inside
  text split on NUL bytes and line breaks, such as ``/proc/self/environ``), ``NAME: value``
  records and ``<name>value</name>`` elements, URL credentials, ``Authorization:`` headers,
  ``basicauth:realm,user:password`` route actions, known token shapes (GitHub, GitLab,
  AWS, Slack, JWT), PEM blocks and base64 key material, and the values of this process's
  own environment variables whose names look secret;
* escapes control characters (C0 including line breaks, DEL, C1, Unicode bidi overrides
  and isolates, line and paragraph separators) and lone surrogates (an undecodable byte
  of a file name shows as ``\\xNN``), and defuses GitHub Actions workflow commands
  (``##[`` anywhere, ``::`` at the start of a line);
* caps the length.

Every pattern runs in time linear in its input: no nested quantifiers over unbounded
input, and each scan that can fail stops at a point the next attempt starts beyond.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from functools import cache, partial

MASK = "********"
LIMIT = 2000  # a message (the longest a rule writes is about 600 characters)
KEY_LIMIT = 256  # an option name
VALUE_LIMIT = 4096  # a value `show` prints

Spans = Iterator[tuple[int, int]]

# -- names that hold secrets ---------------------------------------------------------------

# words that make a variable or placeholder name a secret's (whole words of the name)
_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN",
     "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"}
)
_SECRET_PARTS = ("PASSWORD", "PASSWD", "SECRET")  # also inside a word: DBPASSWORD
# a last word that makes the name about a secret rather than the secret itself
_NOT_SECRET_LAST = frozenset(
    {"FILE", "FILES", "PATH", "DIR", "URL", "URI", "ID", "NAME", "USER", "USERNAME",
     "LENGTH", "LEN", "TTL", "TIMEOUT", "EXPIRY", "EXPIRE", "EXPIRES", "EXPIRATION", "AGE",
     "LIFETIME", "ALGORITHM", "ALGORITHMS", "ALG", "HEADER", "FIELD", "PREFIX", "SUFFIX",
     "ENABLED", "ENABLE", "DISABLED", "DISABLE", "BACKEND", "BACKENDS", "TYPE", "HOST",
     "PORT", "REQUIRED", "MIN", "MAX", "COUNT", "SIZE", "LOCATION", "MODE", "FORMAT",
     "CLASS", "MODULE", "ROTATION", "VERSION", "ENDPOINT", "DOMAIN", "SERVER", "ISSUER",
     "AUDIENCE", "SCOPE", "SCOPES", "REGION", "METHOD", "HASHER", "HASHERS", "VALIDATORS",
     "POLICY", "COMMAND", "CMD", "PROVIDER", "STORE", "ENGINE"}
)
_NAME_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
# parts of an environment variable's name that make its value worth masking everywhere
_ENV_PARTS = ("TOKEN", "SECRET", "PASSW", "PASSPHRASE", "CREDENTIAL", "PRIVATE", "APIKEY")
_ENV_WORDS = frozenset({"KEY", "PASS", "PWD", "AUTH", "AUTHORIZATION", "COOKIE", "SESSION"})
ENV_MIN = 8  # shorter values of secret-named variables are not looked for
_SHELL_DIRS = frozenset({"PWD", "OLDPWD"})  # the shell's working directories, no secret


def secret_name(name: str) -> bool:
    """Whether an environment variable or placeholder called ``name`` holds a secret:
    ``DB_PASSWORD``, ``SECRET_KEY``, ``API_TOKEN``, ``stripeKey`` -- not ``PWD`` alone,
    ``SECRET_KEY_FILE`` or ``TOKEN_TTL``."""
    words = [w.upper() for w in _NAME_WORDS.split(name.strip()) if w]
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    if words == ["PWD"]:
        return False  # the shell's working directory
    if any(w in _SECRET_WORDS for w in words):
        return True
    if any(part in w for w in words for part in _SECRET_PARTS):
        return True
    return len(words) > 1 and words[-1] == "KEY"


def _secret_env_name(name: str) -> bool:
    """Whether this process's variable ``name`` looks like it holds a secret (wider than
    :func:`secret_name`: ``AWS_SECRET_ACCESS_KEY``, ``GITHUB_TOKEN``, ``NPM_AUTH``)."""
    words = [w.upper() for w in _NAME_WORDS.split(name) if w]
    if not words or words[-1] in _NOT_SECRET_LAST or words[-1] in ("SOCK", "SOCKET"):
        return False
    return secret_name(name) or any(
        w in _ENV_WORDS or any(p in w for p in _ENV_PARTS) for w in words
    )


@cache
def _env_secrets() -> tuple[str, ...]:
    """The values (:data:`ENV_MIN` characters or more) of this process's secret-named
    environment variables, longest first: masked wherever they appear."""
    found = {
        v for k, v in os.environ.items()
        if len(v) >= ENV_MIN and k not in _SHELL_DIRS and _secret_env_name(k)
        and not (os.path.isabs(v) and os.path.exists(v))  # a path (XAUTHORITY, *_KEY_FILE)
    }
    return tuple(sorted(found, key=len, reverse=True))


# -- detectors: each yields the (start, end) of secrets in the raw text ---------------------

# Patterns needed only for a text that holds their fixed part (a token prefix, `@`,
# `authorization`, `bearer`, a PEM header) are compiled on first use, not at import:
# start-up (the case-insensitive ones are the slowest to compile).
def _lazy(pattern: str) -> Callable[[], re.Pattern[str]]:
    """``re.compile(pattern)``, made on the first call."""
    return cache(partial(re.compile, pattern))


# known token shapes; each starts at the beginning of a run of its characters, so a failed
# attempt scans at most a bounded prefix (or a run the next attempt starts beyond)
_TOKENS = _lazy(
    r"(?<![A-Za-z0-9_])(?:gh[oprsu]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{20,}|xox[abeoprs]-[A-Za-z0-9-]{10,}"
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9]))"
    r"|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
)
# base64 key material (a line of a PEM body read on its own, `for-readline`): a run of
# 32+ base64 characters with upper and lower case and digits, not starting with `/` (a
# path), or a shorter padded one
# with `/` in it, the longest part between slashes of key material is long and mixed too
# (a path such as `tmp-k3x9/RunestoneServer/docker/uwsgi` has short word-like parts)
_KEY_PART = 16
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
# NAME=value in free text (a command line, a hook, an environment blob): the value up to a
# blank, a control character or ;,&'"` (a message quotes with backticks)
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=[\"'`]?([^\s\x00-\x1f\x7f;,&'\"`]+)"
)
# NAME = value, NAME: value, "NAME": "value" at the start of a record (the text, or after a
# NUL or a line break): the rest of the record
_RECORD = re.compile(
    r"(?:\A|(?<=[\x00\r\n]))[ \t-]*(?:export[ \t]+)?[\"']?([A-Za-z_][A-Za-z0-9_.-]*)[\"']?"
    r"[ \t]*[:=][ \t]*([^\x00\r\n]+)"
)
# "name": "value" anywhere (JSON on one line)
_QUOTED_KEY = re.compile(
    r"[\"']([A-Za-z_][A-Za-z0-9_.-]*)[\"'][ \t]*:[ \t]*[\"']([^\"'\x00-\x1f]+)"
)
# <name>value</name>
_ELEMENT = re.compile(r"<([A-Za-z_][A-Za-z0-9_.-]*)>([^<\x00-\x1f]+)<")
# Authorization: basic ..., bearer ... (an HTTP header, git's http.extraheader)
_AUTHORIZATION = _lazy(
    r"(?i)(?<![a-z0-9-])(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*"
    r"(?:(?:basic|bearer|token|digest|negotiate|ntlm)[ \t]+)?([^\s\x00-\x1f\"'`,;]+)"
)
# user:password@host without a scheme (a URL's authority quoted on its own): one attempt per
# blank-separated word, from its start
_USERINFO = _lazy(
    r"(?:\A|(?<=[\s`'\"(]))[^\s/@:`'\"(]+:([^\s/@`'\"(]+)@[A-Za-z0-9\[]"
)
_BEARER = _lazy(r"(?i)(?<![a-z0-9])bearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)")
# a basicauth route action with an inline user:password (not an htpasswd file); the realm
# never runs past the next `basicauth`, so a failed attempt scans only up to the next one
# (no possessive `++`: Python 3.10 has none; each group here can end at one place only)
BASICAUTH = re.compile(r"\bbasicauth(?:-next)?:(?:(?!basicauth)[^,])*,([^:,]+):([^\n]+)$")
_PEM_BEGIN = _lazy(r"-----BEGIN [A-Z0-9 ]{1,64}-----")
# what follows a PEM header without its END: base64 lines (line breaks raw or escaped)
_PEM_BODY = _lazy(r"(?:[A-Za-z0-9+/=: \t\x00\r\n-]|\\[nrt0])*")


# a value that names where the secret comes from, not the secret: `$(ENV)`, `@(file)` ...
_REFERENCES = ("$(", "@(", "%(", "${", "{{", MASK)


def _names(pattern: re.Pattern[str], *, records: bool = False) -> Callable[[str], Spans]:
    """A detector for ``pattern``: group 2 is a secret when group 1 is a secret name (and
    group 2 is no reference).  With ``records``, the pattern is tried only where a record
    starts (the text's start, after a NUL or a line break), not at every character."""

    def matches(text: str) -> Iterator[re.Match[str]]:
        if not records:
            yield from pattern.finditer(text)
            return
        for at in (0, *(m.end() for m in _RECORD_START.finditer(text))):
            m = pattern.match(text, at)
            if m is not None:
                yield m

    def detect(text: str) -> Spans:
        for m in matches(text):
            if secret_name(m.group(1)) and not m.group(2).startswith(_REFERENCES):
                yield m.span(2)

    return detect


_RECORD_START = re.compile(r"[\x00\r\n]")
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "glpat-", "xox",
                   "AKIA", "ASIA", "eyJ")


def _tokens(text: str) -> Spans:
    if any(p in text for p in _TOKEN_PREFIXES):
        for m in _TOKENS().finditer(text):
            yield m.span()


def _mixed(run: str) -> bool:
    return (any(c.isupper() for c in run) and any(c.islower() for c in run)
            and any(c.isdigit() for c in run))


def _base64(text: str) -> Spans:
    for m in _BASE64.finditer(text):
        run = m.group()
        padded = run.endswith("=")
        if (len(run) >= 32 or padded) and not run.startswith("/") and _mixed(run):
            part = max(run.split("/"), key=len)
            if part == run or (len(part) >= _KEY_PART and _mixed(part)):
                yield m.span()


_AUTHORITY_END = re.compile(r"[/\s\x00-\x1f]")


def url_passwords(text: str) -> Iterator[tuple[int, int]]:
    """The password of each ``scheme://user:password@host`` URL in ``text`` (the part
    between the first ``:`` and the last ``@`` of the authority).  Each authority ends at
    a blank, a control character or a ``/``, so the scans never overlap."""
    at = text.find("://")
    while at != -1:
        start = at + 3
        stop = _AUTHORITY_END.search(text, start)
        end = stop.start() if stop is not None else len(text)
        userinfo_end = text.rfind("@", start, end)
        if userinfo_end != -1:
            colon = text.find(":", start, userinfo_end)
            if colon != -1 and colon + 1 < userinfo_end:
                yield colon + 1, userinfo_end
        at = text.find("://", end)


def _credentials(text: str) -> Spans:
    lower = text.lower()  # each pattern is tried only where its fixed part occurs
    for pattern, needed in ((_AUTHORIZATION, "authorization" in lower),
                            (_BEARER, "bearer" in lower), (_USERINFO, "@" in text)):
        if needed:
            for m in pattern().finditer(text):
                yield m.span(1)


def _basicauth(text: str) -> Spans:
    if "basicauth" not in text:
        return
    for line in _lines(text):
        start, chunk = line
        m = BASICAUTH.search(chunk)
        if m is not None and not m.group(2).startswith(_REFERENCES):
            yield start + m.start(2), start + m.end(2)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` for each line of ``text``."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end == -1:
            yield start, text[start:]
            return
        yield start, text[start:end]
        start = end + 1


def _pem(text: str) -> Spans:
    """Whole PEM blocks; a header without its ``-----END`` and the base64 lines after it."""
    if "-----BEGIN " not in text:
        return
    pos = 0
    has_end = True
    while True:
        m = _PEM_BEGIN().search(text, pos)
        if m is None:
            return
        end = -1
        if has_end:
            at = text.find("-----END ", m.end())
            has_end = at != -1  # no END after this BEGIN: none after a later one either
            if has_end:
                close = text.find("-----", at + 9, at + 9 + 80)
                end = close + 5 if close != -1 else at + 9
        if end == -1:
            body = _PEM_BODY().match(text, m.end())
            end = body.end() if body is not None else m.end()
        yield m.start(), end
        pos = end


def _env_values(text: str) -> Spans:
    for secret in _env_secrets():
        at = text.find(secret)
        while at != -1:
            yield at, at + len(secret)
            at = text.find(secret, at + len(secret))


_DETECTORS: tuple[Callable[[str], Spans], ...] = (
    _names(_ASSIGNMENT), _names(_RECORD, records=True), _names(_QUOTED_KEY), _names(_ELEMENT),
    url_passwords, _credentials, _basicauth, _tokens, _base64, _pem, _env_values,
)


# where any detector but the environment's values could start: text without it is clean
_TRIGGER = re.compile(
    r"[=:>@]|gh[oprsu]_|github_pat_|glpat-|xox|A[KS]IA|eyJ|[A-Za-z0-9+/]{16}|-----BEGIN"
    r"|(?i:bearer)"
)


def secret_spans(text: str) -> list[tuple[int, int]]:
    """Where secrets sit in ``text``: sorted, non-overlapping ``(start, end)`` ranges."""
    detectors = _DETECTORS if _TRIGGER.search(text) else (_env_values,)
    found = sorted(s for detect in detectors for s in detect(text) if s[1] > s[0])
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def mask(text: str) -> str:
    """``text`` with every secret (:func:`secret_spans`) replaced by ``********``."""
    spans = secret_spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for s, e in spans:
        out += (text[pos:s], MASK)
        pos = e
    out.append(text[pos:])
    return "".join(out)


# -- escaping --------------------------------------------------------------------------------

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]|##\\["
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(m: re.Match[str]) -> str:
    return _escape_one(m.group())


def _escape_one(c: str) -> str:
    if c == "##[":
        return "##\\x5b"  # a GitHub Actions workflow command anywhere in a line
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:  # an undecodable byte (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def escape(text: str) -> str:
    """``text`` with control characters, bidi controls and lone surrogates escaped
    (``\\n``, ``\\x1b``, ``\\u202e``; an undecodable byte as ``\\xNN``), ``##[`` defused,
    and a ``::`` at the start (after blanks) escaped: a line it starts is no GitHub
    Actions workflow command."""
    text = _CONTROL.sub(_escaped, text)
    if text.lstrip().startswith("::"):  # the runner strips leading (Unicode) blanks
        at = text.index("::")
        text = f"{text[:at]}\\x3a{text[at + 1:]}"
    return text


def cap(text: str, limit: int | None) -> str:
    """``text`` cut to ``limit`` characters (``...`` at the end when cut)."""
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)] + "..."


def clean(text: str, limit: int | None = LIMIT) -> str:
    """``text`` as it may be printed: secrets masked, control characters escaped, at most
    ``limit`` characters (``None``: no cap).  Cleaning twice changes nothing more."""
    return cap(escape(mask(text)), limit)


def clean_lines(text: str) -> str:
    """:func:`clean` for a text of several lines (a fix's new text): each line cleaned,
    the line breaks and tabs kept as they are (JSON and SARIF escape them; an editor
    applies the text as it is)."""
    return "".join(part if part in ("\r\n", "\n", "\r", "\t") else clean(part, None)
                   for part in _BREAKS.split(text))


_BREAKS = re.compile(r"(\r\n|\n|\r|\t)")


def source_line(text: str, start: int, end: int, *, tab: int = 8,
                width: int = 240) -> tuple[str, int, int]:
    """A source line as ``full`` quotes it, with the caret under ``text[start:end]``:
    ``(shown, column, caret width)``.  Secrets are masked, tabs expanded, other control
    characters escaped, and a line longer than ``width`` is cut to a window around the
    span (``...`` marks what is cut)."""
    n = len(text)
    start = min(max(start, 0), n)
    end = min(max(end, start), n)
    lo = max(0, start - width // 4) if n > width else 0
    hi = min(n, max(lo + width, min(end, start + width)))
    spans = secret_spans(text)
    for s, e in spans:  # never cut through a secret: it shows as one mask
        if s < lo < e:
            lo = s
        if s < hi < e:
            hi = e
    # (raw start, raw end, shown text or None for a plain run shown as it is)
    pieces: list[tuple[int, int, str | None]] = []
    pos = lo
    for s, e in [(s, e) for s, e in spans if lo <= s and e <= hi] + [(hi, hi)]:
        for m in _CONTROL.finditer(text, pos, s):
            if m.start() > pos:
                pieces.append((pos, m.start(), None))
            pieces.append((m.start(), m.end(), m.group()))
            pos = m.end()
        if s > pos:
            pieces.append((pos, s, None))
        if e > s:
            pieces.append((s, e, MASK))
        pos = e
    shown = ["..."] if lo > 0 else []
    col = len(shown[0]) if shown else 0
    first, last = col, None
    for s, e, what in pieces:
        if what is None:
            piece = text[s:e]
        elif what == "\t":
            piece = " " * (tab - col % tab)
        elif what == MASK:
            piece = MASK
        else:
            piece = _escape_one(what)
        if s <= start < e:
            first = col + (start - s if what is None else 0)
        if s < end <= e:
            last = col + (end - s if what is None else len(piece))
        shown.append(piece)
        col += len(piece)
    if start >= hi:
        first = col
    if last is None:
        last = col if end >= hi else first
    if hi < n:
        shown.append("...")
    return "".join(shown), first, max(last - first, 1)

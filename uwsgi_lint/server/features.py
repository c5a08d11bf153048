"""Hover, completion, go to definition and document symbols: plain functions of an
:class:`~.analysis.Analysis`, in the linter's positions (1-based lines, columns in
characters).  Imported by the language server only.

What they say about uWSGI comes from the option catalog (:mod:`uwsgi_lint.catalog`), the
real 2.0.31 binary's help texts and lists (:mod:`uwsgi_lint.catalog.help`) and the
instance the lint built (the option list after ``$()``, ``@()`` and ``%()``).  Every value,
key and path shown goes through ``untrusted.clean``, and values are masked as
``uwsgi-lint show`` masks them.  A uwsgiconf ``.py`` module answers only symbols.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from .. import fs, session
from ..catalog import Catalog, Option, first_release, load_catalog
from ..catalog.help import names as binary_list
from ..catalog.help import option_help
from ..facts import View, Views
from ..instance.loader import scheme_of, split_section
from ..instance.options import MAX_VALUE
from ..model import ConfigFile, Directive, Format, Instance, Position, Section, Span
from ..render.show import hidden_placeholders, shown_value
from ..source import Expanded
from ..untrusted import KEY_LIMIT, cap, clean
from ..values import FALSE_WORDS, MASK, masked
from .analysis import Analysis, CompletionItem, HoverAnswer, Symbol

SHORT = 60  # a value in a symbol's detail
SHOWN = 200  # a value in a hover
MAGIC_SCAN = 4096  # the longest value whose magic variables are mapped to what they became
HELP_SOURCE = "uWSGI 2.0.31 `--help`"

# core/config.c: add_exported_option_do(): what each flag does as the key is added
FLAG_NOTES = {
    "IMMEDIATE": "applied while the file is read: its value never sees `$()`, `@()` or "
                 "`%()`",
    "MASTER": "turns the master process on",
    "LOG_MASTER": "turns the master process and the log master on",
    "REQ_LOG_MASTER": "turns the master process, the log master and the request log master on",
    "THREADS": "turns threads on (as `enable-threads`)",
    "CHEAPER": "turns cheaper mode on",
    "VHOST": "turns virtual hosting on",
    "MEMORY": "turns memory usage gathering on",
    "PROCNAME": "turns automatic process names on",
    "LAZY": "turns lazy mode on",
    "NO_INITIAL": "turns the initial output off",
    "NO_SERVER": "runs uWSGI without a server",
    "POST_BUFFERING": "turns post buffering on (4096 bytes) when it is not set",
    "MIME": "builds the MIME types dictionary",
    "METRICS": "turns the metrics subsystem on",
}
# what uWSGI starts with when an option is not set: core/init.c: uwsgi_init_default() and
# sanitize_args(), as ../shared/reference/uwsgi-semantics.md (d.7, e) gives them; a flag
# (no argument) is off.  Other options: the help text says it when uWSGI's does.
DEFAULTS = {
    "processes": "1", "workers": "1",
    "emperor-freq": "3 (seconds)",
    "emperor-throttle": "1000 (milliseconds)",
    "emperor-max-throttle": "180000 (milliseconds)",
    "emperor-required-heartbeat": "30 (seconds)",
    "emperor-curse-tolerance": "30 (seconds)",
    "emperor-broodlord": "0 (off)",
    "heartbeat": "0 (off)",
    "vassal-sos": "0 (off)",
    "vassal-sos-backlog": "0 (off)",
    "cheaper": "0 (off)",
    "cheaper-step": "0 (behaves as 1)",
    "cheaper-overload": "3",
    "cheaper-algo": "`spare`",
    "min-worker-lifetime": "10 (seconds)",
}
ARG_NOTES = {"required": "a value is required", "none": "a flag",
             "optional": "the value is optional"}
# core/utils.c: magic_sub(), core/uwsgi.c: config_magic_table_fill()
MAGIC = {
    "%": "a literal `%`",
    "(": "`%(`, kept for the placeholder pass",
    "[": "the ANSI escape character",
    "o": "the config's name as given to uWSGI",
    "p": "the absolute path of this config file",
    "s": "the file name of this config file",
    "d": "the directory of this config file, with a trailing slash",
    "c": "the name of the directory of this config file",
    "e": "the extension of this config file",
    "n": "the file name of this config file without its extension",
    "x": "the section being read",
    "i": "the inode number of this config file",
    "j": "the djb33x hash of this config file's path, in hexadecimal",
    "v": "uWSGI's working directory",
    "h": "the host name",
    "t": "the Unix time uWSGI started at, in seconds",
    "T": "the Unix time uWSGI started at, in microseconds",
    "V": "the uWSGI version",
    "k": "the number of CPU cores",
    "u": "the uid uWSGI runs as",
    "U": "the user name uWSGI runs as",
    "g": "the gid uWSGI runs as",
    "G": "the group name uWSGI runs as",
    "b": "the path of the uWSGI binary",
    **{str(n): f"path component {n} of this config file's directory" for n in range(10)},
    **{upper: f"as `%{upper.lower()}`, for the first file read with an explicit loader "
              "(`--ini`, `ini =` ...); empty when uWSGI is started as `uwsgi FILE`"
       for upper in "OPSDECNXIJ"},
}
ON_WORDS = ("true", "on", "yes", "1")  # values.flag_is_on(): anything but the FALSE_WORDS
# core/socket.c: uwsgi_protocols_register() (uwsgi-2.0 branch); no --*-list prints them
PROTOCOLS = ("uwsgi", "puwsgi", "http", "http11", "suwsgi", "https", "fastcgi",
             "fastcgi-nph", "scgi", "scgi-nph", "raw")
# handlers that pick what they do by the option's name (core/routing.c): not aliases
_NAME_DISPATCH = frozenset({"uwsgi_opt_add_route"})
_TOKEN = re.compile(r"[%$@]\([^()]*\)|%.")
_WORD = re.compile(r"[\w.\-]*")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


# -- the document -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Doc:
    """The document's lines, and the first instance that reads it with its reading."""

    analysis: Analysis
    lines: list[str]
    instance: Instance | None
    file: ConfigFile | None

    @property
    def catalog(self) -> Catalog:
        return load_catalog(self.analysis.assumptions.version)

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def span(self, line: int, start: int, end: int) -> Span:
        return Span(self.analysis.path, Position(line, start), Position(line, end))


def _doc(analysis: Analysis) -> _Doc:
    lines = [line.removesuffix("\r") for line in analysis.text.split("\n")]
    for inst in analysis.containing():
        for cfg in inst.files:
            if cfg.path == analysis.path:
                return _Doc(analysis, lines, inst, cfg)
    return _Doc(analysis, lines, None, None)


def _directives(cfg: ConfigFile) -> Iterator[Directive]:
    for section in cfg.sections:
        yield from section.directives()


def _inside(span: Span, pos: Position) -> bool:
    return span.start <= pos < span.end


def _entry(inst: Instance, d: Directive) -> int | None:
    """The index of the first option-list entry written by ``d`` (None: not in the list)."""
    for i, o in enumerate(inst.options):
        if o is d or (o.key == d.key and o.file == d.file and o.loc.whole == d.loc.whole):
            return i
    return None


def _path(doc: _Doc, path: str) -> str:
    """``path`` as shown: relative to the document's directory when below it."""
    rel = os.path.relpath(path, os.path.dirname(doc.analysis.path))
    return clean(path if rel.startswith("..") else rel, None)


def _shown(inst: Instance, at: int, hidden: frozenset[str] | None = None) -> str:
    """Entry ``at``'s value as ``uwsgi-lint show`` prints it (secrets masked), as a code span
    at most :data:`SHOWN` long."""
    if hidden is None:
        hidden = hidden_placeholders(inst)
    return _code(cap(shown_value(inst.options[at], hidden), SHOWN))


def _where(doc: _Doc, d: Directive) -> str:
    return f"{_path(doc, d.file)}:{d.span.start.line}"


def _code(text: str) -> str:
    """``text`` (cleaned already) as a markdown code span."""
    if not text:
        return "(empty)"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain(text: str) -> str:
    """``text`` with markdown's special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _aliases(opt: Option, catalog: Catalog) -> tuple[str, ...]:
    """The catalog's aliases of ``opt`` that do the same thing: same flags, and a handler
    that does not choose by the option's name (``route`` is no alias of ``final-route``)."""
    if opt.handler in _NAME_DISPATCH:
        return ()
    return tuple(a for a in opt.aliases if (o := catalog.get(a)) is not None
                 and o.flags == opt.flags)


def _loaded(doc: _Doc) -> frozenset[str]:
    """The plugins loaded besides the default build: the settings' and ``plugins`` lines'."""
    if doc.instance is None:
        return frozenset(doc.analysis.assumptions.plugins or ())
    return View(doc.instance, Views(doc.analysis.assumptions)).loaded_plugins()


# -- hover --------------------------------------------------------------------------------


def hover(analysis: Analysis, line: int, column: int) -> HoverAnswer | None:
    """What the option name, or the ``%(name)``/``$(ENV)``/``@(file)``/``%X`` reference,
    under the cursor means here; None elsewhere (comments, blank lines ...)."""
    if analysis.format is Format.PYTHON:
        return None
    doc = _doc(analysis)
    if doc.file is None:
        return None
    pos = Position(line, column)
    for d in _directives(doc.file):
        if d.file == analysis.path and _inside(d.key_span, pos):
            return HoverAnswer(_option_markdown(doc, d), d.key_span)
    found = _reference_at(doc, pos)
    if found is None:
        return None
    d, token, span = found
    return HoverAnswer(_reference_markdown(doc, d, token, span), span)


def _option_markdown(doc: _Doc, d: Directive) -> str:
    catalog = doc.catalog
    opt = catalog.get(d.key)
    name = clean(d.key, KEY_LIMIT)
    parts = [_option_facts(doc, opt) if opt is not None else _unknown(doc, d)]
    parts += _value_here(doc, d, opt)
    return f"**{_code(name)}**" + "".join(f"\n\n{p}" for p in parts)


def _option_facts(doc: _Doc, opt: Option) -> str:
    text = option_help(opt.name)
    lines = [_plain(text) if text else
             f"_No help text: {HELP_SOURCE} of the default build does not list it._"]
    kind = _code(opt.value_kind) if opt.value_kind else f"read by {_code(opt.handler)}"
    rows = [f"value: {kind}, {ARG_NOTES[opt.arg]}"]
    default = DEFAULTS.get(opt.name, "off" if opt.arg == "none" else None)
    if default is not None:
        rows.append(f"default: {default}")
    aliases = _aliases(opt, doc.catalog)
    if aliases:
        rows.append("aliases: " + ", ".join(_code(a) for a in aliases))
    rows.append("plugin: " + _plugin_note(opt, _loaded(doc)))
    rows.append("versions: " + _versions(opt.name))
    rows.append("repeatable: " + ("yes, every line counts" if opt.repeatable
                                 else "no, the last line wins"))
    notes = [FLAG_NOTES[f] for f in sorted(opt.flags) if f in FLAG_NOTES]
    if notes:
        rows.append("flags: " + "; ".join(notes))
    return "\n".join([*lines, "", *(f"- {row}" for row in rows)])


def _plugin_note(opt: Option, loaded: frozenset[str]) -> str:
    if opt.plugin == "core":
        if opt.default_build or not opt.conditions:
            return "core"
        return "core, compiled only when " + " and ".join(_code(c) for c in opt.conditions)
    plugin = _code(clean(opt.plugin))
    if opt.default_build:
        return f"{plugin}, in the default build"
    if opt.plugin in loaded:
        return f"{plugin}, loaded here"
    return (f"{plugin}, not in the default build: until `plugins = {clean(opt.plugin)}` "
            f"loads it, uWSGI takes {_code(opt.name)} for an unknown key")


def _versions(name: str) -> str:
    since = first_release(name)
    if name not in load_catalog("2.0"):
        old = "not in 2.0"
    elif since is not None:
        old = f"2.0 since {since}"
    else:
        old = "every 2.0 release from 2.0.18"
    new = "in 2.1-dev" if name in load_catalog("2.1") else "not in 2.1-dev"
    return f"{old}; {new}"


def _unknown(doc: _Doc, d: Directive) -> str:
    """What uWSGI makes of a key that is not an option of the target version."""
    catalog = doc.catalog
    name = clean(d.key, KEY_LIMIT)
    if any(d.key in load_catalog(v) for v in ("2.0", "2.1")):
        lines = [f"Not an option of uWSGI {catalog.target}: {_versions(d.key)}."]
    else:
        lines = [f"Not a uWSGI {catalog.version} option."]
        suggestions = catalog.suggest(d.key)
        if suggestions:
            lines.append("Did you mean " + " or ".join(_code(s) for s in suggestions) + "?")
    lines.append(f"uWSGI keeps it in the option list as a placeholder: `%({name})` reads it "
                 "(with `strict`, an unknown key is fatal).")
    inst = doc.instance
    if inst is not None:
        readers = [o for o in inst.options if f"%({d.key})" in o.value]
        if readers:
            lines.append("Read at " + ", ".join(_where(doc, o) for o in readers[:3]) + ".")
    return "\n\n".join(lines)


def _value_here(doc: _Doc, d: Directive, opt: Option | None) -> list[str]:
    """This line's value as uWSGI reads it, and the value in effect for a setting."""
    inst = doc.instance
    if inst is None:
        return []
    at = _entry(inst, d)
    if at is None:
        return [f"uWSGI does not add this line to the options of "
                f"{_path(doc, inst.root.path)} (another section, or a block whose "
                "condition is false)."]
    here = f"**Here:** {_shown(inst, at)}"
    entry = inst.options[at]
    if entry.unresolved:
        here += " (unresolved here: " + ", ".join(_code(clean(u)) for u in entry.unresolved) + ")"
    elif entry.effective != entry.value:
        here += " (after expansion)"
    if at in inst.conditional:
        here += ", if its condition holds"
    out = [here]
    known = opt is not None and (opt.default_build or opt.plugin in _loaded(doc))
    if opt is not None and known and not opt.repeatable:
        keys = {d.key, *_aliases(opt, doc.catalog)}
        last = max(i for i, o in enumerate(inst.options) if o.key in keys)
        if last == at:
            out.append("**In effect:** this line")
        else:
            out.append(f"**In effect:** {_shown(inst, last)}, from "
                       f"{_where(doc, inst.options[last])}")
    return out


# -- references in a value ----------------------------------------------------------------


def _reference_at(doc: _Doc, pos: Position) -> tuple[Directive, str, Span] | None:
    """The directive whose value holds ``pos``, the reference token there and its span."""
    assert doc.file is not None
    for d in _directives(doc.file):
        ks, vs = d.key_span, d.value_span
        if d.file != doc.analysis.path or not ks.end <= pos < vs.end:
            continue
        # from the key's end: a variable that vanished (`%Y`) before the value is no part of it
        text = doc.line(pos.line)
        start = ks.end.column if ks.end.line == pos.line else 1
        end = vs.end.column if vs.end.line == pos.line else len(text) + 1
        for m in _TOKEN.finditer(text, start - 1, end - 1):
            if m.start() + 1 <= pos.column < m.end() + 1:
                return d, m.group(), doc.span(pos.line, m.start() + 1, m.end() + 1)
        return None
    return None


def _reference_markdown(doc: _Doc, d: Directive, token: str, span: Span) -> str:
    title = f"**{_code(clean(token, SHOWN))}**"
    inst = doc.instance
    at = _entry(inst, d) if inst is not None else None
    if token[1] != "(":
        return f"{title}: {_magic(d, token, span)}"
    if inst is None or at is None:
        return f"{title}: uWSGI does not read this line here, so it never expands it."
    entry = inst.options[at]
    if entry.expanded is None:
        return (f"{title}: never expanded: uWSGI applies {_code(clean(d.key, KEY_LIMIT))} "
                "while it reads the file, before its `$()`, `@()` and `%()` passes; it "
                "reads the text as written.")
    inner = _name(d, token, span)
    if token[0] == "%":
        return f"{title}: {_placeholder(doc, inst, at, inner)}"
    if token[0] == "$":
        return f"{title}: {_environment(doc, inner)}"
    return f"{title}: {_at_file(inst, at, inner, doc.analysis.read_roots())}"


def _magic(d: Directive, token: str, span: Span) -> str:
    letter = token[1]
    meaning = MAGIC.get(letter)
    if meaning is None:
        return "not a magic variable: uWSGI replaces it with nothing."
    value, exp = _as_read(d, span), d.loc.text
    if value is None or not isinstance(exp, Expanded):
        return f"{meaning}."
    if value == token and token in exp.unresolved_in(*d.loc.value):
        return f"{meaning}; unknown here: it depends on the machine uWSGI runs on."
    return f"{meaning}: {_code(clean(value, SHOWN))} here."


def _as_read(d: Directive, span: Span) -> str | None:
    """The text uWSGI's parser got for the part ``span`` of ``d``'s value, after magic
    substitution (``%d`` -> the directory); None when it cannot be mapped."""
    exp = d.loc.text
    vs, ve = d.loc.value
    if not isinstance(exp, Expanded) or ve - vs > MAGIC_SCAN:
        return None
    return "".join(exp.text[o] for o in range(vs, ve)
                   if span.start <= exp.span(o, o + 1).start < span.end)


def _name(d: Directive, token: str, span: Span) -> str:
    """What a ``%(...)``, ``$(...)`` or ``@(...)`` reference names, magic variables in it
    substituted (``@(%dtoken)``)."""
    read = _as_read(d, span)
    if read is None or read[:2] != token[:2] or not read.endswith(")"):
        return token[2:-1]
    return read[2:-1]


def _placeholder(doc: _Doc, inst: Instance, at: int, name: str) -> str:
    block = inst.options[at].block
    if name == "_" and block is not None:
        return (f"the current item of the enclosing {_code(block.kind)} block, replaced "
                "as the block is read.")
    if " " in name.strip():
        return ("an expression over placeholders and numbers; this line reads "
                f"{_shown(inst, at)}.")
    first = _first(inst, name)
    shown_name = _code(clean(name, KEY_LIMIT))
    if first is None:
        return f"{shown_name} is set nowhere in this instance: uWSGI leaves the text as written."
    text = (f"{_shown(inst, first)}, the value of the first {shown_name} in the option "
            f"list ({_where(doc, inst.options[first])})")
    again = [o for o in inst.options[first + 1:] if o.key == name]
    if again:
        text += (f"; uWSGI reads the first one, not the {_where(doc, again[-1])} one "
                 "that is in effect")
    return text + "."


def _first(inst: Instance, name: str) -> int | None:
    """The first entry named ``name``: the one ``%(name)`` reads (``core/config.c:
    uwsgi_get_exported_opt()``), wherever it is in the list."""
    return next((i for i, o in enumerate(inst.options) if o.key == name), None)


def _environment(doc: _Doc, name: str) -> str:
    env = doc.analysis.assumptions.env
    start = "taken from the environment uWSGI starts with (left as written when unset)"
    if env is None:
        return f"{start}; unresolved here: the lint was given no environment."
    if name not in env:
        return f"{start}; not set in the environment given: left as written."
    return f"{start}: {_code(clean(masked(name, env[name]), SHOWN))} here."


def _at_file(inst: Instance, at: int, name: str, roots: tuple[str, ...]) -> str:
    start = ("replaced by the content of the file, relative to uWSGI's working directory, "
             "one trailing newline removed")
    entry = inst.options[at]
    unread = next((u for u in inst.unread if u.directive is entry or
                   (u.directive.span == entry.span and u.target in (name, f"@({name})"))),
                  None)
    if unread is not None:
        return f"{start}; not read here: {clean(unread.reason)}."
    if scheme_of(name) is not None or f"@({name})" in entry.unresolved:
        return f"{start}; not read here."
    path = name if os.path.isabs(name) else os.path.join(inst.cwd, name)
    try:
        with session.run(roots):  # what the lint could read, and nothing else
            data = fs.read_regular(path, MAX_VALUE)
    except fs.Unreadable as exc:
        return f"{start}; not read here: {clean(str(exc))}."
    text = data.decode("utf-8", "surrogateescape").split("\0", 1)[0]
    text = text[:-1] if text.endswith(("\n", "\r")) else text
    if MASK in _shown(inst, at):  # the line's value is a secret: so is the file's text
        text = MASK
    return f"{start}: {_code(clean(masked(entry.key, text), SHOWN))} here."


# -- completion ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    """The cursor is on an option name: ``partial`` typed so far, from column ``start``."""

    partial: str
    start: int


@dataclass(frozen=True, slots=True)
class _Value:
    """The cursor is in the value of ``key``: ``before`` typed so far, from column
    ``start``; ``bare`` for a JSON value outside a string."""

    key: str
    before: str
    start: int
    bare: bool = False


def complete(analysis: Analysis, line: int, column: int) -> list[CompletionItem]:
    """Option names at a key, known values at a value, placeholder names after ``%(``."""
    if analysis.format is Format.PYTHON:
        return []
    doc = _doc(analysis)
    if not 1 <= line <= len(doc.lines) or column < 1:
        return []
    before = doc.line(line)[: column - 1]
    where = _context(doc, line, before)
    if isinstance(where, _Key):  # the whole name is replaced, what follows the cursor too
        rest = _WORD.match(doc.line(line), column - 1)
        replace = doc.span(line, where.start, column + (len(rest.group()) if rest else 0))
        return _options(doc, where.partial, replace)
    if isinstance(where, _Value):
        ref = re.search(r"%\(([^()\s]*)$", where.before)
        if ref is not None and not where.bare:
            # in a reference already closed: the whole name is replaced, ")" kept
            rest = re.match(r"[^()\s]*\)", doc.line(line)[column - 1:])
            end = column + len(rest.group()) - 1 if rest else column
            replace = doc.span(line, column - len(ref.group(1)), end)
            return _placeholders(doc, line, ref.group(1), replace, rest is None)
        return _values(doc, line, column, where)
    return []


def _context(doc: _Doc, line: int, before: str) -> _Key | _Value | None:
    fmt = doc.analysis.format
    if fmt is Format.INI:
        return _ini_context(before)
    if fmt is Format.YAML:
        return _yaml_context(before, doc.analysis.assumptions.yaml_reader == "embedded")
    upto = "\n".join([*doc.lines[: line - 1], before])
    if fmt is Format.XML:
        return _xml_context(before, upto)
    return _json_context(upto, len(upto) - len(before))


def _ini_context(before: str) -> _Key | _Value | None:
    text = before.lstrip(" \t")
    if text.startswith((";", "#", "[")):
        return None
    key, eq, value = before.partition("=")
    if eq:
        lead = len(value) - len(value.lstrip(" \t"))
        return _Value(key.strip(" \t"), value[lead:], len(key) + 2 + lead)
    if _WORD.fullmatch(text):
        return _Key(text, len(before) - len(text) + 1)
    return None


def _yaml_context(before: str, embedded: bool) -> _Key | _Value | None:
    hash_at = before.find("#")
    if hash_at != -1 and (embedded or not before[:hash_at].strip()
                          or before[hash_at - 1] in " \t"):
        return None  # the embedded reader cuts every line at `#`
    m = re.fullmatch(r"( +)([\w.\-]*)", before)
    if m:  # top-level keys are sections
        return _Key(m.group(2), m.end(1) + 1)
    m = re.fullmatch(r" +([\w.\-]+):[ \t]+([\"']?)(.*)", before)
    if m:
        return _Value(m.group(1), m.group(3), m.start(3) + 1)
    return None


def _xml_context(before: str, upto: str) -> _Key | _Value | None:
    if upto.rfind("<!--") > upto.rfind("-->"):
        return None
    m = re.search(r"<([\w.\-]*)$", before)
    if m:
        return _Key(m.group(1), m.start(1) + 1)
    m = re.search(r"<([\w.\-]+)(?:\s[^<>]*)?(?<!/)>([^<]*)$", before)
    if m:
        return _Value(m.group(1), m.group(2), m.start(2) + 1)
    return None


def _json_context(upto: str, line_start: int) -> _Key | _Value | None:
    """Scan the JSON text up to the cursor: inside a key string, a value string, or at a
    bare value of an object member."""
    stack: list[tuple[str, str | None]] = []  # ("{" or "[", the member key it is the value of)
    key: str | None = None  # the last member key read at the innermost object
    expect_key = False
    i, n = 0, len(upto)
    while i < n:
        c = upto[i]
        if c == '"':
            j = i + 1
            while j < n and upto[j] != '"':
                j += 2 if upto[j] == "\\" else 1
            if j >= n:  # the cursor is inside this string
                if i < line_start:
                    return None
                partial, start = upto[i + 1:], i + 2 - line_start
                if stack and stack[-1][0] == "{" and expect_key:  # top-level keys: sections
                    return _Key(partial, start) if len(stack) > 1 and _WORD.fullmatch(
                        partial) else None
                owner = key if stack and stack[-1][0] == "{" else (stack[-1][1] if stack else None)
                return _Value(owner, partial, start) if owner is not None else None
            if stack and stack[-1][0] == "{" and expect_key:
                key = upto[i + 1:j]
            i = j + 1
            continue
        if c in "{[":
            stack.append((c, key))
            expect_key = c == "{"
        elif c in "}]":
            if stack:
                key = stack.pop()[1]
            expect_key = False
        elif c == ":":
            expect_key = False
        elif c == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        i += 1
    m = re.search(r":[ \t]*([a-z]*)$", upto)
    if m and stack and stack[-1][0] == "{" and not expect_key and key is not None \
            and m.start(1) >= line_start:
        return _Value(key, m.group(1), m.start(1) - line_start + 1, bare=True)
    return None


@cache
def _option_items(version: str, loaded: frozenset[str]) -> tuple[tuple[str, str, str, bool], ...]:
    """(name, detail, documentation, deprecated) of every option available to the target
    ``version`` with the default build and the ``loaded`` plugins, in uWSGI's table order."""
    catalog = load_catalog(version)
    order: dict[str, int] = {}
    for i, row in enumerate(catalog.options):
        order.setdefault(row.name, i)
    out = []
    for name in order:
        opt = catalog.get(name)
        if opt is None or not (opt.default_build or opt.plugin in loaded):
            continue
        where = "core" if opt.plugin == "core" else f"{opt.plugin} plugin"
        detail = f"{where}, {opt.value_kind or 'value'}"
        earlier = [a for a in _aliases(opt, catalog) if order.get(a, len(order)) < order[name]]
        if earlier:
            detail = f"alias of {earlier[0]}; {detail}"
        text = option_help(name) or ""
        out.append((name, detail, _plain(text), "deprecated" in text))
    return tuple(out)


def _options(doc: _Doc, partial: str, replace: Span) -> list[CompletionItem]:
    wanted = partial.lower().replace("_", "-")
    return [
        CompletionItem(name, "option", replace, detail, documentation, deprecated=old)
        for name, detail, documentation, old in _option_items(doc.catalog.target, _loaded(doc))
        if wanted in name
    ]


def _placeholders(doc: _Doc, line: int, partial: str, replace: Span,
                  close: bool) -> list[CompletionItem]:
    """The keys of the option list (``%(name)`` reads the first entry of any key, before or
    after this line), but the one being written when its first entry is this line (a
    value that reads itself hangs uWSGI)."""
    inst = doc.instance
    if inst is None:
        return []
    hidden = hidden_placeholders(inst)
    seen: set[str] = set()
    items: list[CompletionItem] = []
    for i, o in enumerate(inst.options):
        if o.key in seen:
            continue
        seen.add(o.key)
        itself = o.file == doc.analysis.path and o.span.start.line <= line <= o.span.end.line
        if itself or not o.key.startswith(partial):
            continue
        label = clean(o.key, KEY_LIMIT)
        items.append(CompletionItem(
            label, "placeholder", replace, detail=_where(doc, o),
            documentation=f"value: {_shown(inst, i, hidden)}",
            insert_text=label + ")" if close else None,
        ))
    return items


def _values(doc: _Doc, line: int, column: int, where: _Value) -> list[CompletionItem]:
    found = _enumeration(doc.catalog, where.key, where.before)
    if found is None:
        return []
    names, offset, suffix = found
    partial = where.before[offset:]
    replace = doc.span(line, where.start + offset, column)
    if where.bare:  # a JSON value outside a string: its literals, or a string
        return [CompletionItem(n, "value", replace, d,
                               insert_text=None if n in ("true", "false") else f'"{n}{suffix}"')
                for n, d in names if n.startswith(partial)]
    return [CompletionItem(n, "value", replace, d,
                           insert_text=n + suffix if suffix else None)
            for n, d in names if n.startswith(partial)]


def _enumeration(
    catalog: Catalog, key: str, before: str
) -> tuple[list[tuple[str, str]], int, str] | None:
    """The values uWSGI knows for ``key`` at this point of its value: (name, detail) pairs,
    where the word being typed starts in ``before``, and what follows a chosen name."""
    opt = catalog.get(key)
    if opt is None:
        return None
    if opt.value_kind in ("bool", "bool-inverted"):
        if " " in before:
            return None
        words = [(w, "read as true") for w in ON_WORDS]
        words += [(w, "read as false") for w in (*FALSE_WORDS, "0")]
        return words, 0, ""
    whole = {
        "cheaper-algo": ("cheaper-algos-list", "cheaper algorithm"),
        "loop": ("loops-list", "loop engine"),
        "clock": ("clocks-list", "clock source"),
    }
    if key in whole and " " not in before:
        listed, what = whole[key]
        return [(n, what) for n in binary_list(listed)], 0, ""
    if key in ("protocol", "socket-protocol") and " " not in before:
        return [(p, "socket protocol") for p in PROTOCOLS], 0, ""
    if key == "emperor" and "://" not in before:
        return ([(f"{n}://", "imperial monitor") for n in binary_list("imperial-monitors-list")],
                0, "")
    if key in ("logger", "req-logger", "logger-req"):
        # [id ]plugin[:args] (core/logging.c: setup_choosen_logger())
        m = re.fullmatch(r"(?:[A-Za-z0-9]+ )?([^ :]*)", before)
        if m is None:
            return None
        return [(n, "logger") for n in binary_list("loggers-list")], m.start(1), ""
    if key == "alarm":  # name plugin:args (core/alarm.c: uwsgi_alarms_init())
        m = re.fullmatch(r"\S+ ([^ :]*)", before)
        if m is None:
            return None
        return [(n, "alarm") for n in binary_list("alarms-list")], m.start(1), ":"
    if opt.handler == "uwsgi_opt_add_route" and not key.endswith("-label"):
        # core/routing.c: uwsgi_opt_add_route(): "subject action:args", "-run": "action:args"
        pattern = r"([^ :]*)" if key.endswith("-run") else r"\S+ ([^ :]*)"
        m = re.fullmatch(pattern, before)
        if m is None:
            return None
        return [(n, "route action") for n in binary_list("routers-list")], m.start(1), ":"
    return None


# -- go to definition ---------------------------------------------------------------------


def definition(analysis: Analysis, line: int, column: int) -> list[Span]:
    """Where ``%(name)`` is set, the file an include reads, or a vassal's Emperor."""
    if analysis.format is Format.PYTHON:
        return []
    doc = _doc(analysis)
    inst, cfg = doc.instance, doc.file
    if inst is None or cfg is None:
        return []
    pos = Position(line, column)
    found = _reference_at(doc, pos)
    if found is not None:
        d, token, span = found
        at = _entry(inst, d)
        if token.startswith("%(") and at is not None:
            first = _first(inst, _name(d, token, span))
            return [inst.options[first].span] if first is not None else []
        if token.startswith("@(") and at is not None:
            return _file_read(doc, inst, _name(d, token, span))
    for d in _directives(cfg):
        if d.file == analysis.path and _inside(d.value_span, pos):
            return _included(doc, inst, d)
    if inst.monitor is not None and inst.root.path == analysis.path and _on_header(cfg, line):
        return [inst.monitor.directive.span]
    return []


def _included(doc: _Doc, inst: Instance, d: Directive) -> list[Span]:
    opt = doc.catalog.get(d.key)
    if opt is None or opt.value_kind != "include":
        return []
    for o in inst.options:  # the first entry the include added names its file
        if any(origin.span == d.span for origin in o.origin):
            return [_start_of(o.file)]
    explicit = d.key not in ("include", "inherit")
    name = split_section(d.effective)[0] if explicit else d.effective
    return _file_read(doc, inst, name)


def _file_read(doc: _Doc, inst: Instance, name: str) -> list[Span]:
    """The file ``name`` (relative to uWSGI's working directory) when the instance read
    it, or it exists inside the linted tree (nothing outside is looked at)."""
    if not name or scheme_of(name) is not None:
        return []
    path = os.path.abspath(os.path.join(inst.cwd, name))
    if any(os.path.abspath(f.path) == path for f in inst.files):
        return [_start_of(path)]
    if any(u.target in (name, f"@({name})") for u in inst.unread):
        return []
    inside = fs.Boundary(doc.analysis.read_roots()).contains(path)
    return [_start_of(path)] if inside and os.path.isfile(path) else []


def _start_of(path: str) -> Span:
    return Span(path, Position(1, 1), Position(1, 1))


def _on_header(cfg: ConfigFile, line: int) -> bool:
    """``line`` is a section header of ``cfg`` (the first line when it has none)."""
    headers = [s.span for s in cfg.sections if s.span is not None]
    if not headers:
        return line == 1
    return any(h.start.line <= line <= h.end.line for h in headers)


# -- document symbols ---------------------------------------------------------------------


def symbols(analysis: Analysis) -> list[Symbol]:
    """One symbol per section of the document, its options (as written) as children."""
    doc = _doc(analysis)
    if doc.file is None:
        return []
    return [_section_symbol(doc, s) for s in doc.file.sections]


def _section_symbol(doc: _Doc, section: Section) -> Symbol:
    known = doc.catalog
    children = [
        Symbol(
            name=clean(d.key, KEY_LIMIT) or "(empty key)",
            kind="option",
            span=d.span,
            # a JSON list item's key is written once, before the item
            selection=d.key_span if d.span.start <= d.key_span.start else d.span,
            detail=clean(masked(d.key, d.value, option=d.key in known), SHORT),
        )
        for d in section.directives()
        if d.file == doc.analysis.path
    ]
    if section.span is None:
        last = len(doc.lines)
        whole = Span(doc.analysis.path, Position(1, 1),
                     Position(last, len(doc.lines[-1]) + 1))
        selection = children[0].selection if children else _start_of(doc.analysis.path)
        return Symbol("(before any section)", "section", whole, selection, children=children)
    end = max([section.span.end, *(c.span.end for c in children)])
    return Symbol(
        name=clean(section.name, KEY_LIMIT) or "(empty name)",
        kind="section",
        span=Span(section.span.file, section.span.start, end),
        selection=section.span,
        children=children,
    )

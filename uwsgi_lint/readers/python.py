"""uwsgiconf Python configs: the INI text uWSGI would be given, read statically.

``uwsgiconf run`` starts ``uwsgi --ini "exec://python uwsgicfg.py --conf ALIAS"``: uWSGI
reads the INI text the module prints for that configuration (``utils.py:
ConfModule.spawn_uwsgi``), magic variables and all.  This reader builds that text without
running the module (:func:`uwsgi_lint.uwsgiconf.evaluate.evaluate`), formats it as
uwsgiconf's ``IniFormatter`` does, and reads it with the INI reader, so every rule sees
what uWSGI sees; every position is mapped back to the ``.py`` argument or call that wrote
the option (:class:`CompiledText`).  A value only running the file would give is written
as ``<unknown: EXPR>`` and recorded as unresolved; a line written under an ``if`` that
cannot be decided here is kept, undecided (:data:`~uwsgi_lint.readers.common.PY_CONDITIONAL`).

The first configuration of the module is the instance (``uwsgiconf run`` starts each; the
others are named in a UW609 note).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace

from ..magic import MagicTable, substitute
from ..model import ConfigFile, Format, Position, Problem, Span
from ..source import Expanded, LineIndex
from ..uwsgiconf.model import Compiled, CompiledConfiguration, Emission, Unknown, unknown_text
from .common import PY_CONDITIONAL, PY_NOTE

NOT_FOLLOWED = "UW609"


@dataclass(frozen=True, slots=True)
class _Line:
    """Where one rendered line sits in the INI text, and what wrote it."""

    start: int
    key_end: int
    value_start: int
    end: int
    emission: Emission | None  # None: a section header
    header: Span


def render(configuration: CompiledConfiguration) -> tuple[str, list[_Line]]:
    """``IniFormatter.format()``: ``\\n[name]`` before each run of a section's options,
    ``key = value`` lines, joined by newlines (an empty section prints nothing)."""
    chunks: list[str] = []
    lines: list[_Line] = []
    at = 0  # where the next chunk starts
    last = ""
    for section in configuration.sections:
        for e in section.emissions:
            if section.name != last:
                header = f"\n[{section.name}]"
                lines.append(_Line(at + 1, at + len(header), at + len(header),
                                   at + len(header), None, section.span))
                chunks.append(header)
                at += len(header) + 1
                last = section.name
            value = unknown_text(e.value) if isinstance(e.value, Unknown) else e.value
            line = f"{e.key} = {value}"
            lines.append(_Line(at, at + len(e.key), at + len(e.key) + 3, at + len(line), e,
                               section.span))
            chunks.append(line)
            at += len(line) + 1
    return "\n".join(chunks), lines


class CompiledText(Expanded):
    """The rendered INI text after magic substitution; positions point into the ``.py``
    file (its line index is the module's, so suppression comments and fixes work on it)."""

    __slots__ = ("_lines", "_starts", "py_path")

    def __init__(self, exp: Expanded, lines: list[_Line], py_source: str) -> None:
        super().__init__(exp.text, exp.source, exp._segs, exp.path, exp.unresolved)
        self.lines = LineIndex(py_source)
        self._lines = lines
        self._starts = [ln.start for ln in lines]

    def line_at(self, offset: int) -> _Line | None:
        """The rendered line a source offset of the INI text lies on."""
        i = bisect_right(self._starts, offset) - 1
        return self._lines[i] if i >= 0 else None

    def span(self, start: int, end: int) -> Span:
        s = self.src_start(start)
        e = self.src_end(end) if end > start else s
        line = self.line_at(s)
        if line is None:
            return Span(self.path, Position(1, 1), Position(1, 1))
        em = line.emission
        if em is None:
            return line.header
        if e <= line.key_end:
            return em.key_span
        if s >= line.value_start:
            return em.value_span
        return em.span


def parse(source: str, path: str, table: MagicTable, openers: frozenset[str],
          section: str) -> ConfigFile:
    """Read the uwsgiconf module ``source`` as uWSGI reads what it prints; never raises."""
    from . import ini

    compiled, found = _read(source, path)
    problems = list(found)
    cfg = ConfigFile(path=path, format=Format.PYTHON, comments=list(compiled.comments))
    if compiled.configurations:
        first, *others = compiled.configurations
        text, lines = render(as_run(first) if compiled.configured else first)
        exp = CompiledText(substitute(text, table, path), lines, source)
        read = ini.parse(exp, openers, section)
        for sec in read.sections:
            for d in sec.directives():
                line = exp.line_at(exp.src_start(d.loc.key_start))
                em = line.emission if line is not None else None
                if em is None:
                    continue
                d.note = _note(em)
                if isinstance(em.value, Unknown):
                    d.unresolved = (*d.unresolved, em.value.text)
        cfg.sections = read.sections
        problems.extend(read.problems)
        for other in others:
            problems.append(Problem(
                NOT_FOLLOWED,
                f"configuration `{other.alias}` is not checked: uwsgi-lint checks the first "
                f"configuration of a module (`{first.alias}`)",
                other.span,
            ))
    cfg.problems = problems
    return cfg


def as_run(configuration: CompiledConfiguration) -> CompiledConfiguration:
    """What ``configure_uwsgi()`` prints when uWSGI runs the module with ``--conf ALIAS``
    (``config.py``): ``set-placeholder = config-alias=ALIAS`` added to the first section,
    then the stamp (two ``print`` lines; the version and time are the server's), each
    with the lines of its key when the section has it already, as uwsgiconf's option
    dict keeps them."""
    if not configuration.sections:
        return configuration
    head, *rest = configuration.sections
    where = configuration.span
    why = "added by configure_uwsgi() when uWSGI runs the module"
    added = [
        Emission("set-placeholder", f"config-alias={configuration.alias}", where, where, where,
                 implicit=why),
        Emission("print", ">   This configuration was automatically generated using", where,
                 where, where, implicit=why),
        Emission("print", Unknown("uwsgiconf version and time", "the server's",
                                  ">   uwsgiconf v<unknown: version> on <unknown: time>"),
                 where, where, where, implicit=why),
    ]
    emissions = list(head.emissions)
    for new in added:
        at = max((i for i, e in enumerate(emissions) if e.key == new.key), default=None)
        emissions.insert(len(emissions) if at is None else at + 1, new)
    return replace(configuration, sections=[replace(head, emissions=emissions), *rest])


def _read(source: str, path: str) -> tuple[Compiled, list[Problem]]:
    """The module's static reading and its own findings, once per run for each text (an
    `ini = :section` of the module reads it again: the same text gives the same answer)."""
    from .. import session

    active = session.current()
    key = ("uwsgiconf", path, source)
    if active is not None and key in active.compiled:
        return active.compiled[key]
    from ..uwsgiconf.evaluate import evaluate  # libcst: only when a .py file is linted

    compiled = evaluate(source, path)
    problems = list(compiled.problems)
    problems.extend(
        Problem(NOT_FOLLOWED, f"uwsgi-lint does not model what `{'.'.join(c.path)}()` writes: "
                "its options are not checked", c.name_span)
        for c in compiled.calls if c.not_modelled)
    problems.extend(_checks(compiled))
    if active is not None:
        active.compiled[key] = (compiled, problems)
    return compiled, problems


def _note(em: Emission) -> str:
    """Where a directive of this file came from (``from ...``: no INI text fix on it)."""
    note = PY_NOTE if em.condition is None else PY_CONDITIONAL + em.condition
    return note if not em.implicit else f"{note} ({em.implicit})"


def _checks(compiled: Compiled) -> list[Problem]:
    """The uwsgiconf-specific findings (UW601-UW608)."""
    if compiled.module is None or not compiled.is_uwsgiconf:
        return []
    from ..uwsgiconf import checks

    try:
        return checks.check(compiled, checks.find_pin(compiled.path))
    except Exception as exc:  # a bug here must not hide what the other rules find
        span = Span(compiled.path, Position(1, 1), Position(1, 1))
        return [Problem(NOT_FOLLOWED, f"uwsgi-lint could not check this module's uwsgiconf "
                        f"calls ({type(exc).__name__}): a bug in uwsgi-lint, please report it",
                        span)]


def static_ini(path: str) -> list[tuple[str, str]]:
    """Each configuration of the module at ``path`` as ``(alias, INI text)``, exactly as
    ``Configuration.format(stamp=False)`` prints it where every value is known (an unknown
    one is ``<unknown: EXPR>``); for the differential test against uwsgiconf."""
    from ..source import decode
    from ..uwsgiconf.evaluate import evaluate

    with open(path, "rb") as fh:
        source = decode(fh.read())
    return [(c.alias, render(c)[0]) for c in evaluate(source, path).configurations]


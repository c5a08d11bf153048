"""Reading a config source into the option list, as uWSGI's loaders do
(``core/uwsgi.c: uwsgi_opt_load_ini()`` ..., and ``uwsgi_opt_load()`` that picks one by
suffix for ``include`` and ``inherit``): the file, or ``file:section``, a loader names,
then each of its entries added in order.  Includes nest, so this is where a cycle, a
missing file or a path that means another file next to the includer is found; a scheme
(``exec://`` ...), a file outside the linted tree or a deployment directory this machine
lacks is recorded as unread, never opened."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from .. import fs
from ..magic import MagicTable
from ..model import ConfigFile, Directive, Format, Origin, Problem, Unread
from ..readers import buffer_for, config_format, format_for, read_file
from ..readers.common import PY_CONDITIONAL
from .logic import logic_openers
from .options import OptionList

SCHEMES = ("exec", "http", "https", "fd", "data", "sym", "section", "call", "callint", "emperor")
LOADERS: dict[str, Format | None] = {
    "uwsgi_opt_load_ini": Format.INI,
    "uwsgi_opt_load_xml": Format.XML,
    "uwsgi_opt_load_yml": Format.YAML,
    "uwsgi_opt_load_json": Format.JSON,
    "uwsgi_opt_load": None,  # include / inherit: by suffix
}
# options whose files are joined around every config file read after them (magic.py)
INJECT = ("inject-before", "inject-after")
MAX_INCLUDE_DEPTH = 64
# problem codes (the rules that report them): a file to include is missing (uWSGI exits
# while reading), an include cycle, a relative include that means another file here
INCLUDE_MISSING, INCLUDE_CYCLE, INCLUDE_RELATIVE = "UW020", "UW021", "UW023"


def split_section(arg: str) -> tuple[str, str | None]:
    """``file:section`` as an explicit loader splits it (scheme URLs: after the last ``/``)."""
    start = arg.rfind("/") + 1 if "://" in arg else 0
    colon = arg.rfind(":", start)
    if colon == -1:
        return arg, None
    return arg[:colon], arg[colon + 1 :]


def split_target(arg: str) -> tuple[str, str | None]:
    """A path given on the command line: the whole of it when it names a file (or a
    standard-input buffer), even with a ``:`` in its name; else ``file:section`` as
    :func:`split_section` splits it."""
    if os.path.lexists(arg) or buffer_for(arg) is not None:
        return arg, None
    return split_section(arg)


def scheme_of(arg: str) -> str | None:
    head, sep, _ = arg.partition("://")
    return head if sep and head in SCHEMES else None


class Loader:
    """Reads sources into ``lst`` through ``add`` (which applies what it adds: an
    included file's own includes are read before its next entry)."""

    def __init__(self, lst: OptionList, add: Callable[[Directive, bool], None]) -> None:
        self.lst = lst
        self.add = add
        self.files: list[ConfigFile] = []
        self.first: MagicTable | None = None
        self.last_ini: str | None = None
        self.origin: tuple[Origin, ...] = ()
        self.stack: list[tuple[str, str]] = []
        self.openers = logic_openers(lst.catalog)
        self.injected: list[Directive] = []  # the inject-before/-after entries applied
        self._texts: dict[int, tuple[str, bytes] | None] = {}  # id(entry) -> its file

    def load(
        self,
        arg: str,
        fmt: Format | None,
        by: Directive | None,
        explicit: bool,
        path: str | None = None,
        whole: bool = False,
    ) -> None:
        """Load ``arg`` as the loader ``fmt`` would (``None``: by suffix), asked for by ``by``;
        with ``whole``, ``arg`` is a file's name as it is (no ``:section`` in it)."""
        lst = self.lst
        if by is not None and not arg:
            return lst.fatal(by, f"'{by.key}' names no file")
        scheme = scheme_of(arg)
        if scheme is not None:
            if by is not None:
                lst.unread.append(Unread(by, arg, f"{scheme}:// is never executed or fetched"))
            return None
        name, section = split_section(arg) if explicit and not whole else (arg, None)
        given = name  # %o, and the loader's own list entry while it reads: `:section` cut off
        if fmt is None and by is None:
            fmt = config_format(name)  # a uwsgiconf module linted: `--ini exec://...`
        if fmt is None and by is not None:
            fmt = format_for(arg)
            if fmt is None:
                return lst.fatal(by, f"uWSGI cannot load '{arg}': unknown config suffix")
        if name == "" and by is not None and not (fmt is Format.INI and self.last_ini):
            return self._no_file(by, arg, section or "", fmt)
        if name == "" and fmt is Format.INI and self.last_ini:
            name = path = self.last_ini  # `ini = :section`: the last INI file read
            if path.endswith(".py"):  # uwsgiconf's `exec://` INI: printed again
                fmt = Format.PYTHON
        path = os.path.abspath(path or os.path.join(lst.cwd, name))
        if by is not None and len(self.stack) >= MAX_INCLUDE_DEPTH:
            return lst.fatal(
                by, "includes nest too deep (uWSGI recurses until it crashes)", INCLUDE_CYCLE
            )
        if by is not None and (path, section or "uwsgi") in self.stack:
            return lst.fatal(
                by, f"'{arg}' includes itself (uWSGI recurses until it crashes)", INCLUDE_CYCLE
            )
        if by is not None and not fs.inside(path):
            # the server's file (/etc/uwsgi/base.ini), or a path or symlink leaving the
            # tree: deployment-only, whether or not this machine has such a file
            lst.unread.append(Unread(by, arg, fs.OUTSIDE))
            return None
        beside = self._beside(by, name, path)
        if by is not None and os.path.isabs(name) and not os.path.isdir(os.path.dirname(path)):
            # a deployment path (/etc/uwsgi/...) whose directory this machine does not have
            lst.unread.append(Unread(by, arg, f"{os.path.dirname(path)} is not on this machine"))
            return None
        if by is not None and not os.path.exists(path):
            lst.unread.append(Unread(by, arg, "file not found"))
            hint = f"; it exists next to this file: write %d{name}" if beside else ""
            return lst.fatal(
                by,
                f"cannot open '{arg}': no such file{hint}",
                INCLUDE_MISSING,
                "Relative paths are resolved against uWSGI's working directory, "
                f"{lst.cwd}.",
            )
        if beside and by is not None:
            lst.problems.append(Problem(
                INCLUDE_RELATIVE,
                f"uWSGI reads `{name}` relative to its working directory, not next to this "
                f"file; write %d{name} to mean the one next to it",
                by.span,
                f"uWSGI reads {path} (its working directory is {lst.cwd}), not {beside}."))
        if fmt in (Format.INI, Format.PYTHON):
            self.last_ini = path
        first = self.first
        # the list entry of this loader: `by` (an immediate option, just added) or the
        # command line's own (None)
        entry = None
        if by is not None and lst.options and lst.options[-1] is by:
            entry = len(lst.options) - 1
        cfg = read_file(
            path,
            openers=self.openers,
            config_arg=given,
            section=section or "uwsgi",
            explicit_section=section or "",
            host=lst.assume.host,
            first=self.first,
            fmt=fmt,
            yaml_reader=lst.assume.yaml_reader,
            on_table=self._remember_first if explicit else None,
            cache=by is not None,  # included files are copied below, never changed
            inject=self._inject(),
        )
        self.files.append(cfg)
        lst.problems.extend(cfg.problems)
        # uWSGI's xml loader restores the ':' over the first letter of the id, and the
        # embedded YAML one returns at the end of its section without restoring it: their
        # list entry stays cut (so does %O, %X of the first file, for the files read later)
        cut = section is not None and (
            fmt is Format.XML
            or (fmt is Format.YAML and lst.assume.yaml_reader != "libyaml" and cfg.ended_early))
        sec = cfg.section(section or "uwsgi")
        if sec is not None:
            self._list(by, entry, given)
            self.stack.append((path, section or "uwsgi"))
            saved = self.origin
            if by is not None:
                self.origin = (*by.origin, Origin(by.key, by.span, arg))
            for d in sec.directives():
                # a line a uwsgiconf module writes under an `if` undecided here
                decided = not d.note.startswith(PY_CONDITIONAL)
                self.add(replace(d, origin=self.origin) if self.origin else d, decided)
            self.origin = saved
            self.stack.pop()
        self._list(by, entry, given if cut else arg)
        if first is None and self.first is not None:
            self.first.values["o"] = given if cut else arg
            if cut and fmt is Format.XML and section:
                self.first.values["x"] = ":" + section[1:]
        return None

    def _inject(self) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
        """The ``(path, bytes)`` of the files ``inject-before`` and ``inject-after`` name
        (``core/io.c: uwsgi_open_and_read()`` opens them for every config file, relative
        to the working directory); what is not read here is recorded once."""
        out: tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]] = ([], [])
        for d in self.injected:
            if id(d) not in self._texts:
                self._texts[id(d)] = self._injected_file(d)
            got = self._texts[id(d)]
            if got is not None:
                out[d.key == "inject-after"].append(got)
        return out

    def _injected_file(self, d: Directive) -> tuple[str, bytes] | None:
        lst = self.lst
        scheme = scheme_of(d.value)
        if scheme is not None:
            lst.unread.append(Unread(d, d.value, f"{scheme}:// is never executed or fetched"))
            return None
        path = os.path.abspath(lst.path(d.value))
        if not fs.inside(path):
            lst.unread.append(Unread(d, d.value, fs.OUTSIDE))
            return None
        try:
            return path, fs.read_regular(path)
        except fs.Unreadable as exc:
            if os.path.lexists(path):
                lst.unread.append(Unread(d, d.value, str(exc)))
                return None
        lst.unread.append(Unread(d, d.value, "file not found"))
        lst.fatal(d, f"cannot open '{d.value}': no such file (uWSGI opens it for every config "
                  "file it reads after this line)", INCLUDE_MISSING,
                  f"Relative paths are resolved against uWSGI's working directory, {lst.cwd}.")
        return None

    def _list(self, by: Directive | None, entry: int | None, value: str) -> None:
        """What the list entry of the loader reading now holds: ``by``'s (at ``entry``),
        or the command line's own entry."""
        lst = self.lst
        if by is None:
            if lst.command is not None:
                lst.command.value = value
        elif entry is not None:
            if value == by.value:
                lst.listed.pop(entry, None)
            else:
                lst.listed[entry] = value

    def _no_file(self, by: Directive, arg: str, section: str, fmt: Format | None) -> None:
        """``json = :name``: only the INI loader takes a bare ``:section`` (from the last
        INI file read); the others open "" and exit, and an INI one with no INI file read
        before crashes."""
        if fmt is Format.INI:
            return self.lst.fatal(
                by, f"'{by.key} = {arg}': no INI file was read before it, so uWSGI crashes "
                "(a bare `:section` reads the last INI file read); name the file")
        return self.lst.fatal(
            by, f"cannot open '': `{by.key} = {arg}` names no file (only `ini = :{section}` "
            "reads a section of the last INI file); write the file's name before the ':'",
            INCLUDE_MISSING,
            f"uWSGI's {by.key} loader opens the empty name and exits with 'open(\"\"): No such "
            "file or directory'.")

    def _beside(self, by: Directive | None, name: str, path: str) -> str | None:
        """The file a relative ``name`` names next to the including file, when that is
        not the one uWSGI reads (it resolves against its working directory)."""
        if by is None or os.path.isabs(name) or not name:
            return None
        other = os.path.abspath(os.path.join(os.path.dirname(by.file), name))
        return other if other != path and fs.inside(other) and os.path.exists(other) else None

    def _remember_first(self, table: MagicTable) -> None:
        if self.first is None:
            self.first = table

    def inherits(self) -> None:
        """``inherit``: ``uwsgi_opt_load()`` when ``core/config.c: uwsgi_configure()``
        applies it, after the passes: what it reads is added as it is (configured), and
        an ``inherit`` among it is applied in turn."""
        lst = self.lst
        inherited: set[int] = set()  # read by an inherit: applied, so never expanded
        i = 0
        while i < len(lst.options):
            d = lst.options[i]
            if d.key == "inherit" and (not lst.configured[i] or i in inherited):
                lst.configured[i] = True
                inherited.discard(i)
                if any(r.startswith(("$(", "@(")) for r in d.unresolved):
                    # its name comes from the environment or a command, file or URL not
                    # read here (the @() pass recorded that one): uWSGI loads what it gives
                    if not any(u.directive is d for u in lst.unread):
                        lst.unread.append(Unread(d, d.effective, "its name depends on the "
                                                 "environment uWSGI starts in"))
                    i += 1
                    continue
                if not lst.budget.spend("includes"):
                    return lst.stop(d, "includes")
                start = len(lst.options)
                self.load(d.effective, None, d, explicit=False)
                for k in range(start, len(lst.options)):
                    if not lst.configured[k]:  # an `inherit` in it is followed in turn
                        inherited.add(k)
                    lst.configured[k] = True
                    value = lst.options[k].value
                    lst.options[k] = replace(lst.options[k], expanded=lst.listed.get(k, value))
            i += 1

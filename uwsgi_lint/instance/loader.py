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
from ..readers import buffer_for, format_for, read_file
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

    def __init__(self, lst: OptionList, add: Callable[[Directive], None]) -> None:
        self.lst = lst
        self.add = add
        self.files: list[ConfigFile] = []
        self.first: MagicTable | None = None
        self.last_ini: str | None = None
        self.origin: tuple[Origin, ...] = ()
        self.stack: list[tuple[str, str]] = []
        self.openers = logic_openers(lst.catalog)

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
        if fmt is None and by is not None:
            fmt = format_for(arg)
            if fmt is None:
                return lst.fatal(by, f"uWSGI cannot load '{arg}': unknown config suffix")
        if name == "" and fmt is Format.INI and self.last_ini:
            name = path = self.last_ini  # `ini = :section`: the last INI file read
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
        if fmt is Format.INI:
            self.last_ini = path
        cfg = read_file(
            path,
            openers=self.openers,
            config_arg=arg,
            section=section or "uwsgi",
            explicit_section=section or "",
            host=lst.assume.host,
            first=self.first,
            fmt=fmt,
            yaml_reader=lst.assume.yaml_reader,
            on_table=self._remember_first if explicit else None,
            cache=by is not None,  # included files are copied below, never changed
        )
        self.files.append(cfg)
        lst.problems.extend(cfg.problems)
        sec = cfg.section(section or "uwsgi")
        if sec is None:
            return None
        self.stack.append((path, section or "uwsgi"))
        saved = self.origin
        if by is not None:
            self.origin = (*by.origin, Origin(by.key, by.span, arg))
        for d in sec.directives():
            self.add(replace(d, origin=self.origin) if self.origin else d)
        self.origin = saved
        self.stack.pop()
        return None

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
        applies it, after the passes: what it reads is added as it is (configured)."""
        lst = self.lst
        i = 0
        while i < len(lst.options):
            d = lst.options[i]
            if d.key == "inherit" and not lst.configured[i]:
                lst.configured[i] = True
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
                    lst.configured[k] = True
                    lst.options[k] = replace(lst.options[k], expanded=lst.options[k].value)
            i += 1

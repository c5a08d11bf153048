"""Build an instance in uWSGI's order: the options given before the file, the file, the
options given after it (what an Emperor passes a vassal), each added as
``core/config.c: add_exported_option_do()`` adds it; then the passes
(``core/utils.c: uwsgi_apply_config_pass()``), then ``inherit``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from ..catalog import Catalog, load_catalog
from ..model import ConfigFile, Directive, Format, Instance
from ..readers import format_for
from . import Assumptions
from .loader import INJECT, LOADERS, Loader, split_section, split_target
from .logic import Logic
from .options import CommandEntry, OptionList
from .passes import run_passes


class _Builder:
    """``add_exported_option_do()``: a line of an open logic block goes to the block;
    any other entry is appended, and an immediate option is applied at once (a loader
    reads its file, a logic opener opens a block, ``set`` adds the entry it names)."""

    def __init__(self, root: str, assume: Assumptions, catalog: Catalog) -> None:
        self.lst = OptionList(root, assume, catalog)
        self.loader = Loader(self.lst, self.add)
        self.logic = Logic(self.lst, self.add)

    def add(self, d: Directive, decided: bool = True, placeholder: bool = False) -> None:
        lst = self.lst
        if lst.stopped:
            return None
        if lst.clock.expired():
            return lst.stop(d, "seconds")
        if self.logic.take(d):
            return None
        if not lst.append(d, placeholder, decided):
            return None
        if placeholder:
            if d.key in lst.catalog:
                lst.fatal(d, f"you cannot use {d.key} as a placeholder, it is already an option")
            return None
        opt = lst.catalog.get(d.key)
        if opt is not None and opt.immediate:
            lst.configured[-1] = True
            self.immediate(opt.handler, opt.value_kind, d)
        return None

    def immediate(self, handler: str, kind: str | None, d: Directive) -> None:
        if handler in LOADERS and d.key != "inherit":
            if not self.lst.budget.spend("includes"):  # a fan-out DAG multiplies the copies
                return self.lst.stop(d, "includes")
            self.loader.load(d.value, LOADERS[handler], d, explicit=handler != "uwsgi_opt_load")
        elif d.key in INJECT:
            self.loader.injected.append(d)
        elif kind == "logic-open":
            self.logic.open(d)
        elif kind == "assignment" and handler == "uwsgi_opt_set_placeholder":
            key, eq, value = d.value.partition("=")
            if not eq:
                return self.lst.fatal(d, "invalid placeholder/--set value (no '=')")
            ph = d.key != "set"
            self.add(replace(d, key=key, value=value, note=f"from {d.key}"), placeholder=ph)
        return None


def _loader_key(fmt: Format | None) -> str:
    """The option uWSGI's command line loads a config of ``fmt`` with (a uwsgiconf module
    is given as ``--ini exec://...``)."""
    if fmt is None:
        return ""
    return "ini" if fmt is Format.PYTHON else fmt.value


def build_instance(
    path: str,
    assume: Assumptions | None = None,
    *,
    config_arg: str | None = None,
    fmt: Format | None = None,
    before: Sequence[Directive] = (),
    after: Sequence[Directive] = (),
) -> Instance:
    """Read ``path`` (``file`` or ``file:section``) as ``uwsgi --<format> path`` would.

    ``before``/``after`` are command-line options around the file (what an Emperor passes
    a vassal: ``--inherit``, ``--include``, ``--set``), applied as uWSGI applies argv.
    """
    assume = assume or Assumptions()
    catalog = load_catalog(assume.version)
    # a command-line path is a file's name when such a file exists; a vassal's name is
    # split as the Emperor's `uwsgi --ini NAME` splits it
    name, section = split_section(path) if config_arg else split_target(path)
    b = _Builder(name, assume, catalog)
    files, lst = b.loader.files, b.lst
    fmt = fmt or format_for(name)
    for d in before:
        b.add(d)
    root_index = len(files)
    # `uwsgi --ini FILE` lists `ini = FILE` before the file's options (not kept here)
    lst.command = CommandEntry(_loader_key(fmt), config_arg or path, len(lst.options))
    b.loader.load(config_arg or path, fmt, None, explicit=True, path=os.path.abspath(name),
                  whole=config_arg is None and section is None)
    if not lst.command.key and root_index < len(files):
        lst.command.key = _loader_key(files[root_index].format)  # read by its content
    for d in after:
        b.add(d)
    if root_index < len(files):
        files.insert(0, files.pop(root_index))  # the instance's own file comes first
    root = files[0] if files else ConfigFile(path=name, format=fmt or Format.INI)
    run_passes(lst)
    b.loader.inherits()
    return Instance(
        root=root,
        files=files,
        options=lst.options,
        problems=lst.problems,
        unread=lst.unread,
        conditional=lst.conditional,
        cwd=lst.cwd,
    )

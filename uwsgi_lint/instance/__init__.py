"""Build an instance: the option list uWSGI assembles from a config, with every value
expanded the way uWSGI expands it and every entry pointing back at what the user wrote.

Mirrors ``core/config.c: add_exported_option_do()`` (logic blocks, immediate options,
includes, ``set``), then ``core/utils.c: uwsgi_apply_config_pass()`` for ``$()``, ``@()``
and ``%()``, then ``inherit``.  Nothing a config names is executed or fetched: schemes
(``exec://``, ``http://`` ...) and unknown environment values are recorded as unresolved.

Read it in pipeline order:

* :mod:`.options`: the option list being assembled, its problems and its budget;
* :mod:`.loader`: a config source and what it includes (``ini =``, ``include``,
  ``inherit``), cycles, missing files, the linted tree's boundary;
* :mod:`.logic`: config logic blocks (``if-*``, ``for-*``, ``end``);
* :mod:`.passes`: the ``$()``, ``@()`` and ``%()`` passes (numbers read by :mod:`.cnum`);
* :mod:`.build`: :func:`~.build.build_instance`, which runs them in uWSGI's order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..magic import Host


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What is known about where the config will run; ``None`` means unknown."""

    env: Mapping[str, str] | None = None
    cwd: str | None = None  # the process cwd; default: the root file's directory
    host: Host = field(default_factory=Host)
    plugins: frozenset[str] | None = None  # loaded plugins; None: the default build's
    reloading: bool = False
    yaml_reader: str = "embedded"
    version: str = "2.0"
    # where the instances run when the tree does not show it (:mod:`uwsgi_lint.deploy`):
    # "auto" (nothing assumed), "container" or "host" (started as root, outside containers)
    context: str = "auto"
    container: bool = False  # deprecated spelling of context="container" (with "auto" only)

    @property
    def where(self) -> str:
        """The deployment context asked for: ``context``, the deprecated ``container=True``
        read as ``"container"`` when ``context`` is left at ``"auto"``."""
        return "container" if self.container and self.context == "auto" else self.context


AssumeFor = Callable[[str], Assumptions]
"""What each file is read with (by its path): its closest settings' target version, YAML
reader, plugins and context, over the command line's (see ``engine.FileAssumptions``)."""


def per_file(assume: Assumptions | AssumeFor) -> AssumeFor:
    """``assume`` as a function of the file: the same Assumptions for every file when one
    is given."""
    if isinstance(assume, Assumptions):
        return lambda _path: assume
    return assume


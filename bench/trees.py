"""The generated configs the benchmark reads: vassals in four formats, and an Emperor.

``flat(root, n)``: ``root/vassals/`` with n vassals, the four formats in turn.
``emperor(root, n)``: the same vassals, the INI, XML and JSON ones each including one of
three shared INI snippets (``root/snippets/``), and ``root/emperor.ini`` whose
``emperor`` option points at them.  (The YAML ones include nothing: ``ini: %d...``, as
uWSGI reads it, is no valid YAML for the bare read's PyYAML, and quoted it would be
another path for uWSGI's embedded YAML reader.)
"""

from __future__ import annotations

from pathlib import Path

INI = """[uwsgi]
; vassal {i}
{include}chdir = /srv/app{i}
module = app{i}.wsgi:application
socket = /run/uwsgi/%n.sock
chmod-socket = 660
processes = 4
threads = 2
harakiri = 30
max-requests = 1000
vacuum = true
env = APP_ID={i}
logto = /var/log/uwsgi/%n.log
"""
YAML = """uwsgi:
  chdir: /srv/app{i}
  module: app{i}.wsgi:application
  socket: /run/uwsgi/%n.sock
  processes: 4
  threads: 2
  harakiri: 30
  max-requests: 1000
  vacuum: true
  env: APP_ID={i}
"""
XML = """<uwsgi>
{include}  <chdir>/srv/app{i}</chdir>
  <module>app{i}.wsgi:application</module>
  <socket>/run/uwsgi/%n.sock</socket>
  <processes>4</processes>
  <threads>2</threads>
  <harakiri>30</harakiri>
  <max-requests>1000</max-requests>
  <vacuum/>
  <env>APP_ID={i}</env>
</uwsgi>
"""
JSON = """{{"uwsgi": {{{include}"chdir": "/srv/app{i}", "module": "app{i}.wsgi:application",
 "socket": "/run/uwsgi/%n.sock", "processes": 4, "threads": 2, "harakiri": 30,
 "max-requests": 1000, "vacuum": true, "env": ["APP_ID={i}"]}}}}
"""
# (template, how it includes a snippet) per suffix
FORMATS = {
    ".ini": (INI, "ini = {path}\n"),
    ".yaml": (YAML, ""),
    ".xml": (XML, "  <ini>{path}</ini>\n"),
    ".json": (JSON, '"ini": "{path}", '),
}
SNIPPETS = 3
ONE_FILE = "[uwsgi]\nmodule = app:application\nprocesses = 4\n"  # the one-file lint


def vassals(directory: Path, n: int, *, shared: bool = False) -> list[Path]:
    """Write n vassals into ``directory``; with ``shared``, each includes a snippet."""
    directory.mkdir(parents=True)
    suffixes = list(FORMATS)
    out = []
    for i in range(n):
        suffix = suffixes[i % len(suffixes)]
        template, include = FORMATS[suffix]
        path = f"%d../snippets/base{i % SNIPPETS}.ini"
        text = template.format(i=i, include=include.format(path=path) if shared else "")
        out.append(directory / f"app{i:05d}{suffix}")
        out[-1].write_text(text, encoding="utf-8")
    return out


def flat(root: Path, n: int) -> tuple[Path, list[Path]]:
    """The directory to lint, and every file in it."""
    return root / "vassals", vassals(root / "vassals", n)


def emperor(root: Path, n: int) -> tuple[Path, list[Path]]:
    """The Emperor file to lint, and every file of the tree (Emperor, vassals, snippets)."""
    files = vassals(root / "vassals", n, shared=True)
    snippets = root / "snippets"
    snippets.mkdir()
    for k in range(SNIPPETS):
        files.append(snippets / f"base{k}.ini")
        files[-1].write_text(
            f"[uwsgi]\nmaster = true\nvacuum = true\nharakiri = {30 + k}\n"
            "max-requests = 5000\n",
            encoding="utf-8",
        )
    top = root / "emperor.ini"
    top.write_text("[uwsgi]\nemperor = %dvassals\n", encoding="utf-8")
    return top, [top, *files]

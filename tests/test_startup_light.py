"""Start-up stays light: libcst is imported only when a uwsgiconf Python file is linted,
never for an INI file or a directory whose other Python files do not import uwsgiconf;
pygls (the `server` extra) only by `uwsgi-lint server`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import write

# runs the CLI as `uwsgi-lint` does, then says on its last line whether libcst was imported
WRAPPER = (
    "import sys\n"
    "from uwsgi_lint import cli\n"
    "try:\n"
    "    code = cli.main(sys.argv[1:])\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "print(f'exit={code} libcst={\"libcst\" in sys.modules}', end='')\n"
    "print(' pygls' if 'pygls' in sys.modules or 'lsprotocol' in sys.modules else '')\n"
)

INI = "[uwsgi]\nmaster = true\nworkers = 2\nhttp-socket = :8000\n"
UWSGICFG = """\
from uwsgiconf.config import Section, configure_uwsgi


def get_configurations():
    section = Section()
    section.master_process.set_basic_params(enable=True)
    section.workers.set_basic_params(count=2)
    return section


configure_uwsgi(get_configurations)
"""


def lint(*args: str, cwd: Path) -> str:
    """The wrapper's last line: ``exit=N libcst=BOOL``, `` pygls`` added when the
    language server's packages were imported."""
    run = subprocess.run([sys.executable, "-c", WRAPPER, "--isolated", *args], cwd=cwd,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[-1]


def test_ini_file_does_not_import_libcst(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", INI)
    assert lint("app.ini", cwd=tmp_path) == "exit=0 libcst=False"


def test_directory_with_plain_python_does_not_import_libcst(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", INI)
    write(tmp_path, "manage.py", "import os\nimport sys\n\nprint(os.getcwd(), sys.argv)\n")
    assert lint(".", cwd=tmp_path) == "exit=0 libcst=False"


def test_uwsgiconf_file_imports_libcst(tmp_path: Path) -> None:
    write(tmp_path, "uwsgicfg.py", UWSGICFG)
    assert lint("uwsgicfg.py", cwd=tmp_path) in ("exit=0 libcst=True", "exit=1 libcst=True")

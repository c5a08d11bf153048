"""Deployment context found in the tree (issue 13, :mod:`uwsgi_lint.deploy`): a Dockerfile,
compose file, Kubernetes manifest, systemd unit, supervisor program or Procfile that names
a config decides UW504 (who starts it), UW202 (what stops it) and whether a socket on every
interface is only the container's network; ``context`` fills in what the tree does not say.
Every case is a tree on disk, linted as a user runs it (a git work tree: the boundary)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from uwsgi_lint import fs
from uwsgi_lint.diagnostics import Diagnostic
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.settings import Selection

from .conftest import ORACLE_BIN
from .helpers import write

APP = "[uwsgi]\nsocket = /run/app/app.sock\nmodule = app.wsgi\n"
EXPOSED = "[uwsgi]\nsocket = 0.0.0.0:3031\nmodule = app.wsgi\n"
EMPEROR = "[uwsgi]\nemperor = %dvassals\nmaster = true\n"


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """A git work tree (a ``.git`` directory: the boundary of the run) with ``files``."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        write(root, name, text)
    return root


def found(root: Path, path: str, *codes: str, **assume: object) -> list[Diagnostic]:
    """The findings of the rules ``codes`` (selected, whatever their set)."""
    report = lint([str(root / path)], Assumptions(**assume),  # type: ignore[arg-type]
                  selection=Selection(extend_select=codes))
    assert report.errors == []
    return [d for d in report.diagnostics if d.code in codes]


def brief(diags: list[Diagnostic], root: Path) -> list[tuple[str, str, int]]:
    return [(d.code, os.path.relpath(d.span.file, root), d.span.start.line) for d in diags]


def related(d: Diagnostic, root: Path) -> list[tuple[str, int]]:
    return [(os.path.relpath(r.span.file, root), r.span.start.line) for r in d.related]


# -- no context: a plain vassal is clean (the pre-commit case) ------------------------------


def test_clean_vassal_without_uid_and_no_context_is_not_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {"vassals/app.ini": APP})
    assert found(root, "vassals/app.ini", "UW504") == []
    run = subprocess.run([sys.executable, "-m", "uwsgi_lint", "vassals/app.ini"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.splitlines()[-1]) == (0, "All checks passed (1 file "
                                                               "checked).")


def test_context_host_keeps_the_old_finding(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": APP})
    (d,) = found(root, "app.ini", "UW504", context="host")
    assert d.message.startswith("no `uid`: started as root (`context = host`), it serves")
    assert found(root, "app.ini", "UW504", context="container") == []


# -- systemd -------------------------------------------------------------------------------

UNIT = ("[Unit]\nDescription=app\n\n[Service]\nExecStart=/usr/bin/uwsgi --ini "
        "/etc/uwsgi/app.ini\n{extra}\n[Install]\nWantedBy=multi-user.target\n")


def test_systemd_unit_without_user_starts_it_as_root(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": APP, "deploy/app.service": UNIT.format(extra="")})
    (d,) = found(root, "app.ini", "UW504")
    assert (d.span.start.line, d.span.start.column) == (2, 1)
    assert d.message == (
        "no `uid`: started as root by systemd (no `User=`), it serves requests as root; set "
        "`uid`/`gid` to an unprivileged user")
    assert related(d, root) == [("deploy/app.service", 5)]
    assert d.related[0].message == "no `User=` in this unit: systemd starts uwsgi as root"


def test_systemd_unit_user_root_is_shown(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": APP, "app.service": UNIT.format(extra="User=root\n")})
    (d,) = found(root, "app.ini", "UW504")
    assert "by systemd (`User=root`)" in d.message
    assert related(d, root) == [("app.service", 6)]


@pytest.mark.parametrize("extra", [
    "User=www-data\nGroup=www-data\n",
    "DynamicUser=yes\n",
])
def test_systemd_unit_with_a_user_is_not_reported(tmp_path: Path, extra: str) -> None:
    root = repo(tmp_path, {"app.ini": APP, "systemd/app.service": UNIT.format(extra=extra)})
    assert found(root, "app.ini", "UW504") == []


def test_uid_on_the_unit_command_line_drops_root(tmp_path: Path) -> None:
    unit = UNIT.format(extra="").replace("app.ini", "app.ini --uid www-data --gid www-data")
    root = repo(tmp_path, {"app.ini": APP, "app.service": unit})
    assert found(root, "app.ini", "UW504") == []


def test_unit_naming_another_config_says_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": APP,
                           "app.service": UNIT.format(extra="").replace("app.ini", "other.ini")})
    assert found(root, "app.ini", "UW504") == []


def test_template_unit_matches_by_directory(tmp_path: Path) -> None:
    unit = UNIT.format(extra="").replace("/etc/uwsgi/app.ini", "/etc/uwsgi/apps/%i.ini")
    root = repo(tmp_path, {"apps/app.ini": APP, "other/app.ini": APP, "uwsgi@.service": unit})
    assert brief(found(root, "apps/app.ini", "UW504"), root) == [("UW504", "apps/app.ini", 2)]
    assert found(root, "other/app.ini", "UW504") == []  # `apps/` is not `other/`


# -- supervisor, Procfile --------------------------------------------------------------------

SUPERVISOR = ("[supervisord]\nnodaemon=true\n\n[program:app]\n"
              "command=/venv/bin/uwsgi --ini /srv/app/uwsgi.ini\n{extra}autorestart=true\n")


def test_supervisor_program_without_user(tmp_path: Path) -> None:
    root = repo(tmp_path, {"uwsgi.ini": APP, "supervisord.conf": SUPERVISOR.format(extra="")})
    (d,) = found(root, "uwsgi.ini", "UW504")
    assert "by supervisord (no `user=`)" in d.message
    assert related(d, root) == [("supervisord.conf", 5)]


def test_supervisor_program_with_user(tmp_path: Path) -> None:
    conf = SUPERVISOR.format(extra="user=www-data\n")
    root = repo(tmp_path, {"uwsgi.ini": APP, "conf.d/app.conf": conf})
    assert found(root, "uwsgi.ini", "UW504") == []


def test_supervisor_program_shipped_into_a_container_runs_as_the_containers_root(
        tmp_path: Path) -> None:
    # the image's supervisord starts it: root there is the container's (a real case:
    # a base image that COPYs both the config and supervisord.conf)
    dockerfile = ("FROM python:3.12\nCOPY uwsgi.ini /etc/uwsgi/\n"
                  "COPY supervisord.conf /etc/supervisor/conf.d/supervisord.conf\n"
                  'CMD ["/usr/bin/supervisord"]\n')
    root = repo(tmp_path, {"uwsgi.ini": APP, "supervisord.conf": SUPERVISOR.format(extra=""),
                           "python3.12.dockerfile": dockerfile})
    assert found(root, "uwsgi.ini", "UW504") == []
    # the same tree without the image: supervisord on a host, as root
    (root / "python3.12.dockerfile").unlink()
    assert [d.code for d in found(root, "uwsgi.ini", "UW504")] == ["UW504"]


def test_supervisor_program_in_a_tree_that_builds_images_is_not_known_root(
        tmp_path: Path) -> None:
    # supervisord may be the image's process manager (run as the image's user): unknown
    dockerfile = "FROM python:3.12\nCOPY ./app /app\nUSER app\n"
    root = repo(tmp_path, {"docker/uwsgi.ini": APP,
                           "docker/supervisor-app.conf": SUPERVISOR.format(extra=""),
                           "Dockerfile": dockerfile})
    assert found(root, "docker/uwsgi.ini", "UW504") == []


def test_uid_without_gid_is_not_reported_when_the_tree_shows_an_unprivileged_start(
        tmp_path: Path) -> None:
    text = APP + "uid = app\n"
    unit = ("[Service]\nUser=app\nExecStart=/usr/bin/uwsgi --ini /srv/app/uwsgi.ini\n")
    root = repo(tmp_path, {"uwsgi.ini": text, "uwsgi.service": unit})
    assert found(root, "uwsgi.ini", "UW123") == []
    (root / "uwsgi.service").write_text(unit.replace("User=app\n", ""), encoding="utf-8")
    assert [d.code for d in found(root, "uwsgi.ini", "UW123")] == ["UW123"]


def test_procfile_runs_it_unprivileged_in_a_dyno(tmp_path: Path) -> None:
    root = repo(tmp_path, {"uwsgi.ini": EXPOSED, "Procfile": "web: uwsgi uwsgi.ini\n"})
    assert found(root, "uwsgi.ini", "UW504", context="host") == []
    assert found(root, "uwsgi.ini", "UW501") == []  # the dyno's own network


# -- containers ------------------------------------------------------------------------------

DOCKERFILE = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY uwsgi.ini /etc/uwsgi/uwsgi.ini\n"
              "{user}CMD [\"uwsgi\", \"--ini\", \"/etc/uwsgi/uwsgi.ini\"]\n")


def test_dockerfile_beside_the_config_is_a_container(tmp_path: Path) -> None:
    root = repo(tmp_path, {"uwsgi.ini": EXPOSED, "Dockerfile": DOCKERFILE.format(user="")})
    # root in the image is the image's choice, contained; every interface is the container's
    assert found(root, "uwsgi.ini", "UW504", "UW501", context="host") == []
    # without the Dockerfile both are reported
    (root / "Dockerfile").unlink()
    assert sorted(d.code for d in found(root, "uwsgi.ini", "UW501", "UW504",
                                        context="host")) == ["UW501", "UW504"]


def test_dockerfile_whose_last_user_is_root(tmp_path: Path) -> None:
    text = DOCKERFILE.format(user="USER app\nRUN true\nUSER root\n")
    root = repo(tmp_path, {"docker/uwsgi.ini": APP, "docker/Dockerfile": text})
    # root in a container is the container's: not UW504, but UW510 (hardening, opt-in)
    assert found(root, "docker/uwsgi.ini", "UW504") == []
    report = lint([str(root / "docker/uwsgi.ini")])
    assert [d for d in report.diagnostics if d.code == "UW510"] == []  # not selected
    (d,) = found(root, "docker/uwsgi.ini", "UW510")
    assert d.message.startswith("runs as root inside its container")
    assert related(d, root) == [("docker/Dockerfile", 6)]  # the `USER root` line
    # an unprivileged image user: nothing, even as hardening advice
    (root / "docker/Dockerfile").write_text(DOCKERFILE.format(user="USER app\n"))
    report = lint([str(root / "docker/uwsgi.ini")], selection=Selection(select=("all",)))
    assert [d.code for d in report.diagnostics if d.code in ("UW504", "UW510")] == []


def test_dockerfile_user_of_an_earlier_stage_does_not_count(tmp_path: Path) -> None:
    text = "FROM python AS build\nUSER root\nRUN pip wheel .\n" + DOCKERFILE.format(
        user="USER app\n")
    root = repo(tmp_path, {"uwsgi.ini": APP, "Dockerfile": text})
    assert found(root, "uwsgi.ini", "UW504") == []


def test_dockerfile_of_another_project_is_not_attached(tmp_path: Path) -> None:
    text = DOCKERFILE.format(user="USER root\n")
    root = repo(tmp_path, {"a/uwsgi.ini": APP, "a/Dockerfile": text, "b/uwsgi.ini": EXPOSED})
    assert [d.code for d in found(root, "a/uwsgi.ini", "UW504", "UW510")] == ["UW510"]
    # b/uwsgi.ini has the same name, but a/Dockerfile names the uwsgi.ini beside it
    assert [d.code for d in found(root, "b/uwsgi.ini", "UW501", "UW504")] == ["UW501"]


def test_compose_port_published_on_every_interface_keeps_the_finding(tmp_path: Path) -> None:
    compose = ("services:\n  app:\n    image: python:3.12\n    command: uwsgi --ini "
               "/srv/uwsgi.ini\n    volumes:\n      - ./uwsgi.ini:/srv/uwsgi.ini:ro\n"
               "    ports:\n      - \"{port}\"\n")
    root = repo(tmp_path, {"uwsgi.ini": EXPOSED,
                           "docker-compose.yml": compose.format(port="3031:3031")})
    assert brief(found(root, "uwsgi.ini", "UW501"), root) == [("UW501", "uwsgi.ini", 2)]
    (root / "docker-compose.yml").write_text(compose.format(port="127.0.0.1:3031:3031"))
    assert found(root, "uwsgi.ini", "UW501") == []  # published on the host's loopback only
    (root / "docker-compose.yml").write_text(compose.format(port="8080:80"))
    assert found(root, "uwsgi.ini", "UW501", "UW504", context="host") == []


def test_compose_service_that_builds_the_dockerfile(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    build: ./app\n    ports:\n      - 3031:3031\n"
    root = repo(tmp_path, {"app/uwsgi.ini": EXPOSED, "app/Dockerfile": DOCKERFILE.format(
        user=""), "compose.yaml": compose})
    (d,) = found(root, "app/uwsgi.ini", "UW501")
    assert d.span.start.line == 2


def test_kubernetes_configmap_names_the_config(tmp_path: Path) -> None:
    manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n"
                "  uwsgi.ini: |\n    [uwsgi]\n")
    root = repo(tmp_path, {"uwsgi.ini": EXPOSED, "k8s/configmap.yaml": manifest})
    assert found(root, "uwsgi.ini", "UW501", "UW504", context="host") == []


def test_helm_template_names_the_config(tmp_path: Path) -> None:
    template = ("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
                "      containers:\n        - name: app\n          args: [\"--ini\", "
                "\"/etc/uwsgi/{{ .Values.name }}.ini\", \"--ini\", \"/etc/app/uwsgi.ini\"]\n")
    root = repo(tmp_path, {"conf/uwsgi.ini": EXPOSED, "chart/Chart.yaml": "name: app\n",
                           "chart/templates/deployment.yaml": template})
    assert found(root, "conf/uwsgi.ini", "UW501") == []


def test_container_setting_and_its_deprecated_spelling(tmp_path: Path) -> None:
    root = repo(tmp_path, {"uwsgi.ini": EXPOSED})
    assert [d.code for d in found(root, "uwsgi.ini", "UW501")] == ["UW501"]
    assert found(root, "uwsgi.ini", "UW501", context="container") == []
    assert found(root, "uwsgi.ini", "UW501", container=True) == []
    # a public address is reached from everywhere, in any context
    write(root, "pub.ini", "[uwsgi]\nsocket = 8.8.8.8:3031\n")
    assert [d.code for d in found(root, "pub.ini", "UW501", context="container")] == ["UW501"]


# -- the Emperor that starts a vassal --------------------------------------------------------


def test_vassal_of_an_emperor_that_drops_root(tmp_path: Path) -> None:
    # uWSGI 2.0.31 run as root with `uid = nobody` in the Emperor (with or without
    # `master`): the vassal and its workers run as nobody (/proc/PID/status); with
    # `master-as-root` they stay root (deploy.py, View.start)
    unit = UNIT.format(extra="").replace("app.ini", "emperor.ini")
    root = repo(tmp_path, {"emperor.ini": EMPEROR + "uid = www-data\ngid = www-data\n",
                           "vassals/app.ini": APP, "emperor.service": unit})
    assert found(root, "vassals/app.ini", "UW504", context="host") == []
    write(root, "emperor.ini", EMPEROR + "uid = www-data\nmaster-as-root = true\n")
    assert brief(found(root, "vassals/app.ini", "UW504"), root) == [
        ("UW504", "vassals/app.ini", 2)]


def test_vassal_of_an_emperor_started_as_root(tmp_path: Path) -> None:
    unit = UNIT.format(extra="").replace("app.ini", "emperor.ini")
    root = repo(tmp_path, {"emperor.ini": EMPEROR, "vassals/app.ini": APP,
                           "deploy/emperor.service": unit})
    (d,) = found(root, "vassals/app.ini", "UW504")
    assert d.message == (
        "no `uid`: its Emperor, started as root by systemd (no `User=`), starts it as root; "
        "set `uid`/`gid` here or use `emperor-tyrant`")
    assert related(d, root) == [("deploy/emperor.service", 5), ("emperor.ini", 2)]
    # linted from the Emperor, the same
    assert brief(found(root, "emperor.ini", "UW504"), root) == [("UW504", "vassals/app.ini", 2)]
    # the unit runs the Emperor as a user: its vassals too
    write(root, "deploy/emperor.service", UNIT.format(extra="User=uwsgi\n").replace(
        "app.ini", "emperor.ini"))
    assert found(root, "vassals/app.ini", "UW504") == []


def test_emperor_started_from_the_command_line(tmp_path: Path) -> None:
    unit = UNIT.format(extra="").replace("--ini /etc/uwsgi/app.ini",
                                         "--emperor /etc/uwsgi/vassals --master")
    root = repo(tmp_path, {"vassals/app.ini": APP, "uwsgi-emperor.service": unit})
    (d,) = found(root, "vassals/app.ini", "UW504")
    assert related(d, root) == [("uwsgi-emperor.service", 5)]


# -- UW202: what stops the Emperor -------------------------------------------------------------

EMPEROR_UNIT = ("[Service]\nExecStart=/usr/bin/uwsgi {args}--ini /etc/uwsgi/emperor.ini\n"
                "{extra}")


@pytest.mark.parametrize(("args", "extra"), [
    ("--die-on-term ", ""),
    ("", "KillSignal=SIGQUIT\n"),
    ("", "KillSignal=SIGINT\n"),
    ("", "Environment=UWSGI_DIE_ON_TERM=1\n"),
])
def test_unit_that_stops_the_emperor_cleanly(tmp_path: Path, args: str, extra: str) -> None:
    root = repo(tmp_path, {"emperor.ini": EMPEROR,
                           "uwsgi.service": EMPEROR_UNIT.format(args=args, extra=extra)})
    assert found(root, "emperor.ini", "UW202") == []


def test_unit_that_stops_the_emperor_with_sigterm(tmp_path: Path) -> None:
    root = repo(tmp_path, {"emperor.ini": EMPEROR,
                           "uwsgi.service": EMPEROR_UNIT.format(args="", extra="")})
    (d,) = found(root, "emperor.ini", "UW202")
    assert (d.span.start.line, related(d, root)) == (3, [("uwsgi.service", 2)])
    assert d.related[0].message == "the systemd unit stops it with SIGTERM (no `KillSignal=`)"
    # no unit at all: reported as before
    (root / "uwsgi.service").unlink()
    assert [d.related for d in found(root, "emperor.ini", "UW202")] == [()]


def test_die_on_term_and_sigquit_reload(tmp_path: Path) -> None:
    unit = EMPEROR_UNIT.format(args="--die-on-term ", extra="KillSignal=SIGQUIT\n")
    root = repo(tmp_path, {"emperor.ini": EMPEROR, "uwsgi.service": unit})
    (d,) = found(root, "emperor.ini", "UW202")
    assert d.message == ("with `die-on-term`, `KillSignal=SIGQUIT` reloads the Emperor and "
                         "every vassal instead of stopping them; stop it with SIGTERM or SIGINT")
    assert related(d, root) == [("uwsgi.service", 3)]


@pytest.mark.parametrize(("name", "text"), [
    ("Dockerfile", "FROM python\nCOPY emperor.ini /etc/uwsgi/\nSTOPSIGNAL SIGQUIT\n"
     "CMD uwsgi --ini /etc/uwsgi/emperor.ini\n"),
    ("docker-compose.yml", "services:\n  app:\n    command: [uwsgi, --ini, emperor.ini]\n"
     "    stop_signal: SIGINT\n"),
    ("supervisor.conf", "[program:emperor]\ncommand=uwsgi --ini emperor.ini\nstopsignal=QUIT\n"),
])
def test_other_starters_that_stop_it_cleanly(tmp_path: Path, name: str, text: str) -> None:
    root = repo(tmp_path, {"emperor.ini": EMPEROR, name: text})
    assert found(root, "emperor.ini", "UW202") == []
    write(root, name, text.replace("SIGQUIT", "SIGTERM").replace("SIGINT", "SIGTERM")
          .replace("QUIT", "TERM"))
    assert [d.code for d in found(root, "emperor.ini", "UW202")] == ["UW202"]


@pytest.mark.oracle
def test_what_the_real_master_does_on_each_signal(tmp_path: Path) -> None:
    """uWSGI 2.0.31, an Emperor under a master with one vassal (a UNIX socket): SIGQUIT
    and SIGINT stop it, SIGTERM reloads it ("binary reloading uWSGI"); with `--die-on-term`
    SIGTERM stops it and SIGQUIT reloads it."""
    if not ORACLE_BIN.exists():
        pytest.skip("the uWSGI oracle is not built")
    write(tmp_path, "vassals/app.ini", f"[uwsgi]\nsocket = {tmp_path}/app.sock\n")
    conf = write(tmp_path, "emperor.ini", EMPEROR)

    def outcome(sig: signal.Signals, *extra: str) -> str:
        log = tmp_path / f"{sig.name}{len(extra)}.log"
        proc = subprocess.Popen([str(ORACLE_BIN), "--ini", str(conf), "--logto", str(log),
                                 *extra], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(400):  # started: the Emperor says its vassal is up
                if log.exists() and "is ready to accept requests" in log.read_text():
                    break
                time.sleep(0.05)
            proc.send_signal(sig)
            for _ in range(400):
                if proc.poll() is not None:
                    return "stops"
                if "binary reloading uWSGI" in log.read_text():
                    return "reloads"
                time.sleep(0.05)
            return "neither"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    assert outcome(signal.SIGQUIT) == "stops"
    assert outcome(signal.SIGINT) == "stops"
    assert outcome(signal.SIGTERM) == "reloads"
    assert outcome(signal.SIGTERM, "--die-on-term") == "stops"
    assert outcome(signal.SIGQUIT, "--die-on-term") == "reloads"


# -- settings and command line -----------------------------------------------------------------


def test_context_setting_and_cli(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": EXPOSED, ".uwsgi-lint.toml": 'context = "host"\n'})

    def codes(*args: str) -> list[str]:
        run = subprocess.run([sys.executable, "-m", "uwsgi_lint", "--format", "json", *args,
                              "app.ini"], cwd=root, capture_output=True, text=True, timeout=120)
        import json

        return sorted(d["code"] for d in json.loads(run.stdout)["diagnostics"])

    assert codes() == ["UW501", "UW504"]
    assert codes("--context", "container") == []
    assert codes("--container") == []  # deprecated spelling
    (root / ".uwsgi-lint.toml").write_text("container = true\n")
    assert codes() == []
    assert codes("--context", "auto") == ["UW501"]  # the command line wins
    (root / ".uwsgi-lint.toml").write_text('context = "cloud"\n')
    run = subprocess.run([sys.executable, "-m", "uwsgi_lint", "app.ini"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert '`context` must be one of "auto", "container", "host", not "cloud"' in run.stderr


# -- cost and boundary ---------------------------------------------------------------------------


def test_only_deployment_files_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"app.ini": APP, "app.service": UNIT.format(extra="")}
    for i in range(30):
        files[f"src/pkg{i}/module.py"] = "x = 1\n"
        files[f"src/pkg{i}/notes.txt"] = "uwsgi --ini app.ini\n"
    root = repo(tmp_path, files)
    seen: list[str] = []
    real = fs.read_regular

    def spy(path: str, limit: int = fs.MAX_BYTES) -> bytes:
        seen.append(os.path.relpath(path, root))
        return real(path, limit)

    monkeypatch.setattr(fs, "read_regular", spy)
    assert [d.code for d in found(root, "app.ini", "UW504")] == ["UW504"]
    assert not [p for p in seen if p.endswith((".py", ".txt"))]
    assert "app.service" in seen


def test_nothing_above_the_boundary_is_read(tmp_path: Path) -> None:
    # no git work tree: the boundary is the linted file's directory; a unit above it is
    # another project's (or nobody's) and is not read
    write(tmp_path, "app.service", UNIT.format(extra=""))
    write(tmp_path, "project/app.ini", APP)
    assert found(tmp_path / "project", "app.ini", "UW504") == []


def test_a_fifo_or_a_link_out_named_like_a_deployment_file_is_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app.ini": APP})
    os.mkfifo(root / "Dockerfile")  # opening it for reading would block
    (root / "app.service").symlink_to(tmp_path / "outside.service")
    write(tmp_path, "outside.service", UNIT.format(extra=""))  # outside the work tree
    assert found(root, "app.ini", "UW504") == []


def test_uw201_speaks_when_the_unit_stops_the_emperor_cleanly(tmp_path: Path) -> None:
    # UW201 (pedantic) leaves a master-only Emperor to UW202 while SIGTERM reloads it; a
    # unit that stops it with SIGQUIT leaves only the advice to drop the master
    unit = EMPEROR_UNIT.format(args="", extra="KillSignal=SIGQUIT\n")
    root = repo(tmp_path, {"emperor.ini": EMPEROR, "uwsgi.service": unit,
                           ".uwsgi-lint.toml": 'extend-select = ["UW201"]\n'})
    assert [d.code for d in found(root, "emperor.ini", "UW201", "UW202")] == ["UW201"]
    (root / "uwsgi.service").unlink()
    assert [d.code for d in found(root, "emperor.ini", "UW201", "UW202")] == ["UW202"]


def test_dockerfile_in_a_subdirectory_built_from_the_root(tmp_path: Path) -> None:
    # `docker build -f docker/Dockerfile .`: COPY sources are relative to the repository
    text = "FROM python\nCOPY conf/uwsgi.ini /etc/uwsgi/\nUSER root\nCMD uwsgi --ini x.ini\n"
    root = repo(tmp_path, {"conf/uwsgi.ini": APP, "docker/Dockerfile": text})
    (d,) = found(root, "conf/uwsgi.ini", "UW504", "UW510")
    assert d.code == "UW510" and related(d, root) == [("docker/Dockerfile", 3)]


# -- the environment a starter gives uWSGI ---------------------------------------------------


def test_dockerfile_env_named_like_an_exiting_option(tmp_path: Path) -> None:
    # a build variable `UWSGI_VERSION` in a builder stage, inherited by the stage that runs
    # uwsgi: uWSGI reads it as `--version` (checked on the real uWSGI in
    # tests/test_rules_misread.py: it prints its version and exits)
    dockerfile = ("FROM python:3.12 AS builder\nENV UWSGI_VERSION 2.0.19.1\n"
                  "ENV UWSGI_PROCESSES=4\n"  # the documented way to set an option: fine
                  "FROM builder AS prod\nCOPY uwsgi.ini /app/uwsgi.ini\n"
                  'CMD ["uwsgi", "--ini", "/app/uwsgi.ini"]\n')
    root = repo(tmp_path, {"uwsgi.ini": APP, "Dockerfile": dockerfile})
    (d,) = found(root, "uwsgi.ini", "UW126")
    assert d.message.startswith("the Dockerfile sets `UWSGI_VERSION` for uWSGI, which reads "
                                "it as `--version`: it prints and exits")
    assert (d.span.start.line, related(d, root)) == (2, [("Dockerfile", 2)])
    # a final stage that does not build on the builder does not inherit its ENV
    (root / "Dockerfile").write_text(dockerfile.replace("FROM builder AS prod",
                                                        "FROM python:3.12 AS prod"))
    assert found(root, "uwsgi.ini", "UW126") == []


# -- init scripts ------------------------------------------------------------------------------

INIT_SCRIPT = """#!/bin/sh
### BEGIN INIT INFO
# Provides: uwsgi-emperor
### END INIT INFO
DAEMON=/usr/local/bin/uwsgi
EMPEROR_INI=/etc/uwsgi/emperor.ini
DAEMON_OPTS="--ini $EMPEROR_INI {opts}--master"
case "$1" in
  start) start-stop-daemon --start --exec $DAEMON -- $DAEMON_OPTS ;;
  stop) killall -15 $DAEMON ;;
esac
"""


def test_init_script_that_passes_die_on_term(tmp_path: Path) -> None:
    # a real case: the Emperor's options kept in DAEMON_OPTS, its config in a variable
    root = repo(tmp_path, {"emperor.ini": EMPEROR,
                           "uwsgi-emperor": INIT_SCRIPT.format(opts="--die-on-term ")})
    assert found(root, "emperor.ini", "UW202") == []
    (root / "uwsgi-emperor").write_text(INIT_SCRIPT.format(opts=""))
    (d,) = found(root, "emperor.ini", "UW202")
    assert related(d, root) == [("uwsgi-emperor", 7)]  # the DAEMON_OPTS line


def test_init_script_starts_as_root(tmp_path: Path) -> None:
    script = "#!/bin/bash\nexec /usr/bin/uwsgi --ini /srv/app/uwsgi.ini\n"
    root = repo(tmp_path, {"uwsgi.ini": APP, "start-uwsgi.sh": script})
    (d,) = found(root, "uwsgi.ini", "UW504")
    assert d.message.startswith("no `uid`: started as root by an init script")
    assert related(d, root) == [("start-uwsgi.sh", 2)]
    # a script that is not named for uwsgi, or no script (no `#!`), is not read
    (root / "start-uwsgi.sh").rename(root / "start.sh")
    assert found(root, "uwsgi.ini", "UW504") == []


def test_a_deployment_file_that_names_itself_ends(tmp_path: Path) -> None:
    # a config that is also the supervisor program running it (and so names itself): the
    # search for who ships the program's file comes back to it, and stops there
    text = APP + "\n[program:app]\ncommand=/usr/bin/uwsgi --ini /srv/uwsgi.ini\n"
    root = repo(tmp_path, {"uwsgi.ini": text})
    report = lint([str(root / "uwsgi.ini")])
    assert report.errors == [] and "UW099" not in {d.code for d in report.diagnostics}
    assert [d.code for d in report.diagnostics if d.code == "UW504"] == ["UW504"]

"""The exposure rules UW501-UW509: exact positions and messages, and what must stay silent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.values import literal_secret, mask_text, masked, secret_name

from .helpers import details, findings, fixed, write
from .helpers import positions as where

USER = "uid = app\ngid = app\n"  # keeps UW504 quiet in the examples that are not about it


def silent(tmp_path: Path, code: str, texts: list[str], **assume: object) -> None:
    for i, text in enumerate(texts):
        name = f"s{i}.ini"
        assert findings(tmp_path, name, "[uwsgi]\n" + text, code, **assume) == [], text


# -- UW501 uwsgi-socket-exposed ------------------------------------------------------------

RUN_CODE = (
    "has no authentication and trusts the variables the client sends (with the Python "
    "plugin, UWSGI_FILE or UWSGI_MODULE load a file or module of the client's choosing), so "
    "anyone who reaches the port can run code as the app's user")


def test_uwsgi_socket_on_every_interface(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nsocket = :3031\n" + USER, "UW501")
    assert found == [(
        "UW501", 2, 10,
        "`socket = :3031` serves the uwsgi protocol on every network interface: anyone who "
        "reaches it can run code; bind `127.0.0.1:3031` or a UNIX socket")]
    assert details(tmp_path, "a.ini", "[uwsgi]\nsocket = :3031\n" + USER, "UW501") == [
        f"It serves the uwsgi protocol on every network interface (port 3031): the uwsgi "
        f"protocol {RUN_CODE}. Bind `127.0.0.1:3031` or a UNIX socket for the web server in "
        "front (or use `http-socket` for clients that connect directly)."]


def test_uwsgi_socket_address_kinds(tmp_path: Path) -> None:
    text = ("[uwsgi]\nsocket = 0.0.0.0:3031\nuwsgi-socket = [::]:3032\n"
            "fastcgi-socket = 192.168.1.5:9000\nsocket = 8.8.8.8:3033\nsocket = app:3034\n"
            "socket = 10.*:3035\npuwsgi-socket = :0\nscgi-socket = 0:4000\n" + USER)
    found = findings(tmp_path, "a.ini", text, "UW501")
    assert where(found) == [("UW501", 2, 10), ("UW501", 3, 16), ("UW501", 4, 18),
                            ("UW501", 5, 10), ("UW501", 6, 10), ("UW501", 7, 10),
                            ("UW501", 8, 17), ("UW501", 9, 15)]
    places = [d.split(": ", 1)[0] for d in details(tmp_path, "a.ini", text, "UW501")]
    assert places == [
        "It serves the uwsgi protocol on every network interface "
        "(port 3031)",
        "It serves the uwsgi protocol on every IPv6 interface, and "
        "every IPv4 one on a dual-stack host (port 3032)",
        "It serves FastCGI on 192.168.1.5 (port 9000), a "
        "private-network address every host of that network reaches",
        "It serves the uwsgi protocol on the public address 8.8.8.8 "
        "(port 3033)",
        "It serves the uwsgi protocol on the address that `app` resolves to "
        "(port 3034), a network interface",
        "It serves the uwsgi protocol on the first network interface whose "
        "address starts with `10.` (port 3035)",
        "It serves the uwsgi protocol on every network interface (a port "
        "the kernel picks, port 0)",
        "It serves SCGI on every network interface (port 4000)",
    ]
    assert "bind `[::1]:3032` or a UNIX socket" in found[1][3]
    assert found[1][3].startswith("`uwsgi-socket = [::]:3032` serves the uwsgi protocol on "
                                  "every interface:")


def test_uwsgi_socket_tls_shared_and_fastrouter(tmp_path: Path) -> None:
    text = ("[uwsgi]\nssl-socket = :3031,a.crt,a.key\nshared-socket = 0.0.0.0:3032\n"
            "socket = =0\nfastrouter = :3017\n" + USER)
    path = write(tmp_path, "a.ini", text)
    found = [d for d in lint([str(path)]).diagnostics if d.code == "UW501"]
    assert [(d.span.start.line, d.span.start.column) for d in found] == [(2, 14), (4, 10),
                                                                         (5, 14)]
    assert found[0].detail.startswith(
        "It serves the uwsgi protocol on every network interface (port 3031): TLS without a "
        "required client certificate (a `!` before the client CA) authenticates no one, and "
        "the uwsgi protocol has no authentication")
    assert found[1].detail.startswith(
        "It serves the uwsgi protocol on every network interface (port 3032)")
    assert [(r.message, r.span.start.line) for r in found[1].related] == [
        ("shared socket 0 is bound here", 3)]
    assert (found[2].message, found[2].detail) == (
        "`fastrouter = :3017` passes uwsgi requests from every network interface to its "
        "backends, with no authentication; bind `127.0.0.1:3017` or a UNIX socket",
        "It accepts uwsgi requests on every network interface (port 3017) and passes them, "
        f"variables and all, to its backends: the uwsgi protocol {RUN_CODE}. Bind "
        "`127.0.0.1:3017` or a UNIX socket for the web server in front.")


def test_uwsgi_socket_in_every_format(tmp_path: Path) -> None:
    cases = {
        "a.yaml": ("uwsgi:\n  socket: :3031\n  uid: app\n  gid: app\n", (2, 11)),
        "a.json": ('{"uwsgi": {"socket": ":3031", "uid": "app", "gid": "app"}}\n', (1, 22)),
        "a.xml": ("<uwsgi>\n  <socket>:3031</socket>\n  <uid>app</uid>\n  <gid>app</gid>\n"
                  "</uwsgi>\n", (2, 11)),
    }
    for name, (text, pos) in cases.items():
        assert where(findings(tmp_path, name, text, "UW501")) == [("UW501", *pos)], name


def test_uwsgi_socket_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW501", [
        "socket = 127.0.0.1:3031\n",
        "socket = 127.0.0.2:3031\n",
        "socket = localhost:3031\n",
        "socket = [::1]:3031\n",
        "socket = /run/app.sock\n",
        "socket = @app\n",
        "socket = 3031\n",  # a UNIX path (UW508)
        "http-socket = :8080\nhttps-socket = :8443,a.crt,a.key\nhttp = 0.0.0.0:80\n",
        "socket = :3031\nprotocol = http\n",
        "ssl-socket = :3031,a.crt,a.key,HIGH,!ca.crt\n",
        "socket = $(SOCKET)\n",
        "socket = $(HOST):3031\n",
        "socket = ${APP_SOCKET}\n",
        "socket = {{ bind }}:3031\n",
        "socket = fd://3\n",
        "socket = 127.*:3031\n",
        "socket = *:3031\n",  # uWSGI exits (UW509)
        "shared-socket = 127.0.0.1:3031\nsocket = =0\n",
        "shared-socket = :3031\nhttp-socket = =0\n",
        "zmq-socket = tcp://0.0.0.0:9999\n",
    ])


def test_uwsgi_socket_protocol_undecided(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = :3031\nif-env = X\nprotocol = http\nendif =\n" + USER
    assert findings(tmp_path, "a.ini", text, "UW501") == []
    assert where(findings(tmp_path, "b.ini", text, "UW501", env={})) == [("UW501", 2, 10)]


def test_uwsgi_socket_in_a_container(tmp_path: Path) -> None:
    silent(tmp_path, "UW501", ["socket = :3031\n", "socket = 0.0.0.0:3031\n",
                               "socket = 172.17.0.2:3031\n", "socket = app:3031\n"],
           container=True)
    found = findings(tmp_path, "a.ini", "[uwsgi]\nsocket = 8.8.8.8:3031\n", "UW501",
                     container=True)
    assert where(found) == [("UW501", 2, 10)]


# -- UW502 socket-world-writable -----------------------------------------------------------

LOCAL = ("Any local account can connect and talk to the app past the web server (and over "
         "the uwsgi protocol make it load a file or module of its choosing with "
         "UWSGI_FILE/UWSGI_MODULE).")
CHOWN = "`chmod-socket = 660` with `chown-socket = <app user>:<web server group>`"


def test_chmod_socket_666(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = /run/app.sock\nchmod-socket = 666\n" + USER
    path = write(tmp_path, "a.ini", text)
    (d,) = [d for d in lint([str(path)]).diagnostics if d.code == "UW502"]
    assert (d.span.start.line, d.span.start.column) == (3, 16)
    assert (d.message, d.detail) == (
        f"`chmod-socket = 666` makes `/run/app.sock` world-writable; use {CHOWN}", LOCAL)
    assert [(r.message, r.span.start.line) for r in d.related] == [
        ("UNIX socket bound here", 2)]


def test_chmod_socket_other_modes(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini",
                     "[uwsgi]\nsocket = /run/app.sock\nchmod = 1\n" + USER, "UW502")
    assert where(found) == [("UW502", 3, 9)]
    assert found[0][3].startswith("`chmod = 1` (mode 666) makes `/run/app.sock`")
    found = findings(tmp_path, "b.ini",
                     "[uwsgi]\nsocket = /run/app.sock\nchmod-socket = 000\n" + USER, "UW502")
    assert found[0][3].startswith(
        "`chmod-socket = 000` counts as no mode, which uWSGI turns into 666, and makes ")
    found = findings(tmp_path, "c.ini", (
        "[uwsgi]\nhttp-socket = /run/a.sock\nhttp-socket = /run/b.sock\n"
        "stats = /run/stats.sock\nchmod-socket = 664\nchmod-socket = 666\n" + USER), "UW502")
    assert found == [(
        "UW502", 6, 16,
        "the 2 `chmod-socket` lines leave mode 4666, which makes `/run/a.sock`, "
        f"`/run/b.sock` and 1 more world-writable; use {CHOWN}")]
    found = findings(tmp_path, "d.yaml", (
        "uwsgi:\n  socket: /run/app.sock\n  chmod-socket: 777\n  uid: app\n  gid: app\n"),
        "UW502")
    assert where(found) == [("UW502", 3, 17)]


def test_umask_and_daemonize(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini",
                     "[uwsgi]\nsocket = /run/app.sock\numask = 000\n" + USER, "UW502")
    assert found == [(
        "UW502", 3, 9,
        "`umask = 000` makes uWSGI create `/run/app.sock` with mode 777, writable by every "
        "local user; set `umask = 022` (or 027)")]
    assert details(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/app.sock\numask = 000\n" + USER,
                   "UW502") == [f"{LOCAL} Along with the umask, {CHOWN}."]
    found = findings(tmp_path, "b.ini",
                     "[uwsgi]\nsocket = /run/app.sock\numask = 22\n" + USER, "UW502")
    assert found[0][3].startswith(
        "`umask = 22` makes uWSGI create `/run/app.sock` with mode 777")
    assert details(tmp_path, "b.ini", "[uwsgi]\nsocket = /run/app.sock\numask = 22\n" + USER,
                   "UW502")[0].startswith(
        "uWSGI reads `22` as 000, after logging \"invalid umask\". ")
    found = findings(tmp_path, "c.ini",
                     "[uwsgi]\nsocket = /run/app.sock\ndaemonize = /var/log/a.log\n" + USER,
                     "UW502")
    assert found == [(
        "UW502", 3, 1,
        "`daemonize` sets the umask to 0: uWSGI creates `/run/app.sock` with mode 777, "
        "writable by every local user; add `umask = 022`")]


def test_world_writable_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW502", [
        "socket = /run/app.sock\nchmod-socket = 660\n",
        "socket = /run/app.sock\nchmod-socket = 664\n",
        "socket = /run/app.sock\n",
        "socket = :3031\nchmod-socket = 666\n",  # no UNIX socket
        "socket = @app\nchmod-socket = 666\n",  # abstract: no file mode
        "socket = /run/app.sock\nabstract-socket = true\nchmod-socket = 666\n",
        "socket = /run/app.sock\nchmod-socket = 0666\n",  # uWSGI exits (UW121)
        "socket = /run/app.sock\nchmod-socket = $(MODE)\n",
        "socket = /run/app.sock\numask = 022\n",
        "socket = /run/app.sock\numask = 0027\n",
        "socket = /run/app.sock\ndaemonize = /var/log/a.log\numask = 022\n",
        "socket = /run/app.sock\ndaemonize = /var/log/a.log\nchmod-socket = 660\n",
        "socket = ${APP_SOCKET}\nchmod-socket = 666\n",
    ])


def test_vassal_daemonize_and_inherited_umask(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "vassals/a.ini",
          "[uwsgi]\nsocket = /run/app.sock\ndaemonize = /var/log/a.log\n" + USER)
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    assert [d for d in lint([str(emperor)]).diagnostics if d.code == "UW502"] == []
    write(tmp_path, "emperor.ini",
          "[uwsgi]\nemperor = %dvassals\ndaemonize = /var/log/emperor.log\n")
    (d,) = [d for d in lint([str(emperor)]).diagnostics if d.code == "UW502"]
    assert (Path(d.span.file).name, d.span.start.line, d.span.start.column) == ("a.ini", 2, 10)
    assert (d.message, d.detail) == (
        "the Emperor's `daemonize` set the umask its vassals inherit to 0: uWSGI creates "
        "`/run/app.sock` with mode 777; add `umask = 022` to the Emperor",
        "The Emperor gives no `umask`. Mode 777 makes the socket writable by every local "
        f"user. {LOCAL} Or, here, {CHOWN}.")
    assert [(Path(r.span.file).name, r.span.start.line) for r in d.related] == [
        ("emperor.ini", 3)]
    write(tmp_path, "emperor.ini",
          "[uwsgi]\nemperor = %dvassals\ndaemonize = /var/log/emperor.log\numask = 022\n")
    assert [d for d in lint([str(emperor)]).diagnostics if d.code == "UW502"] == []



def test_world_writable_fix_takes_the_world_bits_off(tmp_path: Path) -> None:
    for name, text, want in [
        ("a.ini", "[uwsgi]\r\nsocket = /run/app.sock\r\nchmod-socket = 666\r\n",
         "[uwsgi]\r\nsocket = /run/app.sock\r\nchmod-socket = 660\r\n"),
        ("b.ini", "[uwsgi]\nsocket = /run/app.sock\nchmod = 1\n",
         "[uwsgi]\nsocket = /run/app.sock\nchmod = 660\n"),
        ("c.yaml", "uwsgi:\n  socket: /run/app.sock\n  chmod-socket: 777\n",
         "uwsgi:\n  socket: /run/app.sock\n  chmod-socket: 770\n"),
        ("d.json", '{"uwsgi": {"socket": "/run/app.sock", "chmod-socket": 666}}',
         '{"uwsgi": {"socket": "/run/app.sock", "chmod-socket": 660}}'),
        ("e.xml", "<uwsgi><socket>/run/app.sock</socket><chmod-socket>000</chmod-socket></uwsgi>",
         "<uwsgi><socket>/run/app.sock</socket><chmod-socket>660</chmod-socket></uwsgi>"),
    ]:
        assert fixed(tmp_path, name, text + USER, "UW502") == text + USER, name  # unsafe
        assert fixed(tmp_path, name, text + USER, "UW502", unsafe=True) == want + USER, name
        assert fixed(tmp_path, name, want + USER, "UW502", unsafe=True) == want + USER, name


def test_world_writable_no_fix_without_one_chmod_line(tmp_path: Path) -> None:
    write(tmp_path, "common.ini", "[uwsgi]\nchmod-socket = 666\n")
    for text in [
        "[uwsgi]\nsocket = /run/app.sock\nchmod-socket = 664\nchmod-socket = 666\n",
        "[uwsgi]\nsocket = /run/app.sock\nchmod-socket = 007\n",  # 000: 666 again
        "[uwsgi]\nsocket = /run/app.sock\numask = 000\n",
        "[uwsgi]\nsocket = /run/app.sock\nini = common.ini\n",
    ]:
        path = write(tmp_path, "a.ini", text + USER)
        found = [d for d in lint([str(path)]).diagnostics if d.code == "UW502"]
        assert [d.fix for d in found] == [None], text

# -- UW503 control-socket-exposed ----------------------------------------------------------


def test_subscription_server(tmp_path: Path) -> None:
    text = "[uwsgi]\nfastrouter = 127.0.0.1:3017\nfastrouter-subscription-server = :2626\n"
    found = findings(tmp_path, "a.ini", text + USER, "UW503")
    assert found == [(
        "UW503", 3, 34,
        "`fastrouter-subscription-server = :2626` listens on every network interface, with "
        "no authentication; bind it to 127.0.0.1 or a UNIX datagram socket")]
    assert details(tmp_path, "a.ini", text + USER, "UW503") == [
        "It listens on every network interface (port 2626): anyone who reaches it can "
        "subscribe a node of theirs for any domain key and receive its traffic, or "
        "unsubscribe the real nodes. Or accept only signed subscriptions "
        "(`subscriptions-sign-check`)."]
    signed = text + "subscriptions-sign-check = SHA1:/etc/uwsgi/keys\n" + USER
    assert findings(tmp_path, "b.ini", signed, "UW503") == []


def test_control_sockets(tmp_path: Path) -> None:
    text = ("[uwsgi]\nmaster = true\nstats = :9191\nhttp-stats = 0.0.0.0:9192\n"
            "cache-udp-server = 192.168.0.4:4000\nudp = :1717\nsnmp = 0.0.0.0:2000\n")
    found = findings(tmp_path, "a.ini", text, "UW503")
    assert where(found) == [("UW503", 3, 9), ("UW503", 4, 14), ("UW503", 5, 20),
                            ("UW503", 6, 7), ("UW503", 7, 8)]
    assert found[0][3] == (
        "`stats = :9191` listens on every network interface, with no authentication; bind it "
        "to 127.0.0.1 or a UNIX socket")
    said = details(tmp_path, "a.ini", text, "UW503")
    assert said[0] == (
        "It listens on every network interface (port 9191): anyone who reaches it can read "
        "the master's JSON stats: the workers, the commands of attached daemons and crons, "
        "and the variables of requests in progress (cookies and Authorization headers "
        "included, unless `stats-no-cores`).")
    assert found[2][3].endswith("; bind it to 127.0.0.1")
    assert said[2].endswith(
        "anyone who reaches it can write any item of the caches it keeps in sync. Or bind it "
        "to an interface only its peers reach, behind a firewall.")


def test_stats_of_emperors_and_vassals_left_to_uw211(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nmaster = true\nstats = :9191\n" + USER)
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\nstats = :9192\n")
    assert [d for d in lint([str(emperor)]).diagnostics if d.code == "UW503"] == []


def test_control_sockets_in_a_container(tmp_path: Path) -> None:
    silent(tmp_path, "UW503", ["stats = :9191\n", "http-stats = 172.17.0.2:9192\n"],
           container=True)
    found = findings(tmp_path, "a.ini", "[uwsgi]\nstats = 8.8.8.8:9191\n", "UW503",
                     container=True)
    assert where(found) == [("UW503", 2, 9)]


def test_control_sockets_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW503", [
        "stats = 127.0.0.1:9191\n",
        "stats = /run/stats.sock\n",
        "snmp\n",
        "snmp = 127.0.0.1:2000\n",
        "udp = localhost:1717\n",  # bind_to_udp() resolves no names: it fails, it is not open
        "fastrouter-subscription-server = /run/subscribe.sock\n",
        "http-subscription-server = 127.0.0.1:2626\n",
        "zerg-server = /run/zerg.sock\n",
        "master-fifo = /run/app.fifo\n",
    ])


# -- UW504 runs-as-root --------------------------------------------------------------------

ROOT_FIX = "set `uid`/`gid` to an unprivileged user"
# with nothing in the tree that starts them (tests/test_context.py), UW504 judges configs
# as `context = "host"` assumes them: started as root
HOST = {"context": "host"}


def test_no_uid(tmp_path: Path) -> None:
    text = "[uwsgi]\nmaster = true\nsocket = /run/app.sock\n"
    found = findings(tmp_path, "a.ini", text, "UW504", **HOST)
    assert found == [(
        "UW504", 3, 1,
        "no `uid`: started as root (`context = host`), it serves requests as root; "
        f"{ROOT_FIX}")]
    assert findings(tmp_path, "b.ini", text, "UW504") == []  # nothing shows who starts it


def test_uid_root(tmp_path: Path) -> None:
    text = "uwsgi:\n  http-socket: :8080\n  uid: root\n"
    path = write(tmp_path, "a.yaml", text)
    (d,) = [d for d in lint([str(path)]).diagnostics if d.code == "UW504"]
    assert (d.span.start.line, d.span.start.column) == (3, 8)
    assert d.message == (
        "`uid = root` keeps root: started as root, it serves requests as root; "
        f"{ROOT_FIX}")
    assert [(r.message, r.span.start.line) for r in d.related] == [
        ("the instance serves requests here (`http-socket`)", 2)]


def test_root_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW504", [
        "socket = /run/app.sock\nuid = app\ngid = app\n",
        "socket = /run/app.sock\nuid = 33\ngid = 33\n",
        "socket = /run/app.sock\nimmediate-uid = app\n",
        "socket = /run/app.sock\nuid = $(APP_UID)\n",
        "socket = /run/app.sock\nif-env = PROD\nuid = app\nendif =\n",
        "socket = /run/app.sock\nuid = 0\n",  # uWSGI exits (UW122)
        "master = true\nprocesses = 4\n",  # serves nothing
        "emperor = /etc/uwsgi/vassals\n",
    ])
    silent(tmp_path, "UW504", ["socket = /run/app.sock\n", "http = :8080\nuid = root\n"],
           container=True)
    silent(tmp_path, "UW504", ["socket = /run/app.sock\n", "http = :8080\nuid = root\n"],
           context="container")


def test_vassal_of_a_root_emperor(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    vassal = write(tmp_path, "vassals/app.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n")
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    host = Assumptions(context="host")
    (d,) = [d for d in lint([str(emperor)], host).diagnostics if d.code == "UW504"]
    assert (Path(d.span.file).name, d.span.start.line, d.span.start.column) == ("app.ini", 2, 1)
    owner = ""
    if os.getuid() == 0:
        os.chown(vassal, 1000, 1000)
        (d,) = [d for d in lint([str(emperor)], host).diagnostics if d.code == "UW504"]
        owner = " (uid 1000 for this file)"
    assert d.message == (
        "no `uid`: its Emperor, started as root (`context = host`), starts it as root; set "
        "`uid`/`gid` here or use `emperor-tyrant`")
    assert (f"each vassal runs as the owner of its file{owner})") in d.detail
    assert [(r.message, Path(r.span.file).name, r.span.start.line) for r in d.related] == [
        ("the Emperor starts this vassal as root", "emperor.ini", 2)]


@pytest.mark.parametrize("emperor_text", [
    "[uwsgi]\nemperor = %dvassals\nemperor-tyrant = true\n",
    "[uwsgi]\nemperor = %dvassals\nuid = emperor\ngid = emperor\n",
    "[uwsgi]\nemperor = %dvassals\nvassals-include = %dcommon.ini\n",
])
def test_vassal_not_root(tmp_path: Path, emperor_text: str) -> None:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "common.ini", "[uwsgi]\nuid = app\ngid = app\n")
    vassal = write(tmp_path, "vassals/app.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n")
    if os.getuid() == 0:
        os.chown(vassal, 1000, 1000)  # tyrant mode refuses a root-owned file
    emperor = write(tmp_path, "emperor.ini", emperor_text)
    report = lint([str(emperor)], Assumptions(context="host"))
    assert [d for d in report.diagnostics if d.code == "UW504"] == []


# -- UW505 config-runs-commands / UW506 config-over-plain-http -----------------------------


def test_commands_listed(tmp_path: Path) -> None:
    text = ("[uwsgi]\nexec-as-root = chown app /run/app\nhook-asap = exec:echo TOKEN=abc123\n"
            "hook-pre-app = mkdir:/run/app\ncall-as-vassal3 = setup_vassal\n"
            "plugins = python3,/opt/uwsgi/x_plugin.so\nmount-as-root = tmpfs none /tmp\n")
    found = findings(tmp_path, "a.ini", text, "UW505")
    assert where(found) == [("UW505", 2, 16), ("UW505", 3, 13), ("UW505", 5, 19),
                            ("UW505", 6, 11), ("UW505", 7, 17)]
    assert found[0][3] == (
        "`exec-as-root` runs the shell command `chown app /run/app` as root, just before "
        "privileges are dropped")
    said = details(tmp_path, "a.ini", text, "UW505")
    assert said[0] == (
        "Review what it runs, and keep every file it names writable only by root.")
    assert found[1][3].startswith(
        "`hook-asap` runs the hook `exec:echo TOKEN=********` as soon as the config is read, "
        "as the user uWSGI starts as (normally root)")
    assert found[2][3].startswith(
        "`call-as-vassal3` calls the C function `setup_vassal` in the Emperor's child, as "
        "root, before it execs each vassal")
    assert (found[3][3], said[3]) == (
        "`plugins` loads the plugin file `/opt/uwsgi/x_plugin.so` at start-up: keep it and "
        "its directories writable only by root",
        "uWSGI loads it as the user it starts as (normally root): whoever can write that "
        "file runs code there.")
    assert found[4][3].startswith("`mount-as-root` mounts `tmpfs none /tmp` as root")


def test_commands_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW505", [
        "plugins = python3,http\n",
        "hook-master-start = unix_signal:15 gracefully_kill_them_all\n",
        "hook-as-user = chmod:/run/app.sock 660\n",
        "mount-check = /data\n",
        "exec-asap =\n",
        "ini = exec://cat /etc/app.ini\n",  # UW022 reports it, with the command
    ])


def test_http_include(tmp_path: Path) -> None:
    text = ("[uwsgi]\nini = http://cfg.example/app.ini\nchdir = @(http://cfg.example/dir)\n"
            "ini = exec://cat /etc/app.ini\n")
    found = findings(tmp_path, "a.ini", text, "UW506", "UW022")
    assert where(found) == [("UW022", 2, 1), ("UW506", 2, 1), ("UW506", 3, 1),
                            ("UW022", 4, 1)]
    assert found[1][3] == (
        "uWSGI fetches `http://cfg.example/app.ini` over plain HTTP: anyone on the network "
        "path can substitute the options it includes; ship it as a local file")
    assert details(tmp_path, "a.ini", text, "UW506", "UW022")[1] == (
        "uWSGI fetches it at every start: anyone on the network path, or who can answer for "
        "`cfg.example`, can substitute the options it includes, and uWSGI applies them with "
        "the rights it starts with (`exec-*` and hooks included). Ship the config as a file "
        "with the deployment, or fetch and verify it before uWSGI starts.")
    assert "can choose the value of `chdir`" in found[2][3]


def test_http_include_from_the_emperor(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "vassals/app.ini", "[uwsgi]\nsocket = /run/app.sock\n" + USER)
    emperor = write(tmp_path, "emperor.ini",
                    "[uwsgi]\nemperor = %dvassals\nvassals-include = http://cfg.example/v.ini\n")
    found = [d for d in lint([str(emperor)]).diagnostics if d.code == "UW506"]
    assert [(Path(d.span.file).name, d.span.start.line) for d in found] == [("emperor.ini", 3)]


# -- UW507 secret-in-config ----------------------------------------------------------------

SECRETS = ("hunter2secret", "s3cr3tpw", "m41lpassw0rd", "placeholderpw99", "legionsecret77",
           "adminpw55", "awssecretvalue1", "hookt0ken42")
SECRET_CONFIG = (
    "[uwsgi]\nsocket = /run/app.sock\n" + USER
    + "env = DB_PASSWORD=hunter2secret\n"
    "env = DATABASE_URL=postgres://app:s3cr3tpw@db/app\n"
    "env = MAIL_PASSWORD=%(mailpw)\n"
    "mailpw = m41lpassw0rd\n"
    "db_pass = placeholderpw99\n"
    "legion = mylegion 192.168.0.1:4242 100 bf-cbc:legionsecret77\n"
    "route = ^/admin basicauth:Realm,admin:adminpw55\n"
    "set-placeholder = aws_secret=awssecretvalue1\n"
    "hook-asap = exec:curl -d API_TOKEN=hookt0ken42 http://127.0.0.1/\n"
)


def test_secrets_reported_masked(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", SECRET_CONFIG, "UW507")
    assert where(found) == [("UW507", 5, 7), ("UW507", 6, 7), ("UW507", 8, 10),
                            ("UW507", 9, 11), ("UW507", 10, 10), ("UW507", 11, 9),
                            ("UW507", 12, 19)]
    assert found[0][3] == (
        "`env` writes the secret `DB_PASSWORD=********` into the config; read it from the "
        "environment: `DB_PASSWORD=$(DB_PASSWORD)`")
    assert details(tmp_path, "a.ini", SECRET_CONFIG, "UW507")[0] == (
        "Whoever reads this file (or its copies in version control and backups) has it. Read "
        "it from the environment, or from a file only the app user can read "
        "(`DB_PASSWORD=@(/etc/app/db_password)`).")
    assert found[1][3].startswith(
        "`env` writes a password into the config in a URL (`postgres://app:********@db/app`)")
    assert found[2][3].startswith(
        "the placeholder `mailpw` (`********`), which `env` passes on as `MAIL_PASSWORD`, is "
        "a secret written into the config")
    assert found[3][3].startswith(
        "the placeholder `db_pass` holds a secret written into the config "
        "(`db_pass = ********`)")
    assert found[4][3].startswith("`legion` writes its shared secret (`bf-cbc:********`)")
    assert found[5][3].startswith("`route` writes the password of `admin` into the config; ")
    assert details(tmp_path, "a.ini", SECRET_CONFIG, "UW507")[5].startswith(
        "`basicauth:...,admin:********`")
    assert found[6][3].startswith("`set-placeholder` writes the secret `aws_secret=********`")


def test_secret_values_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text and JSON outputs, and `show` in both formats, never contain a secret value
    (the full and SARIF formats do not exist yet: add them here when they do)."""
    path = write(tmp_path, "a.ini", SECRET_CONFIG)
    for argv in ([str(path)], ["--format", "json", str(path)], ["show", str(path)],
                 ["show", "--format", "json", str(path)]):
        main(argv)
        out = capsys.readouterr()
        assert "********" in out.out, argv
        for secret in SECRETS:
            assert secret not in out.out + out.err, (argv, secret)
    main(["--format", "json", str(path)])
    doc = json.loads(capsys.readouterr().out)
    assert sum(d["code"] == "UW507" for d in doc["diagnostics"]) == 7


def test_other_rules_quote_values_masked(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Rules that quote a value (UW105 inline comment, UW107 vanishing `%`) mask secrets
    too: ``values.shown`` masks them."""
    path = write(tmp_path, "a.ini", (
        "[uwsgi]\nenv = DB_PASSWORD=hunter2xyz # prod\nenv = API_TOKEN=ab%zcd99x\n"))
    for argv in ([str(path)], ["--format", "json", str(path)]):
        main(argv)
        out = capsys.readouterr().out
        assert "UW105" in out and "UW107" in out
        for secret in ("hunter2xyz", "zcd99x", "abcd99x"):
            assert secret not in out, (argv, secret)


def test_secrets_silent(tmp_path: Path) -> None:
    silent(tmp_path, "UW507", [
        "env = DB_PASSWORD=$(DB_PASSWORD)\n",
        "env = DB_PASSWORD=@(/etc/hostname)\n",
        "env = DB_PASSWORD=\n",
        "env = SECRET_KEY=changeme\n",
        "env = SECRET_KEY={{ django_secret }}\n",
        "env = SECRET_KEY=${SECRET_KEY}\n",
        "env = API_TOKEN=<your token>\n",
        "env = SECRET_KEY_FILE=/run/secrets/django\n",
        "env = TOKEN_TTL=3600\n",
        "env = PASSWORD_MIN_LENGTH=12\n",
        "env = AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
        "env = DJANGO_SETTINGS_MODULE=app.settings\n",
        "env = PWD=/srv/app\n",
        "env = DATABASE_URL=postgres://app@db/app\n",
        "env = DATABASE_URL=postgres://app:$(DB_PASSWORD)@db/app\n",
        "route = ^/admin basicauth:Realm,/etc/app/htpasswd\n",
        "legion = mylegion 192.168.0.1:4242 100 bf-cbc:%(legion_key)\n",
        "api_key_file = /etc/app/key\n",
    ])


def test_secret_helpers() -> None:
    assert [n for n in ("DB_PASSWORD", "SECRET_KEY", "apiToken", "db_pass", "STRIPE_API_KEY",
                        "PWD", "TOKEN_URL", "SECRET_KEY_FILE", "LANG") if secret_name(n)] == [
        "DB_PASSWORD", "SECRET_KEY", "apiToken", "db_pass", "STRIPE_API_KEY"]
    assert not literal_secret("  ") and not literal_secret("xxxx") and literal_secret("k3y!")
    assert masked("env", "DB_PASSWORD=abc") == "DB_PASSWORD=********"
    assert masked("db_password", "abc") == "********"
    assert masked("snmp-community", "abc", option=True) == "abc"
    assert mask_text("redis://:pw@host:6379/0") == "redis://:********@host:6379/0"


# -- UW508 socket-port-without-host / UW509 socket-wildcard-host ---------------------------


def test_port_without_host(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = 3031\nhttp = 8080\nstats = 9191\n" + USER
    found = findings(tmp_path, "a.ini", text, "UW508")
    assert where(found) == [("UW508", 2, 10), ("UW508", 3, 8), ("UW508", 4, 9)]
    assert found[0][3] == (
        "`socket = 3031` binds a UNIX socket file named `3031`, not TCP port 3031; write "
        "`127.0.0.1:3031` for this host only")
    assert details(tmp_path, "a.ini", text, "UW508")[0] == (
        "The value has no `:`, so uWSGI takes it as a file in its working directory. For "
        "every interface, write `:3031`.")
    found = findings(tmp_path, "a.json", '{"uwsgi": {"http-socket": 8080}}\n', "UW508")
    assert where(found) == [("UW508", 1, 27)]
    silent(tmp_path, "UW508", ["socket = :3031\n", "socket = /run/3031\n", "processes = 3031\n",
                               "socket = $(PORT)\n"])


def test_wildcard_host(tmp_path: Path) -> None:
    text = "[uwsgi]\nhttp-socket = *:8080\nshared-socket = *:3031\n" + USER
    found = findings(tmp_path, "a.ini", text, "UW509")
    assert where(found) == [("UW509", 2, 15), ("UW509", 3, 17)]
    assert found[0][3] == (
        "`http-socket = *:8080` is not every interface: on Linux uWSGI tries 1.0.0.0 and "
        "exits; write `127.0.0.1:8080` (this host) or `:8080` (every interface)")
    assert details(tmp_path, "a.ini", text, "UW509")[0] == (
        "uWSGI replaces `*` with the first interface address (getifaddrs()) that starts with "
        "the text before it; with nothing before it, on Linux that is the loopback's "
        "link-layer entry read as 1.0.0.0, so bind() fails with \"Cannot assign requested "
        "address\" and uWSGI exits.")
    silent(tmp_path, "UW509", ["socket = 192.168.*:3031\n", "socket = 127.*:3031\n",
                               "http = *:8080\n"])


def test_assumptions_default_is_not_container() -> None:
    assert Assumptions().container is False


# -- issue 12: one answer to "does this `uid` drop root" (View.uid_effect) -----------------


def _vassal_uw504(tmp_path: Path, emperor_text: str) -> list[tuple[str, str, int, str]]:
    (tmp_path / "vassals").mkdir()
    vassal = write(tmp_path, "vassals/app.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n")
    if os.getuid() == 0:
        os.chown(vassal, 1000, 1000)  # tyrant mode refuses a root-owned file
    emperor = write(tmp_path, "emperor.ini", emperor_text)
    report = lint([str(emperor)], Assumptions(context="host"))
    assert report.errors == []
    return [(d.code, Path(d.span.file).name, d.span.start.line, d.message)
            for d in report.diagnostics if d.code == "UW504"]


def test_vassal_of_an_emperor_with_a_uid_above_2_to_the_31(tmp_path: Path) -> None:
    # uWSGI 2.0.31 run as root with `uid = 3000000000`: it logs "setuid() to -1294967296"
    # (atoi() wraps, the uid_t is 3000000000) and the socket it then binds belongs to uid
    # 3000000000: the Emperor is no longer root when it starts its vassals
    text = "[uwsgi]\nemperor = %dvassals\nuid = 3000000000\ngid = 3000000000\n"
    assert _vassal_uw504(tmp_path, text) == []


def test_vassal_of_an_emperor_whose_tyrant_mode_is_turned_off(tmp_path: Path) -> None:
    # the last `emperor-tyrant` wins (core/uwsgi.c: uwsgi_opt_true()); uWSGI 2.0.31 run as
    # root with `emperor-tyrant = true` then `= false` starts the vassal as root (its socket
    # belongs to uid 0, no "[emperor-tyrant] dropping privileges" line)
    text = "[uwsgi]\nemperor = %dvassals\nemperor-tyrant = true\nemperor-tyrant = false\n"
    [(code, name, line, message)] = _vassal_uw504(tmp_path, text)
    assert (code, name, line) == ("UW504", "app.ini", 2)
    assert "its Emperor, started as root (`context = host`), starts it as root" in message


def test_vassal_of_an_emperor_with_immediate_uid(tmp_path: Path) -> None:
    # core/uwsgi.c: uwsgi_opt_set_immediate_uid() calls setuid() while the config is read
    text = "[uwsgi]\nemperor = %dvassals\nimmediate-uid = emperor\n"
    assert _vassal_uw504(tmp_path, text) == []


def test_uid_name_that_is_uid_0_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # uwsgi_as_root(): getpwnam() gives uid 0, so no setuid(): root is kept (the name is
    # looked up on this machine)
    import pwd

    real = pwd.getpwnam
    monkeypatch.setattr(pwd, "getpwnam", lambda n: real("root") if n == "toor" else real(n))
    found = findings(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/app.sock\nuid = toor\n",
                     "UW504")
    assert where(found) == [("UW504", 3, 7)]
    assert found[0][3].startswith("`uid = toor` keeps root: started as root, it serves")
    [(code, name, line, _)] = _vassal_uw504(tmp_path, "[uwsgi]\nemperor = %dvassals\n"
                                            "uid = toor\n")
    assert (code, name, line) == ("UW504", "app.ini", 2)


def test_uid_root_after_a_number_drops_root(tmp_path: Path) -> None:
    # uwsgi_opt_set_uid() keeps a name only while the id is 0: after `uid = 33`, `uid = root`
    # is ignored; uWSGI 2.0.31 run as root logs "setuid() to 33" (and binds as uid 33)
    silent(tmp_path, "UW504", ["socket = /run/app.sock\nuid = 33\nuid = root\ngid = 33\n"])


def test_immediate_uid_root_exits(tmp_path: Path) -> None:
    # uWSGI 2.0.31: `immediate-uid = root` (or 0) exits with
    # "uwsgi_opt_set_immediate_uid(): invalid uid 0": it never serves as root
    silent(tmp_path, "UW504", ["socket = /run/app.sock\nimmediate-uid = root\n"])


def test_abstract_socket_turned_off_under_a_condition(tmp_path: Path) -> None:
    # the last `abstract-socket` applied wins (uwsgi_opt_true()); undecided here, so the
    # socket may be abstract and UW502 does not claim a file writable by everyone
    silent(tmp_path, "UW502", [
        "socket = /run/app.sock\nchmod-socket = 666\nabstract-socket = true\nif-env = X\n"
        "abstract-socket = false\nendif =\n" + USER])

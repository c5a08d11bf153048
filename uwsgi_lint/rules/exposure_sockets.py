"""UW501-UW503, UW508, UW509: sockets that let in more clients than meant.

How uWSGI reads a socket address (``core/socket.c``): a value without ``:`` is a UNIX
socket path (``@name`` abstract); the text after the LAST ``:`` is the port; an empty host
is every interface; ``[addr]:port`` is IPv6; a host name is resolved once
(``uwsgi_resolve_ip``).  The socket options also go through ``generate_socket_name()``,
where a ``*`` makes uWSGI pick the first interface address that starts with the text before
it.  ``chmod-socket`` and the umask decide who may connect to a UNIX socket
(``bind_to_unix()``); ``daemonize`` sets the umask to 0 (``core/utils.c: daemonize()``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ..catalog import Catalog
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix, Role
from ..textfix import replace_value
from ..values import atoi, shown
from . import Entries, rule

# the socket options uWSGI binds itself: not the ZeroMQ ones (`zeromq`, `mongrel2`), which
# ``uwsgi_opt_add_lazy_socket()`` marks bound for the plugin to open in each worker
_EAGER_SOCKETS = View.SOCKET_HANDLERS - {View.LAZY_SOCKET_HANDLER}
SSL_HANDLERS = frozenset({"uwsgi_opt_add_ssl_socket", "uwsgi_opt_https", "uwsgi_opt_sslrouter"})
# the protocol each socket option speaks (the third field of its table row); `socket`
# speaks `protocol`/`socket-protocol`, default uwsgi
SOCKET_PROTOCOL = {
    "uwsgi-socket": "uwsgi",
    "puwsgi-socket": "puwsgi",
    "suwsgi-socket": "suwsgi",
    "ssl-socket": "suwsgi",
    "http-socket": "http",
    "http11-socket": "http11",
    "https-socket": "https",
    "fastcgi-socket": "fastcgi",
    "fastcgi-nph-socket": "fastcgi-nph",
    "scgi-socket": "scgi",
    "scgi-nph-socket": "scgi-nph",
    "raw-socket": "raw",
}
# protocols whose request variables reach uwsgi_parse_vars() as the client sent them
# (UWSGI_FILE, UWSGI_MODULE ...); http turns headers into HTTP_* and raw parses nothing
VARIABLE_PROTOCOLS = {
    "uwsgi": "the uwsgi protocol",
    "puwsgi": "the uwsgi protocol",
    "suwsgi": "the uwsgi protocol",
    "fastcgi": "FastCGI",
    "fastcgi-nph": "FastCGI",
    "scgi": "SCGI",
    "scgi-nph": "SCGI",
}
LOOPBACK_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4",
     "ip6-localhost", "ip6-loopback", "localhost6", "localhost6.localdomain6"}
)
EXPOSED = frozenset({"all", "all6", "public", "private", "multicast", "name", "prefix"})
_REF = re.compile(r"[$%@]\([^()]*\)")
_TEMPLATE = re.compile(r"\$\{|\{\{|\{%")  # filled in by another tool before uWSGI reads it
# what a container's own network reaches: the sibling containers, by design
CONTAINER_NETWORK = frozenset({"all", "all6", "private", "name", "prefix"})


@dataclass(frozen=True, slots=True)
class Address:
    """What a socket value binds: ``kind`` "unix", "abstract", "tcp", "shared" (``=N``),
    "fd" (``fd://N``) or "unknown"; for "tcp" the ``scope`` is "loopback", "all", "all6",
    "public", "private", "multicast", "name" (a host name), "prefix" (``10.*:port``),
    "wildcard" (``*:port``) or "invalid"."""

    kind: str
    scope: str = ""
    host: str = ""
    port: str = ""
    shared: int = -1


def address(value: str, *, autoip: bool = False, udp: bool = False) -> Address:
    """Read a socket value the way uWSGI binds it (see the module docstring).  ``autoip``:
    the option goes through ``generate_socket_name()``; ``udp``: ``bind_to_udp()`` (the
    FIRST ``:`` splits the port, no name resolution)."""
    v = value.lstrip() if autoip else value
    if not v or _TEMPLATE.search(v):
        return Address("unknown")
    if v.startswith("=") and v[1:].strip().isdigit():
        n = atoi(v[1:]).value
        return Address("shared", shared=n) if n >= 0 else Address("unknown")
    if v.startswith("fd://"):
        return Address("fd")
    colon = _split_colon(v, first=udp)
    if colon is None:
        if _REF.search(v):
            return Address("unknown")
        if v.startswith("@") or v.startswith("\\0"):
            return Address("abstract", host=v)
        return Address("unix", host=v)
    host, port = v[:colon], v[colon + 1 :]
    if _REF.search(host):
        return Address("unknown", host=host, port=port)
    if autoip and "*" in v:
        prefix = v[: v.index("*")]
        if prefix == "":
            return Address("tcp", "wildcard", host, port)
        scope = "loopback" if "127.0.0.1".startswith(prefix) else "prefix"
        return Address("tcp", scope, prefix, port)
    return Address("tcp", _scope(host, udp), host, port)


def _split_colon(v: str, first: bool) -> int | None:
    """Where the port starts: the last ``:`` (the first for UDP) outside a ``$()``/``%()``/
    ``@()`` reference that was left unresolved."""
    masked = _REF.sub(lambda m: "_" * len(m.group(0)), v)
    at = masked.find(":") if first else masked.rfind(":")
    return None if at == -1 else at


def _scope(host: str, udp: bool) -> str:
    if host == "":
        return "all"
    if host.startswith("[") and host.endswith("]"):
        try:
            ip6 = ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return "invalid"
        mapped = ip6.ipv4_mapped
        if ip6.is_unspecified:
            return "all6"
        if ip6.is_loopback or (mapped is not None and mapped.is_loopback):
            return "loopback"
        return _ip_scope(ip6)
    name = host.lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return "invalid" if udp else "loopback"  # bind_to_udp() uses inet_addr(): no names
    import socket  # inet_aton(): as uWSGI reads an IPv4 address ("10.1" is 10.0.0.1)

    try:
        ip4 = ipaddress.IPv4Address(socket.inet_ntoa(socket.inet_aton(host)))
    except (OSError, ValueError):
        return "invalid" if udp or not re.fullmatch(r"[A-Za-z0-9.-]+", host) else "name"
    if ip4.is_unspecified:
        return "all"
    if ip4.is_loopback:
        return "loopback"
    return _ip_scope(ip4)


def _ip_scope(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.is_multicast:
        return "multicast"
    if ip.is_private or ip.is_link_local:
        return "private"
    return "public"


def where(a: Address) -> str:
    """Where a TCP/UDP address listens, for a message."""
    port = f" (port {a.port})" if a.port else ""
    if a.port.strip() == "0":
        port = " (a port the kernel picks, port 0)"
    if a.scope == "all":
        return f"on every network interface{port}"
    if a.scope == "all6":
        return f"on every IPv6 interface, and every IPv4 one on a dual-stack host{port}"
    if a.scope == "public":
        return f"on the public address {a.host}{port}"
    if a.scope == "private":
        return f"on {a.host}{port}, a private-network address every host of that network reaches"
    if a.scope == "multicast":
        return f"on the multicast group {a.host}{port}, which every host of the network reaches"
    if a.scope == "name":
        return f"on the address that `{a.host}` resolves to{port}, a network interface"
    return f"on the first network interface whose address starts with `{a.host}`{port}"


def reach(a: Address) -> str:
    """Where a TCP/UDP address listens, in a few words (:func:`where` says more)."""
    return {"all": "every network interface", "all6": "every interface",
            "public": "a public address", "private": "a private-network address",
            "multicast": "a multicast group"}.get(a.scope, "a network interface")


def _local(a: Address) -> str:
    """The loopback form of an address, for a fix."""
    host = "[::1]" if a.scope == "all6" else "127.0.0.1"
    return f"`{host}:{a.port}`" if a.port else "127.0.0.1"


def _first_field(d: Directive, handler: str) -> str:
    """The address part of a value: ``addr,crt,key[,ciphers,ca]`` for TLS sockets."""
    value = d.effective
    return value.split(",", 1)[0] if handler in SSL_HANDLERS else value


def _client_cert_required(value: str) -> bool:
    """``addr,crt,key,ciphers,!ca``: a ``!`` before the client CA makes uWSGI require a
    client certificate (``core/ssl.c``); without it TLS authenticates no client."""
    fields = value.split(",")
    return len(fields) >= 5 and fields[4].startswith("!")


def socket_protocols(view: View) -> list[str | None]:
    """What `socket` may speak: the possible values of `protocol`/`socket-protocol`
    (``None``: unresolved)."""
    out: list[str | None] = []
    for d in view.candidates("protocol"):
        if d is None:
            out.append("uwsgi")
        else:
            out.append(None if d.unresolved else d.effective.strip())
    return out


def _protocol_of(d: Directive, protocols: list[str | None]) -> str | None:
    """The protocol a socket entry speaks when all the possibilities agree on a variable-
    passing one (its name), else ``None``."""
    if d.key in SOCKET_PROTOCOL:
        proto = SOCKET_PROTOCOL[d.key]
        return proto if proto in VARIABLE_PROTOCOLS else None
    if d.key == "socket" and protocols and all(p in VARIABLE_PROTOCOLS for p in protocols):
        return protocols[0]
    return None


def _exposed(a: Address, view: View) -> bool:
    """A TCP address others reach; in a container (:meth:`~uwsgi_lint.facts.View.
    in_container`) only a public address counts, or one whose port a compose file
    publishes on every interface of the host (every interface of a container is the
    container network, which the web server needs)."""
    if a.kind != "tcp" or a.scope not in EXPOSED:
        return False
    return not (a.scope in CONTAINER_NETWORK and view.in_container()
                and view.published(a.port) is None)


_RUN_CODE = (
    "has no authentication and trusts the variables the client sends (with the Python "
    "plugin, UWSGI_FILE or UWSGI_MODULE load a file or module of the client's choosing), so "
    "anyone who reaches the port can run code as the app's user"
)


@rule(
    "UW501",
    "uwsgi-socket-exposed",
    Severity.WARNING,
    "A uwsgi/FastCGI/SCGI-protocol socket on a network address: anyone who reaches the port "
    "can make the app load code.",
    on=Entries(handlers=_EAGER_SOCKETS, names=frozenset({"fastrouter"}), unique=True),
)
def check_exposed(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None:
        return
    if opt.handler not in _EAGER_SOCKETS:  # `fastrouter`
        a = address(d.effective)
        if not _exposed(a, view):
            return
        yield Finding(
            d.value_span,
            f"`{d.key} = {shown(d.effective)}` passes uwsgi requests from {reach(a)} to its "
            f"backends, with no authentication; bind {_local(a)} or a UNIX socket",
            detail=f"It accepts uwsgi requests {where(a)} and passes them, variables and all, "
            f"to its backends: the uwsgi protocol {_RUN_CODE}. Bind {_local(a)} or a UNIX "
            "socket for the web server in front.",
        )
        return
    proto = _protocol_of(d, socket_protocols(view))
    if proto is None or d.effective.lstrip().startswith("fd://"):
        return
    if opt.handler in SSL_HANDLERS and _client_cert_required(d.effective):
        return
    a = address(_first_field(d, opt.handler), autoip=True)
    related: tuple[Related, ...] = ()
    if a.kind == "shared":
        shared = view.by_handler({View.SHARED_SOCKET_HANDLER})  # `=0` is the first
        if a.shared >= len(shared):
            return
        n, s = a.shared, shared[a.shared]
        a = address(s.effective, autoip=True)
        related = (Related(f"shared socket {n} is bound here", s.span),)
    if not _exposed(a, view):
        return
    what = VARIABLE_PROTOCOLS[proto]
    tls = ""
    if proto == "suwsgi":
        tls = (" TLS without a required client certificate (a `!` before the client "
               "CA) authenticates no one, and")
    yield Finding(
        d.value_span,
        f"`{d.key} = {shown(d.effective)}` serves {what} on {reach(a)}: anyone who reaches it "
        f"can run code; bind {_local(a)} or a UNIX socket",
        related,
        detail=f"It serves {what} {where(a)}:{tls} {what} {_RUN_CODE}. Bind {_local(a)} or a "
        "UNIX socket for the web server in front (or use `http-socket` for clients that "
        "connect directly).",
    )


# -- UW502: a UNIX socket every local user may connect to --------------------------------

# what binds a socket (a UNIX one when the value has no ':', which chmod-socket applies to)
_BINDING = Entries(handlers=View.BINDING_HANDLERS, names=View.STATS_SERVERS, unique=True)


def _bound(view: View, d: Directive) -> Address:
    """The address an entry of :meth:`~uwsgi_lint.facts.View.binds` binds."""
    opt = view.catalog.get(d.key)
    handler = opt.handler if opt is not None else ""
    if handler in View.ROUTER_HANDLERS:
        return address(_first_field(d, handler))
    if handler in View.BINDING_HANDLERS:
        return address(_first_field(d, handler), autoip=True)
    return address(d.effective)  # a stats server


def unix_sockets(view: View) -> list[tuple[Directive, str]]:
    """Every UNIX (not abstract) socket the instance binds, with its path, when
    `abstract-socket` is surely off (it makes every UNIX socket abstract)."""
    if view.flag("abstract-socket") is not False:
        return []
    out: list[tuple[Directive, str]] = []
    for d in view.binds():
        a = _bound(view, d)
        if a.kind == "unix":
            out.append((d, a.host))
    return out


def chmod_mode(entries: list[Directive]) -> int | None:
    """The mode ``uwsgi_opt_chmod_socket`` leaves after these entries (each one shifts its
    three digits in; ``1`` or no digits at all: 0666), ``None`` when one is unresolved or
    invalid (uWSGI exits: UW121's case)."""
    acc = 0
    for d in entries:
        if d.unresolved:
            return None
        value = d.effective
        if value == "1":
            continue
        if not re.fullmatch(r"[0-7]{3}", value):
            return None
        acc = (acc << 9) | int(value, 8)
    return 0o666 if acc == 0 else acc & 0o7777


def umask_value(value: str) -> tuple[int, bool]:
    """``uwsgi_mode_t()``: three digits, or the three after the first of a longer value;
    a shorter value is an error that still leaves the umask 0.  Returns (mask, valid)."""
    if len(value) < 3:
        return 0, False
    digits = value[:3] if len(value) == 3 else value[1:4]
    mode = 0
    for c in digits:
        mode = (mode << 3) + (ord(c) - ord("0"))
    return mode & 0o777, all("0" <= c <= "7" for c in digits)


def _private_mode(view: View, chmods: list[Directive], mode: int) -> Fix | None:
    """The one `chmod-socket` line, in the instance's own file, written with the mode
    ``mode`` leaves to the owner and the group only (``666`` -> ``660``): a guess, as the web
    server may not be in the socket's group."""
    d = chmods[0]
    private = mode & 0o770
    if len(chmods) != 1 or not private or d.file != view.inst.root.path or d.origin:
        return None  # (no digits at all would be 666 again)
    edits = replace_value(d, f"{private:03o}")
    if edits is None:
        return None
    return Fix(f"write `{d.key} = {private:03o}`", edits, Applicability.UNSAFE)


def _sockets_text(socks: list[tuple[Directive, str]]) -> str:
    names = [f"`{path}`" for _, path in socks[:2]]
    more = f" and {len(socks) - 2} more" if len(socks) > 2 else ""
    return (" and ".join(names) if len(socks) <= 2 else ", ".join(names)) + more


def _local_users(view: View, socks: list[tuple[Directive, str]]) -> str:
    """What any local account can do with a socket it may write to."""
    protocols = socket_protocols(view)
    speaks = any(
        (o := view.catalog.get(d.key)) is not None
        and o.handler in View.SOCKET_HANDLERS
        and _protocol_of(d, protocols) is not None
        for d, _ in socks
    )
    text = "Any local account can connect and talk to the app past the web server"
    if speaks:
        text += (" (and over the uwsgi protocol make it load a file or module of its choosing "
                 "with UWSGI_FILE/UWSGI_MODULE)")
    return text + "."


_CHOWN_FIX = "use `chmod-socket = 660` with `chown-socket = <app user>:<web server group>`"


@rule(
    "UW502",
    "socket-world-writable",
    Severity.WARNING,
    "A UNIX socket every local user may connect to (`chmod-socket = 666`, a 0 umask).",
    on=_BINDING,
    fix="unsafe",
)
def check_world_writable(view: View, entry: Directive) -> Iterator[Finding]:
    """Judged once per instance, at the first entry that binds a socket."""
    if entry is not view.binds()[0]:
        return
    socks = unix_sockets(view)
    if not socks:
        return
    related = tuple(Related("UNIX socket bound here", d.span) for d, _ in socks[:3])
    what = _sockets_text(socks)
    chmods = view.entries("chmod-socket")
    if chmods:
        mode = chmod_mode(chmods)
        if mode is None or not mode & 0o002:
            return
        last = chmods[-1]
        value = last.effective
        if len(chmods) > 1:
            how = f"the {len(chmods)} `{last.key}` lines leave mode {mode:04o}, which makes"
        elif value == "1":
            how = f"`{last.key} = 1` (mode 666) makes"
        elif int(value, 8) == 0:
            how = (f"`{last.key} = {value}` counts as no mode, which uWSGI turns into 666, "
                   "and makes")
        else:
            how = f"`{last.key} = {value}` makes"
        span = last.value_span if last.raw_value else last.key_span
        yield Finding(
            span,
            f"{how} {what} world-writable; {_CHOWN_FIX}",
            related,
            detail=_local_users(view, socks),
            fix=_private_mode(view, chmods, mode),
        )
        return
    umasks = view.entries("umask")
    if umasks:
        d = umasks[-1]  # IMMEDIATE: the last one applied before the sockets are bound
        mask, valid = umask_value(d.value)
        if mask & 0o002:
            return
        read = "" if valid and len(d.value) == 3 else (
            f"uWSGI reads `{shown(d.value)}` as {mask:03o}"
            + (", after logging \"invalid umask\". " if len(d.value) < 3 else ". "))
        yield Finding(
            d.value_span if d.raw_value else d.key_span,
            f"`umask = {shown(d.value)}` makes uWSGI create {what} with mode "
            f"{0o777 & ~mask:03o}, writable by every local user; set `umask = 022` (or 027)",
            related,
            detail=f"{read}{_local_users(view, socks)} Along with the umask, "
            f"{_CHOWN_FIX.removeprefix('use ')}.",
        )
        return
    if view.inst.role is Role.VASSAL:
        # under an Emperor `daemonize` only opens the log, but the vassal inherits the
        # Emperor's umask, which the Emperor's own `daemonize` set to 0
        emperor = view.emperor
        if emperor is None or emperor.inst.role is Role.VASSAL or emperor.sets("umask"):
            return
        if not emperor.read_whole():
            return  # what was not read of the Emperor may set `umask`
        daemons = emperor.entries("daemonize")
        if not daemons:
            return
        first = socks[0][0]
        yield Finding(
            first.value_span,
            f"the Emperor's `{daemons[-1].key}` set the umask its vassals inherit to 0: uWSGI "
            f"creates {what} with mode 777; add `umask = 022` to the Emperor",
            (Related("the Emperor daemonizes here", daemons[-1].span), *related[1:]),
            detail=f"The Emperor gives no `umask`. Mode 777 makes the socket writable by every "
            f"local user. {_local_users(view, socks)} Or, here, "
            f"{_CHOWN_FIX.removeprefix('use ')}.",
        )
        return
    daemons = view.entries("daemonize")
    if not daemons or not view.read_whole():
        return  # (what was not read may set `umask`)
    d = daemons[-1]
    yield Finding(
        d.key_span,
        f"`{d.key}` sets the umask to 0: uWSGI creates {what} with mode 777, writable by every "
        "local user; add `umask = 022`",
        related,
        detail=f"`{d.key}` does so when no `umask` is given, started on its own (under an "
        f"Emperor it only opens the log). {_local_users(view, socks)} Or "
        f"{_CHOWN_FIX.removeprefix('use ')}.",
    )


# -- UW503: a control or stats socket on a network address --------------------------------

_TCP_FIX = "bind it to 127.0.0.1 or a UNIX socket"
_UDP_FIX = "bind it to 127.0.0.1, or to an interface only its peers reach, behind a firewall"
_SUBSCRIPTION_FIX = ("bind it to 127.0.0.1 or a UNIX datagram socket, or accept only signed "
                     "subscriptions (`subscriptions-sign-check`)")
_ROUTER_STATS = ("read the router's JSON stats (its nodes, subscriptions and keys)", _TCP_FIX)
# name: (UDP, what anyone who reaches it can do, the fix)
_CONTROL: dict[str, tuple[bool, str, str]] = {
    # the master's stats server (`stats-no-cores` leaves out the per-core request variables)
    "stats": (False, "read the master's JSON stats: the workers, the commands of attached "
                     "daemons and crons, and the variables of requests in progress (cookies "
                     "and Authorization headers included, unless `stats-no-cores`)", _TCP_FIX),
    "fastrouter-stats": (False, *_ROUTER_STATS),
    "http-stats": (False, *_ROUTER_STATS),
    "rawrouter-stats": (False, *_ROUTER_STATS),
    "sslrouter-stats": (False, *_ROUTER_STATS),
    "cache-udp-server": (True, "write any item of the caches it keeps in sync", _UDP_FIX),
    "udp": (True, "write lines into the log and reach every plugin's UDP handler", _UDP_FIX),
    "snmp": (True, "query the SNMP agent, whose only check is the community string",
             _UDP_FIX),
    "pty-socket": (False, "attach to the instance's terminal (the pty plugin)", _TCP_FIX),
}
_SUBSCRIPTION = (
    "subscribe a node of theirs for any domain key and receive its traffic, or unsubscribe "
    "the real nodes"
)
_SUBSCRIPTION_SERVERS = ("fastrouter-subscription-server", "http-subscription-server",
                         "rawrouter-subscription-server", "sslrouter-subscription-server")


@cache
def _controls(catalog: Catalog) -> dict[str, tuple[str, tuple[bool, str, str]]]:
    """Every control option, aliases included: name -> (its name in ``_CONTROL`` or
    ``_SUBSCRIPTION_SERVERS``, (UDP, what anyone who reaches it can do, the fix))."""
    table: dict[str, tuple[str, tuple[bool, str, str]]] = {}
    rows = [*_CONTROL.items(),
            *((n, (True, _SUBSCRIPTION, _SUBSCRIPTION_FIX)) for n in _SUBSCRIPTION_SERVERS)]
    for name, info in rows:
        opt = catalog.get(name)
        for n in (name, *(opt.aliases if opt is not None else ())):
            table[n] = (name, info)
    return table


@rule(
    "UW503",
    "control-socket-exposed",
    Severity.WARNING,
    "A stats, subscription, cache-sync or other control socket on a network address.",
    on=Entries(names=frozenset({*_CONTROL, *_SUBSCRIPTION_SERVERS}), unique=True),
)
def check_control(view: View, d: Directive) -> Iterator[Finding]:
    found = _controls(view.catalog).get(d.key)
    if found is None or (d.key == "snmp" and not d.effective):
        return
    name, (udp, can, fix) = found
    if name in _SUBSCRIPTION_SERVERS and view.sets("subscriptions-sign-check"):
        return
    if name == "stats" and (view.governs() or view.inst.emperor is not None):
        return  # an Emperor's or a vassal's `stats` is UW211's (emperor-stats-exposed)
    a = address(d.effective, udp=udp)
    if not _exposed(a, view):
        return
    fix, _, other = fix.partition(", or ")
    if other.startswith("to "):
        other = f"bind it {other}"  # the UDP fix: "bind it to 127.0.0.1, or to ..."
    yield Finding(
        d.value_span,
        f"`{d.key} = {shown(d.effective)}` listens on {reach(a)}, with no authentication; "
        f"{fix}",
        detail=f"It listens {where(a)}: anyone who reaches it can {can}."
        + (f" Or {other}." if other else ""),
    )


# -- UW508 / UW509: socket values that do not bind what they seem to -----------------------


@rule(
    "UW508",
    "socket-port-without-host",
    Severity.WARNING,
    "`socket = 3031` (no `:`) binds a UNIX socket file named 3031, not TCP port 3031.",
    on=_BINDING,
)
def check_number_path(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None or d.unresolved:
        return
    value = _first_field(d, opt.handler).strip()
    if not value.isdigit() or not value.isascii():
        return
    yield Finding(
        d.value_span,
        f"`{d.key} = {value}` binds a UNIX socket file named `{value}`, not TCP port {value}; "
        f"write `127.0.0.1:{value}` for this host only",
        detail=f"The value has no `:`, so uWSGI takes it as a file in its working directory. "
        f"For every interface, write `:{value}`.",
    )


@rule(
    "UW509",
    "socket-wildcard-host",
    Severity.ERROR,
    "`socket = *:3031` is not every interface: uWSGI 2.0 on Linux tries 1.0.0.0 and exits.",
    on=Entries(handlers=View.SOCKET_HANDLERS | {View.SHARED_SOCKET_HANDLER}, unique=True),
)
def check_wildcard(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None:
        return
    a = address(_first_field(d, opt.handler), autoip=True)
    if a.kind != "tcp" or a.scope != "wildcard":
        return
    yield Finding(
        d.value_span,
        f"`{d.key} = {shown(d.effective)}` is not every interface: on Linux uWSGI tries "
        f"1.0.0.0 and exits; write `127.0.0.1:{a.port}` (this host) or `:{a.port}` (every "
        "interface)",
        detail="uWSGI replaces `*` with the first interface address (getifaddrs()) that "
        "starts with the text before it; with nothing before it, on Linux that is the "
        "loopback's link-layer entry read as 1.0.0.0, so bind() fails with \"Cannot assign "
        "requested address\" and uWSGI exits.",
    )

"""Who the client is, behind a reverse proxy: only trusted hops count.

TRUSTED_PROXIES is either a number of hops (every request reaches us through exactly that many
proxies, e.g. `1` for one nginx), or the networks of the proxies (`10.0.0.0/8,192.0.2.7`).
With networks, X-Forwarded-For is read from the right and only as far as the hops are trusted:
a client that talks to us directly and sends the header itself changes nothing.

Rate limits key on the client's address, IPv6 on its /64 (one home or office has a whole /64).
Headers only a proxy may set (X-Request-ID) are believed only when the request came through one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: in the WSGI environ: the request reached us through a proxy we trust
VIA_TRUSTED_PROXY = "ravijn.via_trusted_proxy"


def parse_trusted(value: str) -> int | tuple[Network, ...]:
    """'' → 0 (no proxy); '2' → two hops; 'a/b, c' → those networks. ValueError if malformed."""
    value = value.strip()
    if not value:
        return 0
    if value.isdigit():
        return int(value)
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(","))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """'1.2.3.4', '1.2.3.4:5678', '[2001:db8::1]:80', '::ffff:1.2.3.4' (as IPv4); else None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedNetworks:
    """WSGI middleware: REMOTE_ADDR (and the scheme) from the nearest untrusted hop."""

    def __init__(self, app: Callable[..., Iterable[bytes]], networks: tuple[Network, ...]):
        self.app = app
        self.networks = networks

    def trusted(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR", "")
        if self.trusted(peer):
            environ[VIA_TRUSTED_PROXY] = True
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            client = peer
            for hop in reversed([h for h in hops if h]):
                client = hop
                if not self.trusted(hop):
                    break
            address = _address(client)
            if address is not None:
                environ["REMOTE_ADDR"] = str(address)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)


class TrustedHops:
    """WSGI middleware: every request comes through exactly `hops` proxies (so the peer is one
    of ours); the client is read from X-Forwarded-For that many hops from the right."""

    def __init__(self, app: Callable[..., Iterable[bytes]], hops: int):
        self.app = ProxyFix(app, x_for=hops, x_proto=hops)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        environ[VIA_TRUSTED_PROXY] = True
        return self.app(environ, start_response)


def wrap(app: Callable[..., Iterable[bytes]], trusted: int | tuple[Network, ...]) -> Callable:
    if isinstance(trusted, int):
        return TrustedHops(app, trusted) if trusted else app
    return TrustedNetworks(app, trusted)


def via_trusted_proxy() -> bool:
    """Whether this request reached us through a trusted proxy (not straight from a client)."""
    return bool(request.environ.get(VIA_TRUSTED_PROXY))


def client_key() -> str:
    """The rate-limit key: the client's address, IPv6 cut to its /64."""
    address = _address(request.remote_addr or "")
    if address is None:
        return request.remote_addr or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)

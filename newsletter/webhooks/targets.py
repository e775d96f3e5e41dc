"""Where a webhook may go, and the one way out to it. A receiver must be a public address
(https in production): no loopback, private or reserved addresses, and for IPv6 only global
unicast (2000::/3), unless WEBHOOK_ALLOW_PRIVATE says so. Link-local addresses (with the
cloud metadata service at 169.254.169.254) are refused always. The check runs at registration
and again at every delivery, and the connection goes to exactly the address that was checked
(a name that resolves differently a second later cannot point us inside the network)."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10
DEADLINE_SECONDS = 20  # a whole attempt, however slowly the receiver answers
ANSWER_MAX = 64 * 1024  # what we read of an answer: the status is what counts


class TargetRefused(ValueError):
    """A URL we will not send to; the message says why, in Dutch."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the IP address that was checked


#: IPv6 unicast on the internet is 2000::/3; all else (site-local fec0::/10, SRv6 5f00::/16,
#: ULA, NAT64, mapped forms) is inside or nowhere, whatever `is_global` says
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
#: inside 2000::/3 but for documentation only; `is_global` misses 3fff::/20 (RFC 9637)
_DOCUMENTATION = [ipaddress.ip_network(n) for n in ("2001:db8::/32", "3fff::/20")]
#: link-local, and the cloud metadata service reachable from every virtual machine: never a
#: receiver, not even with WEBHOOK_ALLOW_PRIVATE (it hands out the machine's credentials)
_NEVER = [ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128")]
#: forms that carry an IPv4 address in their last 32 bits: IPv4-compatible, IPv4-translated,
#: NAT64 (well-known and local-use prefix)
_CARRY_IPV4 = [
    ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address:
    return ipaddress.ip_address(text.split("%")[0])


def _wrapped(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (mapped, 6to4, Teredo and the above)."""
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if any(address in net for net in _CARRY_IPV4):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [inner for inner in found if inner is not None]


def _link_local(text: str) -> bool:
    """Link-local (169.254.0.0/16 with the metadata service, fe80::/10), also inside IPv6."""
    address = _address(text)
    if any(address in net for net in _NEVER if net.version == address.version):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        return any(_link_local(str(inner)) for inner in _wrapped(address))
    return False


def _inside(text: str) -> bool:
    """Not a public unicast address, also when IPv6 wraps an IPv4 address (mapped, 6to4,
    Teredo, NAT64 and IPv4-compatible forms)."""
    address = _address(text)
    if address.is_multicast or not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        if address not in _GLOBAL_UNICAST or any(address in net for net in _DOCUMENTATION):
            return True
        return any(_inside(str(inner)) for inner in _wrapped(address))
    return False


def check(url: str, *, allow_private: bool, production: bool) -> Target:
    url = url.strip()
    if len(url) > 500 or not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused(
            "Het adres is te lang, of bevat spaties of bijzondere tekens (schrijf die als "
            "%-code, zoals %C3%A9 voor é)."
        )
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise TargetRefused("Het adres klopt niet (de server of het poortnummer).") from None
    allowed = ("https",) if production or not allow_private else ("https", "http")
    if parts.scheme not in allowed:
        raise TargetRefused("Het adres begint met https://.")
    if parts.username or parts.password or parts.fragment:
        raise TargetRefused("Zet geen naam, wachtwoord of # in het adres.")
    if not host:
        raise TargetRefused("Het adres noemt geen server.")
    if port == 0:
        raise TargetRefused("Het poortnummer in het adres klopt niet.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"De server {host} is niet te vinden.") from None
    addresses = [info[4][0] for info in found]
    never = [a for a in addresses if _link_local(a)]
    if never:
        raise TargetRefused(
            f"{host} is een link-local adres ({never[0]}), zoals de metadatadienst van een "
            "server. Daar gaan webhooks nooit heen."
        )
    inside = [a for a in addresses if _inside(a)]
    if inside and not allow_private:
        raise TargetRefused(
            f"{host} is een intern adres ({inside[0]}). Webhooks gaan alleen naar servers op "
            "internet."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses[0])


class _Pinned(http.client.HTTPSConnection):
    """HTTPS to the checked address, with the certificate checked for the host's name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())  # fmt: skip
        self.target = target

    def connect(self) -> None:
        sock = socket.create_connection((self.target.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.target.host)


class _PinnedPlain(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = socket.create_connection((self.target.address, self.port), self.timeout)


def post(target: Target, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """(HTTP status or None, a short Dutch note for the page). Never follows a redirect."""
    kind = _Pinned if target.scheme == "https" else _PinnedPlain
    connection = kind(target, TIMEOUT_SECONDS)
    # the time-out holds per read; a receiver that trickles its answer is cut off here
    deadline = threading.Timer(DEADLINE_SECONDS, _cut, (connection,))
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(ANSWER_MAX)
        return answer.status, f"HTTP {answer.status}"
    except TimeoutError:
        return None, "geen antwoord binnen 10 seconden"
    except ssl.SSLError:
        return None, "het certificaat of de TLS-verbinding klopt niet"
    except (OSError, http.client.HTTPException, ValueError):
        return None, "geen verbinding"
    finally:
        deadline.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

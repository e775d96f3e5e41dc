"""Finding 1: which hop is the client (no services needed)."""

from __future__ import annotations

from newsletter.proxies import TrustedNetworks, parse_trusted


def client_of(peer: str, forwarded: str, trusted: str = "10.0.0.0/8") -> str:
    seen = {}

    def app(environ, start_response):
        seen["remote"] = environ["REMOTE_ADDR"]
        return []

    middleware = TrustedNetworks(app, parse_trusted(trusted))  # type: ignore[arg-type]
    middleware({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}, None)
    return seen["remote"]


def test_only_trusted_hops_are_believed():
    assert client_of("10.0.0.5", "198.51.100.7") == "198.51.100.7"
    assert client_of("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9") == "198.51.100.7"
    assert client_of("203.0.113.1", "198.51.100.7") == "203.0.113.1"  # not a proxy of ours


def test_mapped_addresses_and_ports():
    assert client_of("::ffff:10.0.0.5", "198.51.100.7:51234") == "198.51.100.7"
    assert client_of("10.0.0.5", "[2001:db8::7]:443") == "2001:db8::7"
    assert client_of("10.0.0.5", "nonsense") == "10.0.0.5"

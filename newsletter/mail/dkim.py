"""DKIM (RFC 6376), applied to every mail in `newsletter.mail.outgoing`.

RSA-SHA256 always when configured, and Ed25519-SHA256 (RFC 8463) beside it when an Ed25519
key is configured too. The signatures themselves are OpenSSL's (`cryptography`); the relaxed/
relaxed canonicalisation is `canonical`. Keys are read once per process (a new key file takes
effect when the processes restart, like every other setting).

h= covers List-Unsubscribe and List-Unsubscribe-Post, as RFC 8058 requires for one-click
unsubscribe to be trusted by Gmail and Yahoo. Every name in h= is listed once more than the
message has that header (RFC 6376 section 8.15): a header added on the way breaks the
signature instead of being shown as signed."""

from __future__ import annotations

import base64
import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from newsletter.mail.canonical import body_hash, fields, relaxed_header
from newsletter.settings import Settings

SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
)
_LOWER = tuple(name.lower() for name in SIGNED_HEADERS)
_WIDTH = 72  # folded lines of the DKIM-Signature header stay under 78 characters


@dataclass(frozen=True)
class Key:
    """One signing key: `algorithm` is the a= tag, `sign` makes the raw signature."""

    selector: bytes
    domain: bytes
    algorithm: bytes
    private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private, rsa.RSAPrivateKey):
            return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.private.sign(hashlib.sha256(data).digest())  # RFC 8463: PureEdDSA of the hash


class WrongKey(ValueError):
    """The key file holds no key of the kind its setting names."""


@functools.lru_cache(maxsize=8)
def load_key(path: Path, selector: str, domain: str, kind: str = "rsa") -> Key:
    """The key in `path` (PEM, PKCS#1 or PKCS#8), read once per process."""
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if kind == "rsa" and isinstance(private, rsa.RSAPrivateKey):
        return Key(selector.encode(), domain.encode(), b"rsa-sha256", private)
    if kind == "ed25519" and isinstance(private, ed25519.Ed25519PrivateKey):
        return Key(selector.encode(), domain.encode(), b"ed25519-sha256", private)
    raise WrongKey(f"{path} holds no {kind} private key")


def keys(settings: Settings) -> tuple[Key, ...]:
    """The configured keys, Ed25519 first (when set), then RSA; none when DKIM is off."""
    if not settings.dkim_key_file or not settings.dkim_selector or not settings.dkim_domain:
        return ()
    rsa_key = load_key(settings.dkim_key_file, settings.dkim_selector, settings.dkim_domain)
    if not settings.dkim_ed25519_key_file or not settings.dkim_ed25519_selector:
        return (rsa_key,)
    ed_key = load_key(
        settings.dkim_ed25519_key_file,
        settings.dkim_ed25519_selector,
        settings.dkim_domain,
        "ed25519",
    )
    return (ed_key, rsa_key)


def signed(message: bytes, settings: Settings, hashed: bytes | None = None) -> bytes:
    """The message (wire form) with its DKIM-Signature header(s) in front, or unchanged
    without a key. `hashed`: the body hash, when the caller has it (canonical.PiecewiseBody:
    an edition's body is canonicalised once, not per reader)."""
    configured = keys(settings)
    if not configured:
        return message
    split = message.find(b"\r\n\r\n")  # not partition(): that would copy the body
    split = len(message) if split < 0 else split
    data, names = _header_data(fields(message[:split] + b"\r\n"))
    bh = base64.b64encode(body_hash(message[split + 4 :]) if hashed is None else hashed)
    now = str(int(time.time())).encode()
    return b"".join(signature(key, names, data, bh, now) for key in configured) + message


#: From, Subject, Content-Type, List-Id … are the same in every mail of an edition
_relaxed = functools.lru_cache(maxsize=64)(relaxed_header)


def _header_data(headers: list[tuple[bytes, bytes]]) -> tuple[bytes, tuple[bytes, ...]]:
    """The relaxed form of the signed headers, and h=: each name of SIGNED_HEADERS once for
    every instance, taken from the bottom up (RFC 6376 5.4.2), and once more, which signs
    nothing and so keeps another instance from being added."""
    found: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for name, value in headers:
        found.setdefault(name.lower().rstrip(b" \t"), []).append((name, value))
    names: list[bytes] = []
    data: list[bytes] = []
    for name in _LOWER:
        instances = found.get(name, ())
        names += [name] * (len(instances) + 1)
        data += [_relaxed(n, v) for n, v in reversed(instances)]
    return b"".join(data), tuple(names)


def signature(key: Key, names: tuple[bytes, ...], data: bytes, bh: bytes, now: bytes) -> bytes:
    """One DKIM-Signature header field (CRLF-ended, folded); `data` is the relaxed form of
    the headers `names` lists."""
    value = _tags(key.algorithm, key.domain, key.selector, names)
    value += b"\r\n t=" + now + b"; bh=" + bh + b";\r\n b="
    data += relaxed_header(b"DKIM-Signature", value)[:-2]  # hashed without its CRLF
    b = base64.b64encode(key.sign(data))
    lines = [b[i : i + _WIDTH] for i in range(0, len(b), _WIDTH)]
    return b"DKIM-Signature:" + value + b"\r\n ".join(lines) + b"\r\n"


@functools.lru_cache(maxsize=32)
def _tags(algorithm: bytes, domain: bytes, selector: bytes, names: tuple[bytes, ...]) -> bytes:
    """The tags that stay the same from mail to mail, folded: a space between two, and a
    line that would pass _WIDTH folded before the next piece (between tags or before a ":"
    in h=, where RFC 6376 allows folding white space)."""
    h = [b"h=" + names[0], *(b":" + n for n in names[1:])]
    h[-1] += b";"
    pieces = [b" v=1;", b" a=" + algorithm + b";", b" c=relaxed/relaxed;", b" d=" + domain + b";"]
    pieces += [b" s=" + selector + b";", b" " + h[0], *h[1:]]
    out, column = b"", len(b"DKIM-Signature:")
    for piece in pieces:
        if column + len(piece) > _WIDTH:
            piece = b"\r\n " + piece.lstrip(b" ")
            column = 0
        out, column = out + piece, column + len(piece)
    return out

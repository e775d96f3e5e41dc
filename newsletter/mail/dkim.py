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


def signed(message: bytes, settings: Settings) -> bytes:
    """The message (wire form) with its DKIM-Signature header(s) in front, or unchanged
    without a key."""
    configured = keys(settings)
    if not configured:
        return message
    head, _, body = message.partition(b"\r\n\r\n")
    headers = fields(head + b"\r\n")
    names = _signed_names(headers)
    bh = base64.b64encode(body_hash(body))
    now = str(int(time.time())).encode()
    return b"".join(signature(key, headers, names, bh, now) for key in configured) + message


def _signed_names(headers: list[tuple[bytes, bytes]]) -> list[bytes]:
    present = [name.lower() for name, _ in headers]
    return [n for n in SIGNED_HEADERS for _ in range(present.count(n.lower()) + 1)]


def signature(
    key: Key, headers: list[tuple[bytes, bytes]], names: list[bytes], bh: bytes, now: bytes
) -> bytes:
    """One DKIM-Signature header field (CRLF-ended, folded), over `names` of `headers`."""
    h = [b"h=" + names[0].lower(), *(b":" + n.lower() for n in names[1:])]
    h[-1] += b";"
    tags = [
        [b"v=1;"],
        [b"a=" + key.algorithm + b";"],
        [b"c=relaxed/relaxed;"],
        [b"d=" + key.domain + b";"],
        [b"s=" + key.selector + b";"],
        [b"t=" + now + b";"],
        h,
        [b"bh=" + bh[:32], bh[32:] + b";"],
    ]
    value = _folded(tags) + b"\r\n b="
    data = b"".join(relaxed_header(n, v) for n, v in _selected(headers, names))
    data += relaxed_header(b"DKIM-Signature", value)[:-2]  # hashed without its CRLF
    b = base64.b64encode(key.sign(data))
    lines = [b[i : i + _WIDTH] for i in range(0, len(b), _WIDTH)]
    return b"DKIM-Signature:" + value + b"\r\n ".join(lines) + b"\r\n"


def _folded(tags: list[list[bytes]]) -> bytes:
    """The tags, a space between two; a line that would pass _WIDTH is folded before the next
    piece (between tags, before a ":" in h=, inside the base64 of bh=: where RFC 6376 allows
    folding white space)."""
    out, column = b"", len(b"DKIM-Signature:")
    for tag in tags:
        for i, piece in enumerate(tag):
            space = b" " if i == 0 else b""
            if column + len(space) + len(piece) > _WIDTH:
                out, column = out + b"\r\n " + piece, 1 + len(piece)
            else:
                out, column = out + space + piece, column + len(space) + len(piece)
    return out


def _selected(headers: list[tuple[bytes, bytes]], names: list[bytes]) -> list[tuple[bytes, bytes]]:
    """RFC 6376 5.4.2: each name takes that header's instances from the bottom up; a name
    listed more often than the header occurs signs nothing (which is the point)."""
    chosen, taken = [], {}
    for name in names:
        lower = name.lower()
        instances = [h for h in headers if h[0].lower() == lower]
        n = taken.get(lower, 0)
        if n < len(instances):
            chosen.append(instances[-1 - n])
        taken[lower] = n + 1
    return chosen

"""DKIM for the benchmarks: a 2048-bit key as in production, and ms per signature.

`key(directory)` writes a fresh RSA key (PEM) and returns the environment that turns signing
on, with the DNS lookup (dkimpy's dnsfunc) that publishes its public half. `per_signature()`
times dkimpy's `dkim.sign` (the signer before issue 27) and ours on the same message, in this
process, and checks that ours verifies with dkimpy.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SELECTOR, DOMAIN = "bench", "bench.example"


def key(directory: Path) -> tuple[dict[str, str], Callable[..., bytes]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = directory / "dkim-bench.pem"
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else b""

    env = {"DKIM_SELECTOR": SELECTOR, "DKIM_DOMAIN": DOMAIN, "DKIM_PRIVATE_KEY_FILE": str(path)}
    return env, dns


def per_signature(message: bytes, settings, dns, rounds: int = 200) -> tuple[float, float, float]:
    """CPU milliseconds per signature (process time: a shared machine's other work does not
    count): dkimpy's (before), ours (after), and of ours the RSA operation alone (OpenSSL's
    floor; the rest is canonicalisation and hashing), same message and key."""
    from newsletter.mail.dkim import SIGNED_HEADERS, keys, signed

    assert dkim.verify(signed(message, settings), dnsfunc=dns), "our signature must verify"
    pem = settings.dkim_key_file.read_bytes()
    started = time.process_time()
    for _ in range(max(1, rounds // 10)):
        dkim.sign(
            message,
            SELECTOR.encode(),
            DOMAIN.encode(),
            pem,
            include_headers=list(SIGNED_HEADERS),
            canonicalize=(b"relaxed", b"relaxed"),
            linesep=b"\r\n",
        )
    before = (time.process_time() - started) / max(1, rounds // 10) * 1000
    started = time.process_time()
    for _ in range(rounds):
        signed(message, settings)
    after = (time.process_time() - started) / rounds * 1000
    [rsa_key] = keys(settings)
    started = time.process_time()
    for _ in range(rounds):
        rsa_key.sign(message[:700])
    alone = (time.process_time() - started) / rounds * 1000
    return before, after, alone

"""Optional DKIM (dkimpy), applied to every mail in `newsletter.mail.outgoing`.

h= covers List-Unsubscribe and List-Unsubscribe-Post, as RFC 8058 requires for one-click
unsubscribe to be trusted by Gmail and Yahoo."""

from __future__ import annotations

import functools
from pathlib import Path

import dkim

from newsletter.settings import Settings

SIGNED_HEADERS = [
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
]


@functools.lru_cache(maxsize=4)
def _key(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def signed(message: bytes, settings: Settings) -> bytes:
    """The message with a DKIM-Signature header in front, or unchanged without a key."""
    if not settings.dkim_key_file or not settings.dkim_selector or not settings.dkim_domain:
        return message
    path = settings.dkim_key_file
    signature = dkim.sign(
        message,
        settings.dkim_selector.encode(),
        settings.dkim_domain.encode(),
        _key(path, path.stat().st_mtime),
        include_headers=SIGNED_HEADERS,
        canonicalize=(b"relaxed", b"relaxed"),
        linesep=b"\r\n",  # wire form, as the transport expects
    )
    return signature + message

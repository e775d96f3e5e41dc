"""RFC 6376 "relaxed" canonicalisation (section 3.4.2 and 3.4.4) of wire-form mail.

Input is wire form (CRLF line ends only: `newsletter.mail.message` writes nothing else), so
every rule is a bytes operation that runs in C: no per-line Python loop over a 20-40 kB body.
A body that has no tab, no run of spaces and no space before a line end is its own relaxed
form (apart from empty lines at its end), which is what our quoted-printable bodies are;
`tests/unit/test_dkim_canonical.py` holds these functions to dkimpy's on any input.
"""

from __future__ import annotations

import hashlib
import re

_WSP = re.compile(rb"[ \t]+")
_SPACES = re.compile(rb"  +")  # its literal prefix lets the regex engine skip ahead fast


def relaxed_body(body: bytes) -> bytes:
    """3.4.4: runs of WSP become one SP, WSP at line ends goes, empty lines at the end go,
    and a non-empty body ends in exactly one CRLF (an empty one stays empty)."""
    if b"\t" in body:
        body = body.replace(b"\t", b" ")
    if b"  " in body:
        body = _SPACES.sub(b" ", body)
    if b" \r\n" in body:
        body = body.replace(b" \r\n", b"\r\n")  # after the line above, at most one space
    body = body.rstrip(b"\r\n")  # wire form: whole CRLF pairs; the empty lines at the end
    if body.endswith(b" "):
        body = body[:-1].rstrip(b"\r\n")  # a last line of one space was an empty line
    return body + b"\r\n" if body else b""


def body_hash(body: bytes) -> bytes:
    """SHA-256 of the relaxed body (the bh= tag, before base64)."""
    return hashlib.sha256(relaxed_body(body)).digest()


def relaxed_header(name: bytes, value: bytes) -> bytes:
    """3.4.2: lower-case name, value unfolded with WSP runs as one SP and no WSP around it."""
    if b"\r\n" in value:
        value = value.replace(b"\r\n", b"")
    if b"\t" in value or b"  " in value:
        value = _WSP.sub(b" ", value)
    return name.lower().rstrip(b" \t") + b":" + value.strip(b" ") + b"\r\n"


def fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """The header fields of a wire-form head (each line CRLF-ended) as (name, raw value);
    a folded value keeps its CRLFs, as the signer must see it."""
    out: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t") and out:
            name, value = out[-1]
            out[-1] = (name, value + b"\r\n" + line)
        else:
            name, _, value = line.partition(b":")
            out.append((name, value))
    return out

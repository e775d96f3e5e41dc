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


def _relaxed_lines(piece: bytes) -> bytes:
    """3.4.4 without the rules for the body's end: for whole lines inside a body."""
    if b"\t" in piece:
        piece = piece.replace(b"\t", b" ")
    if b"  " in piece:
        piece = _SPACES.sub(b" ", piece)
    return piece.replace(b" \r\n", b"\r\n") if b" \r\n" in piece else piece


class PiecewiseBody:
    """bh= of bodies made of fixed pieces with short values between them (an edition: the
    same 25 kB for every reader, a name and two links apart), canonicalised once: per body
    only the values are, and SHA-256 runs on from the state after the first fixed piece.

    `slots` is the body in order: bytes for a fixed piece, None for a value. This holds only
    when every piece starts on a line of its own, so `new()` gives None unless each fixed
    piece before a value ends in CRLF, and `digest()` gives None (hash the whole body then)
    for a value that does not; relaxed rules never reach across a line end, and the body's
    end is a fixed piece with text on its last line."""

    def __init__(self, slots: list[bytes | None]) -> None:
        self.fixed = [_relaxed_lines(s) if s is not None else None for s in slots[:-1]]
        self.fixed.append(relaxed_body(slots[-1]) if slots[-1] is not None else None)
        self.start = hashlib.sha256(self.fixed[0] or b"")
        self.rest = self.fixed[1:]

    @classmethod
    def new(cls, slots: list[bytes | None]) -> PiecewiseBody | None:
        pieces: list[bytes | None] = []  # neighbouring fixed pieces joined
        for slot in slots:
            if slot is not None and pieces and pieces[-1] is not None:
                pieces[-1] += slot
            else:
                pieces.append(slot)
        if not pieces or pieces[-1] is None or pieces[0] is None:
            return None
        if any(p and not p.endswith(b"\r\n") for p in pieces[:-1]):  # b"": a line start
            return None
        if not relaxed_body(pieces[-1]):
            return None  # the last piece has empty lines only: the end rule reaches back
        return cls(pieces)

    def digest(self, values: list[bytes]) -> bytes | None:
        """bh= (before base64) of the body with `values` in the slots, in order."""
        found = iter(values)
        sha = self.start.copy()
        for piece in self.rest:
            if piece is None:
                value = next(found)
                if value and not value.endswith(b"\r\n"):
                    return None
                piece = _relaxed_lines(value)
            sha.update(piece)
        return sha.digest()


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

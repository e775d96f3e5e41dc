"""Our relaxed canonicalisation (RFC 6376 3.4.2, 3.4.4) gives what dkimpy's gives, on any
wire-form input: the signer uses ours, the verifiers out there use their own."""

from __future__ import annotations

from dkim.canonicalization import Relaxed
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.mail.canonical import PiecewiseBody, body_hash, fields, relaxed_body, relaxed_header

#: lines of spaces, tabs and a few letters, joined by CRLF: runs, line-end blanks, empty lines
LINE = st.lists(st.sampled_from([" ", "\t", "a", "é", "=", "  "]), max_size=12).map("".join)
BODY = st.lists(LINE, max_size=12).map("\r\n".join).map(str.encode)


@settings(max_examples=400, deadline=None)
@given(body=BODY, end=st.sampled_from(["", "\r\n", "\r\n\r\n", " \r\n\t\r\n", " ", "\t "]))
def test_the_relaxed_body_is_dkimpys(body, end):
    body += end.encode()
    # SMTP ends the last line (transport._stuffed does): the receiver hashes that body
    sent = body if body.endswith(b"\r\n") or not body else body + b"\r\n"
    assert relaxed_body(body) == Relaxed.canonicalize_body(sent)


@settings(max_examples=200, deadline=None)
@given(value=st.lists(LINE, min_size=1, max_size=4).map("\r\n ".join).map(str.encode))
def test_a_relaxed_header_is_dkimpys(value):
    [(name, canonical)] = Relaxed.canonicalize_headers([(b"List-Unsubscribe ", value)])
    assert relaxed_header(b"List-Unsubscribe ", value) == name + b":" + canonical


def test_fields_keep_folded_values_whole():
    head = b"From: a@b.example\r\nSubject: een\r\n lang\r\n\tonderwerp\r\nTo:x@y.example\r\n"
    assert fields(head) == [
        (b"From", b" a@b.example"),
        (b"Subject", b" een\r\n lang\r\n\tonderwerp"),
        (b"To", b"x@y.example"),
    ]


#: whole lines (each CRLF-ended), as the fixed stretches and personal values of an edition are
LINES = st.lists(LINE.map(lambda line: line + "\r\n"), max_size=4).map("".join).map(str.encode)


@settings(max_examples=300, deadline=None)
@given(
    fixed=st.lists(LINES, min_size=1, max_size=4),
    values=st.lists(LINES, max_size=3),
    end=st.sampled_from(["--b--\r\n", "x", "\t x \r\n\r\n \r\n"]),
)
def test_a_body_canonicalised_in_pieces_hashes_as_whole(fixed, values, end):
    """The fixed pieces canonicalised once, the values per body: the same bh= as the whole
    body's (when the body ends in a fixed piece with text on a line)."""
    slots: list[bytes | None] = []
    for i, piece in enumerate(fixed):
        slots += [piece] + ([None] if i < len(values) else [])
    slots.append(end.encode())
    body = PiecewiseBody.new(slots)
    assert body is not None
    filled = iter(values)
    whole = b"".join(s if s is not None else next(filled) for s in slots)
    assert body.digest(values[: slots.count(None)]) == body_hash(whole)


def test_pieces_that_do_not_end_their_lines_are_hashed_whole():
    assert PiecewiseBody.new([b"a \r\n", b"b ", None, b"c\r\n"]) is None  # fixed piece
    assert PiecewiseBody.new([b"a\r\n", None, b"\r\n\r\n"]) is None  # end: empty lines
    body = PiecewiseBody.new([b"a\r\n", None, b"c\r\n"])
    assert body is not None
    assert body.digest([b"name  "]) is None  # a value without its line end
    assert body.digest([b"name  \r\n"]) == body_hash(b"a\r\nname  \r\nc\r\n")

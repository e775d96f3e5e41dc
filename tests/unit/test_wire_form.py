"""Every mail builder writes wire form: CRLF line ends only, whatever the text typed into it.

The transport relies on this (it only dot-stuffs, see transport._stuffed): a bare CR or LF
would reach the relay as is, and strict relays refuse bare newlines.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.delivery.prepared import PreparedEdition, Recipient
from newsletter.mail import message
from newsletter.mail.dkim import signed
from newsletter.mail.transport import _stuffed
from newsletter.rendering.edition import render_edition
from tests.factories import dkim_key

SOURCE = (Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md").read_text()
#: text with every kind of line end in it, and dots where a line may start
TYPED = st.lists(
    st.sampled_from(["a", "é", " ", ".", "\r", "\n", "\r\n", "<", "&", "="]), max_size=120
).map("".join)


def wire_form(data: bytes) -> bool:
    return data.count(b"\r\n") == data.count(b"\r") == data.count(b"\n")


@settings(max_examples=150, deadline=None)
@given(subject=TYPED, name=TYPED, text=TYPED, html=TYPED)
def test_compose_writes_crlf_only(subject, name, text, html):
    try:
        data = message.compose(
            mail_from="OVER het ravijn <nb@vng.example>",
            to_address="lezer@gemeente.example",
            to_name=name,
            subject=subject,
            text=text,
            html=html,
        )
    except message.HeaderError:
        return  # a subject with a line break is refused, which is fine
    assert wire_form(data)


@settings(max_examples=100, deadline=None)
@given(name=TYPED)
def test_an_edition_for_any_name_is_crlf_only(app, name):
    with app.test_request_context():
        prepared = PreparedEdition(
            7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l>"
        )
        data = prepared.bytes_for(Recipient(1, "lezer@gemeente.example", name, "p"))
    assert wire_form(data)


def test_a_dkim_signature_is_crlf_only(app, tmp_path):
    path, _ = dkim_key(tmp_path, domain="vng.example")
    config = dataclasses.replace(
        app.config["SETTINGS"], dkim_selector="s1", dkim_domain="vng.example", dkim_key_file=path
    )
    data = message.compose(
        mail_from="OVER het ravijn <nb@vng.example>",
        to_address="lezer@gemeente.example",
        to_name="Lezer",
        subject="Een onderwerp dat lang genoeg is om de handtekening over regels te vouwen",
        text="tekst",
        html="<p>tekst</p>",
    )
    result = signed(data, config)
    assert result.startswith(b"DKIM-Signature:") and b"\r\n " in result  # folded
    assert wire_form(result)


def test_stuffing_doubles_a_leading_dot_and_ends_the_last_line():
    assert _stuffed(b".a\r\nb\r\n.c\r\n..d") == b"..a\r\nb\r\n..c\r\n...d\r\n"
    assert _stuffed(b"a\r\n") == b"a\r\n"

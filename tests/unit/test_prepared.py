"""The per-reader splice gives exactly the message a full render for that reader would."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.delivery.prepared import PreparedEdition, Recipient, row_tag
from newsletter.mail.canonical import body_hash
from newsletter.rendering.edition import personalise, render_edition
from newsletter.subscribers import links

SOURCE = (Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md").read_text()


def prepare(app) -> PreparedEdition:
    return PreparedEdition(
        7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l.x>"
    )


def parse(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def test_splice_equals_full_personalisation(app):
    with app.test_request_context():
        prepared = prepare(app)
        subscriber = Recipient(42, "anna@utrecht.example", "Anna <de> Vries & Zn", "pub-id-1")
        data = prepared.bytes_for(subscriber)
        expected_html, expected_text = personalise(
            prepared.rendered,
            {
                "name": subscriber.name,
                "preferences_url": links.preferences_url(subscriber.public_id),
                # the edition rides along: an unsubscribe through this mail counts for it
                "unsubscribe_url": links.unsubscribe_url(subscriber.public_id) + "?editie=7",
            },
        )
    message = parse(data)
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert html == expected_html.replace("\r\n", "\n")
    assert text == expected_text.replace("\r\n", "\n")
    head, body = data.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable's limit
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    key = app.config["SETTINGS"].secret_keys[0]
    assert message["Message-ID"] == f"<7.42.{row_tag(7, 42, key)}.ravijn@vng.example>"
    assert message["To"].addresses[0].display_name == subscriber.name
    assert message["List-Unsubscribe"].startswith("<https://ravijn.example/")


@settings(max_examples=150, deadline=None)
@given(name=st.text(max_size=80), local=st.from_regex(r"[a-z0-9._%+-]{1,30}", fullmatch=True))
def test_no_name_can_break_the_headers(app, name, local):
    with app.test_request_context():
        data = prepare(app).bytes_for(Recipient(1, f"{local}@x.example", name, "p"))
    head = data.split(b"\r\n\r\n", 1)[0]
    message = parse(data)
    assert message.defects == []
    assert [k for k in message if k.lower() == "to"] == ["To"]
    assert message["To"].addresses[0].addr_spec == f"{local}@x.example"
    assert b"\n" not in head.replace(b"\r\n", b"")  # no bare line break: no injected header
    assert message.get_content_type() == "multipart/alternative"


@settings(max_examples=100, deadline=None)
@given(name=st.text(alphabet=st.sampled_from(" \tab\u00e9=\r\n."), max_size=40))
def test_the_body_hash_given_to_the_signer_is_the_bodys(app, name):
    """The edition's body is canonicalised once (canonical.PiecewiseBody); whatever a reader's
    name holds, the hash handed to DKIM is the hash of the body that goes out."""
    with app.test_request_context():
        prepared = prepare(app)
        assert prepared.body is not None  # else every reader's body is hashed whole
        data, hashed = prepared.signable_for(Recipient(1, "a@x.example", name, "p"))
    assert hashed == body_hash(data.partition(b"\r\n\r\n")[2])

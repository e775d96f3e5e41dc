"""Every mail leaves through one way out: DKIM-signed when configured, verified on the bytes the
SMTP sink received; and the editor's test-send is the reader's own message."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import dkim
import pytest

from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions import test_addresses, testsends
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lifecycle.imports import ImportRow
from newsletter.subscribers.models import ConsentSource, Role, Subscriber, SubscriberState
from tests.factories import SOURCE, subscribers
from tests.factories import dkim_key as make_dkim_key
from tests.helpers import form_tokens, wait_for_state

LINK = re.compile(r"https://ravijn\.example(/\S+)")


@pytest.fixture
def dkim_key(tmp_path, settings):
    """DKIM configured for this test; returns the DNS lookup that publishes its key."""
    key, dns = make_dkim_key(tmp_path)
    settings(dkim_selector="ravijn", dkim_domain="ravijn.example", dkim_key_file=key)
    return dns


def subjects(received) -> list[str]:
    return [str(r.message()["Subject"]) for r in received]


def test_every_kind_of_mail_carries_a_valid_dkim_signature(
    app, db, client, signup_form, editor, worker, sink, settings, dkim_key
):
    settings(confirmation_interval_seconds=0)  # the repeat sign-up below gets its own mail
    # confirmation → welcome → goodbye; a repeat sign-up of an active reader; a re-permission
    client.post("/aanmelden", data=signup_form())
    [confirmation] = sink.wait_for(1)
    confirm_path = next(
        p
        for p in LINK.findall(confirmation.message().get_body(("plain",)).get_content())
        if p.startswith("/bevestigen/")
    )
    client.post(confirm_path, data=form_tokens(client, confirm_path))
    sink.wait_for(2)
    client.post("/aanmelden", data=signup_form() | {"email": "ANNA@utrecht.example"})
    sink.wait_for(3)  # "already subscribed" goes only to someone still active
    anna = db.session.query(Subscriber).filter_by(email_key="anna@utrecht.example").one()
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    counts = lifecycle.ImportCounts()
    row = ImportRow(
        2, "Bert", normalise_email("bert@gemeente.example"), "GM0363", Role.raadslid, None, None
    )
    lifecycle.import_chunk([row], counts)
    db.session.commit()
    # a test-send, the link that confirms a test address, and a published edition
    edition, _ = editions.create(SOURCE, editor.id)
    testsends.request(edition.id, editor.id)
    test_addresses.add(editor, "collega@gemeente.example")
    subscribers(db, 2)
    control.publish(edition.id)
    wait_for_state(app, edition.id, control.EditionState.sent)
    received = sink.wait_for(9)
    kinds = subjects(received)
    assert any(s.startswith("Bevestig") for s in kinds)
    assert any(s.startswith("Welkom") for s in kinds)
    assert any("afgemeld" in s for s in kinds)
    assert any("al aangemeld" in s for s in kinds)
    assert any("Graag uw bevestiging" in s for s in kinds)
    assert any(s.startswith("[TEST] ") for s in kinds)
    assert any(s.startswith("Testadres bevestigen") for s in kinds)
    assert sum(1 for r in received if r.message()["List-Id"]) >= 3  # test-send + 2 readers
    for mail in received:
        assert mail.data.startswith(b"DKIM-Signature:"), mail.message()["Subject"]
        assert dkim.verify(mail.data, dnsfunc=dkim_key), mail.message()["Subject"]


def _headers(data: bytes) -> dict[str, str]:
    """Header values; the MIME boundary is random per build, so it is left out."""
    message = message_from_bytes(data, policy=policy.default)
    return {k: re.sub(r'boundary="[^"]+"', "boundary", str(v)) for k, v in message.items()}


def _skeleton(data: bytes) -> list[tuple[str, str]]:
    message = message_from_bytes(data, policy=policy.default)
    return [(p.get_content_type(), str(p.get("Content-Transfer-Encoding"))) for p in message.walk()]


def test_test_send_is_the_readers_message(app, db, editor, worker, sink):
    [subscriber] = subscribers(db, 1)
    edition, _ = editions.create(SOURCE, editor.id)
    testsends.request(edition.id, editor.id)
    [test] = sink.wait_for(1)
    sink.clear()
    control.publish(edition.id)
    wait_for_state(app, edition.id, control.EditionState.sent)
    [copy] = sink.wait_for(1)
    assert _skeleton(test.data) == _skeleton(copy.data)
    test_headers, copy_headers = _headers(test.data), _headers(copy.data)
    personal = {"To", "Message-ID", "List-Unsubscribe", "Date", "Subject"}
    assert test_headers.keys() == copy_headers.keys()
    assert {k: v for k, v in test_headers.items() if k not in personal} == {
        k: v for k, v in copy_headers.items() if k not in personal
    }
    assert test_headers["Subject"] == "[TEST] " + copy_headers["Subject"]
    assert test.recipients == [editor.email] and copy.recipients == [subscriber.email]

    # the readers' links are counted (/l/<edition>/<n>); a test-send keeps them as written,
    # so that the editor's clicks count for nothing: the same links once resolved
    from markupsafe import escape

    from newsletter.counts import links

    stored = links.stored(edition.id)

    def html(data: bytes, name: str) -> str:
        body = message_from_bytes(data, policy=policy.default).get_body(("html",)).get_content()
        body = re.sub(
            rf"https://ravijn\.example/l/{edition.id}/(\d+)",
            lambda m: str(escape(stored[int(m.group(1)) - 1])),
            body,
        )
        body = re.sub(
            r"https://ravijn\.example/(afmelden|voorkeuren|archief)/[^\"'\s<]+",
            "PERSONAL-LINK",
            body,
        )
        return body.replace(name, "NAME")

    assert stored and f"ravijn.example/l/{edition.id}/1" in str(copy.data)
    assert html(test.data, editor.name) == html(copy.data, subscriber.name)
    assert db.session.get(Subscriber, subscriber.id).state == SubscriberState.active

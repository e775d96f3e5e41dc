"""Mails as they reach the relay carry DKIM signatures that an independent verifier accepts.

The signer is ours (OpenSSL through `cryptography`); dkimpy checks it here, with a DNS lookup
that publishes the test keys. Both signatures are checked: RSA-SHA256 and Ed25519 (RFC 8463).
"""

from __future__ import annotations

import dkim
import pytest

from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from tests.factories import SOURCE, dkim_keys, subscribers
from tests.helpers import wait_for_state


@pytest.fixture
def dns(tmp_path, settings):
    """DKIM on with both keys; the lookup that publishes them."""
    rsa_key, ed_key, lookup = dkim_keys(tmp_path)
    settings(
        dkim_selector="ravijn",
        dkim_domain="ravijn.example",
        dkim_key_file=rsa_key,
        dkim_ed25519_selector="ravijn-ed",
        dkim_ed25519_key_file=ed_key,
    )
    return lookup


def algorithms_that_verify(data: bytes, dns) -> list[bytes]:
    """The a= of each DKIM-Signature header that dkimpy verifies (False: one does not)."""
    checker = dkim.DKIM(data)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    verified = []
    for index in range(count):
        try:
            if not checker.verify(idx=index, dnsfunc=dns):
                return [False]
        except dkim.DKIMException:  # a body hash that does not match, for one
            return [False]
        verified.append(checker.signature_fields[b"a"])
    return verified


def tampered(data: bytes) -> dict[str, bytes]:
    """The mail with one signed header changed, or with one added above it that h= lists."""
    head, _, body = data.partition(b"\r\n\r\n")
    at_from = head.index(b"\r\nFrom: ") + 2
    extra = b"List-Unsubscribe: <https://elders.example/afmelden>\r\n"
    changed = {
        "subject": data.replace(b"\r\nSubject: ", b"\r\nSubject: X", 1),
        "to": data.replace(b"\r\nTo: ", b"\r\nTo: X", 1),
        "added header": head[:at_from] + extra + head[at_from:] + b"\r\n\r\n" + body,
        "body": head + b"\r\n\r\n" + body.replace(b"ravijn", b"Ravijn", 1),
    }
    if b"\r\nList-Unsubscribe: " in head:
        changed["list-unsubscribe"] = data.replace(b"/afmelden/", b"/afmelden/x", 1)
    return changed


def assert_signed(data: bytes, dns) -> None:
    assert algorithms_that_verify(data, dns) == [b"ed25519-sha256", b"rsa-sha256"]
    for change, bad in tampered(data).items():
        assert bad != data, change
        assert algorithms_that_verify(bad, dns) == [False], change


def test_a_sent_edition_is_signed_twice_and_verifies(app, db, editor, worker, sink, dns):
    people = subscribers(db, 3)
    edition, _ = editions.create(SOURCE, editor.id)
    control.publish(edition.id)
    assert wait_for_state(app, edition.id, EditionState.sent).state == EditionState.sent
    mails = sink.wait_for(3)
    assert sorted(m.recipients[0] for m in mails) == sorted(p.email for p in people)
    for received in mails:
        assert received.data.count(b"\r\n") == received.data.count(b"\n")  # wire form
        assert_signed(received.data, dns)


def test_a_confirmation_mail_is_signed_and_verifies(client, signup_form, worker, sink, dns):
    assert client.post("/aanmelden", data=signup_form()).status_code == 303
    [mail] = sink.wait_for(1)
    assert b"/bevestigen/" in mail.data
    assert_signed(mail.data, dns)

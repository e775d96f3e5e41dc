"""Hard bounces from DSN files mark readers and ledger rows; DKIM signs what RFC 8058 needs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dkim
import pytest
from flask import current_app

from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.delivery.prepared import message_id_for
from newsletter.mail.dkim import signed
from newsletter.subscribers.models import Subscriber, SubscriberState
from tests.factories import dkim_key, dkim_keys, make_sent_edition, make_subscriber

DSN = """From: MAILER-DAEMON@relay.example
To: nieuwsbrief@ravijn.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example

Final-Recipient: rfc822; {address}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {status} mailbox unknown

--B
Content-Type: text/rfc822-headers

From: OVER het ravijn <nieuwsbrief@ravijn.example>
To: {address}
Message-ID: {message_id}
Subject: OVER het ravijn

--B--
"""


def dsn(**fields) -> str:
    """A DSN whose returned headers carry the Message-ID we gave that ledger row."""
    settings = current_app.config["SETTINGS"]
    message_id = message_id_for(
        fields["edition"], fields["delivery"], "ravijn.example", settings.secret_keys[0]
    )
    return DSN.format(message_id=message_id, **fields)


def test_bounces_ingest_marks_hard_bounces_only(app, db, tmp_path):

    hard = make_subscriber(db, "weg@gemeente.example", state=SubscriberState.active)
    soft = make_subscriber(db, "vol@gemeente.example", state=SubscriberState.active)
    edition = make_sent_edition(db)
    db.session.flush()
    row = Delivery(edition_id=edition.id, subscriber_id=hard.id, batch_no=1, state="sent")
    db.session.add(row)
    db.session.commit()
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    files = {
        "new/1.eml": dsn(
            address=hard.email, action="failed", status="5.1.1", edition=edition.id, delivery=row.id
        ),
        "new/2.eml": dsn(
            address=soft.email, action="delayed", status="4.2.2", edition=edition.id, delivery=0
        ),
        "new/3.eml": dsn(
            address="nooit@elders.example", action="failed", status="5.1.1", edition=1, delivery=1
        ),
        "new/4.eml": "From: iemand@x.example\nSubject: Afwezig\n\nIk ben er niet.\n",
        # read by an earlier run: not again
        "cur/0.eml:2,S": dsn(
            address=soft.email, action="failed", status="5.1.1", edition=edition.id, delivery=0
        ),
    }
    for name, text in files.items():
        (maildir / name).write_text(text)

    result = app.test_cli_runner().invoke(args=["delivery", "ingest-bounces", str(maildir)])

    assert result.exit_code == 0, result.output
    assert (
        "3 bericht(en) gelezen: 1 harde bounce(s) verwerkt, 1 tijdelijke genegeerd" in result.output
    )
    assert "1 onbekend adres" in result.output and "4.eml: geen DSN" in result.output
    db.session.expire_all()
    assert db.session.get(Subscriber, hard.id).state == SubscriberState.bounced
    assert db.session.get(Subscriber, soft.id).state == SubscriberState.active
    assert db.session.get(Delivery, row.id).state == DeliveryState.failed
    # each message moved to cur/ with the Seen flag, as a mail client does: the next run
    # reads only what arrived since
    assert sorted(p.name for p in (maildir / "new").iterdir()) == []
    assert sorted(p.name for p in (maildir / "cur").iterdir()) == [
        "0.eml:2,S", "1.eml:2,S", "2.eml:2,S", "3.eml:2,S", "4.eml:2,S"
    ]  # fmt: skip
    (maildir / "new" / "5.eml").write_text(files["new/2.eml"])
    again = app.test_cli_runner().invoke(args=["delivery", "ingest-bounces", str(maildir)])
    assert "1 bericht(en) gelezen: 0 harde bounce(s) verwerkt, 1 tijdelijke" in again.output
    missing = app.test_cli_runner().invoke(
        args=["delivery", "ingest-bounces", str(tmp_path / "nee")]
    )
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_dkim_signature_covers_list_unsubscribe_and_verifies(app, tmp_path):
    key, dns = dkim_key(tmp_path, domain="vng.example")
    settings = dataclasses.replace(
        app.config["SETTINGS"], dkim_selector="ravijn", dkim_domain="vng.example", dkim_key_file=key
    )
    message = (
        b"From: OVER het ravijn <nb@vng.example>\r\nTo: a@b.example\r\nSubject: x\r\n"
        b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1.2.ravijn@vng.example>\r\n"
        b"List-Unsubscribe: <https://ravijn.example/afmelden/t>\r\n"
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nHallo\r\n"
    )
    out = signed(message, settings)
    header = out.split(b"\r\n\r\n", 1)[0].decode()
    tags = header.split("DKIM-Signature:", 1)[1].split("\r\nFrom:", 1)[0].replace("\r\n", "")
    h = next(t.strip()[2:] for t in tags.split(";") if t.strip().startswith("h="))
    assert {"list-unsubscribe", "list-unsubscribe-post", "from"} <= {
        x.strip().lower() for x in h.split(":")
    }
    assert dkim.verify(out, dnsfunc=dns)
    tampered = out.replace(b"afmelden/t", b"afmelden/u")
    assert not dkim.verify(tampered, dnsfunc=dns)
    assert signed(message, app.config["SETTINGS"]) == message  # no key: unsigned


def test_dkim_settings_are_checked(tmp_path):
    from newsletter.settings import ConfigError, from_env

    env = {"NEWSLETTER_ENV": "test", "INSTANCE_PATH": str(tmp_path), "DKIM_SELECTOR": "s"}
    for extra, words in (
        ({}, "zowel"),
        ({"DKIM_PRIVATE_KEY_FILE": str(tmp_path / "nee.pem")}, "niet te lezen"),
        ({"DKIM_PRIVATE_KEY_FILE": str(Path(__file__))}, "geen private key"),
    ):
        with pytest.raises(ConfigError, match=words):
            from_env(env | extra)


def test_an_ed25519_key_is_checked_and_needs_its_own_selector(tmp_path):
    from newsletter.settings import ConfigError, from_env

    rsa_key, ed_key, _ = dkim_keys(tmp_path)
    env = {
        "NEWSLETTER_ENV": "test",
        "INSTANCE_PATH": str(tmp_path),
        "DKIM_SELECTOR": "ravijn",
        "DKIM_PRIVATE_KEY_FILE": str(rsa_key),
    }
    ed = {"DKIM_ED25519_SELECTOR": "ravijn-ed", "DKIM_ED25519_KEY_FILE": str(ed_key)}
    for extra, words in (
        ({"DKIM_ED25519_SELECTOR": "ravijn-ed"}, "zowel DKIM_ED25519_SELECTOR"),
        (ed | {"DKIM_ED25519_SELECTOR": "ravijn"}, "andere selector"),
        (ed | {"DKIM_ED25519_KEY_FILE": str(rsa_key)}, "geen ED25519-sleutel"),
        ({"DKIM_PRIVATE_KEY_FILE": str(ed_key)}, "geen RSA-sleutel"),
    ):
        with pytest.raises(ConfigError, match=words):
            from_env(env | extra)
    without_rsa = {k: v for k, v in env.items() if not k.startswith("DKIM")} | ed
    with pytest.raises(ConfigError, match="zowel DKIM_SELECTOR"):
        from_env(without_rsa)  # Ed25519 goes beside RSA, never alone
    both = from_env(env | ed)
    assert (both.dkim_ed25519_selector, both.dkim_ed25519_key_file) == ("ravijn-ed", ed_key)

"""Spam complaints (issue 14, acceptance 1): an ARF report (RFC 5965) for our message marks
exactly that reader complained, with its consent event, and shows per edition; a forged one, or
one that names another reader, changes nothing."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from newsletter.delivery.models import Delivery
from newsletter.delivery.prepared import message_id_for
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Subscriber,
    SubscriberState,
)
from tests.factories import make_sent_edition, make_subscriber

ARF = """From: fbl@provider.example
To: nieuwsbrief@ravijn.example
Subject: FW: OVER het ravijn
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.1.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ProviderFBL/1.0
Version: 1
Original-Rcpt-To: {rcpt}

--F
Content-Type: text/rfc822-headers

From: OVER het ravijn <nieuwsbrief@ravijn.example>
To: {rcpt}
Message-ID: {message_id}
Subject: OVER het ravijn

--F--
"""


def arf(edition_id: int, row_id: int, rcpt: str, key: str | None = None) -> str:
    key = key or current_app.config["SETTINGS"].secret_keys[0]
    message_id = message_id_for(edition_id, row_id, "ravijn.example", key)
    return ARF.format(rcpt=rcpt, message_id=message_id)


def setup(db):
    anna = make_subscriber(db, "anna@gemeente.example", state=SubscriberState.active)
    bert = make_subscriber(db, "bert@gemeente.example", state=SubscriberState.active)
    edition = make_sent_edition(db)
    db.session.flush()
    rows = [
        Delivery(edition_id=edition.id, subscriber_id=s.id, batch_no=1, state="sent")
        for s in (anna, bert)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return anna, bert, edition, rows


def ingest(app, path):
    result = app.test_cli_runner().invoke(args=["delivery", "ingest-bounces", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_arf_report_for_our_message_stops_exactly_that_reader(app, db, tmp_path, editor_client):
    anna, bert, edition, rows = setup(db)
    (tmp_path / "klacht.eml").write_text(arf(edition.id, rows[0].id, anna.email))
    output = ingest(app, tmp_path / "klacht.eml")
    assert "1 klacht(en) over spam verwerkt" in output
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.complained
    assert db.session.get(Subscriber, bert.id).state == SubscriberState.active
    [event] = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.kind == ConsentKind.complained)
    )
    assert (event.subscriber_id, event.source) == (anna.id, ConsentSource.complaint_report)
    assert event.detail == f"klacht over editie {edition.id} (abuse)"
    # the same report again changes nothing more
    assert "0 klacht(en) over spam verwerkt" in ingest(app, tmp_path / "klacht.eml")
    page = editor_client.get("/beheer/verzendingen").get_data(as_text=True)
    assert '<td data-label="Klachten (spam)">1</td>' in page


def test_a_forged_or_misdirected_report_changes_nothing(app, db, tmp_path):
    anna, bert, edition, rows = setup(db)
    forged_key = "een-sleutel-die-niet-van-ons-is-0123456789"
    (tmp_path / "vals.eml").write_text(arf(edition.id, rows[0].id, anna.email, key=forged_key))
    (tmp_path / "ander.eml").write_text(arf(edition.id, rows[0].id, bert.email))
    (tmp_path / "geen-rij.eml").write_text(arf(edition.id, rows[0].id + 99, anna.email))
    output = ingest(app, tmp_path)
    assert "0 klacht(en) over spam verwerkt" in output and "3 zonder bewijs" in output
    db.session.expire_all()
    states = {s.email: s.state for s in db.session.scalars(select(Subscriber))}
    assert set(states.values()) == {SubscriberState.active}

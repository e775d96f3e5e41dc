"""Trust boundaries: forged bounces, failed test-sends, what an erasure scrubs, a save racing a
publish, expired links, the stored archive, strangers' text in our mail, equal work per address."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time

import pytest
from flask import current_app
from sqlalchemy import select, update

from newsletter.auth.audit import last
from newsletter.delivery import control
from newsletter.delivery.models import Delivery
from newsletter.delivery.prepared import message_id_for
from newsletter.editions import services as editions
from newsletter.editions.models import Edition, EditionState
from newsletter.subscribers import lifecycle, privacy
from newsletter.subscribers.lifecycle import ConfirmOutcome
from newsletter.subscribers.models import ImportJob, Subscriber, SubscriberState
from newsletter.subscribers.tokens import Purpose
from tests.factories import SOURCE, make_sent_edition, make_subscriber, subscribers
from tests.helpers import backdated_token, form_tokens, wait_for_state, wait_until

LINK = re.compile(r"https://ravijn\.example(/\S+)")
POSTFIX_DSN = """Return-Path: <>
Received: by relay.ravijn.example (Postfix) id 4Xk2L1abcdz; Fri, 27 Nov 2026 10:12:01 +0100
Date: Fri, 27 Nov 2026 10:12:01 +0100 (CET)
From: MAILER-DAEMON@relay.ravijn.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: nieuwsbrief@ravijn.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4Xk2L1abcdz.1764234721/relay.ravijn.example"
Message-Id: <20261127091201.4Xk2L1abcdz@relay.ravijn.example>

This is a MIME-encapsulated message.

--4Xk2L1abcdz.1764234721/relay.ravijn.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.ravijn.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{address}>: host mx.gemeente.example[192.0.2.7] said: 550 5.1.1 <{address}>:
    Recipient address rejected: User unknown (in reply to RCPT TO command)

--4Xk2L1abcdz.1764234721/relay.ravijn.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.ravijn.example
X-Postfix-Queue-ID: 4Xk2L1abcdz
X-Postfix-Sender: rfc822; nieuwsbrief@ravijn.example
Arrival-Date: Fri, 27 Nov 2026 10:11:58 +0100 (CET)

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.gemeente.example
Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: User
    unknown

--4Xk2L1abcdz.1764234721/relay.ravijn.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: OVER het ravijn <nieuwsbrief@ravijn.example>
To: {address}
Subject: Jeugdzorg: gemeenten kunnen het gat niet dichten
{message_id}
List-Unsubscribe-Post: List-Unsubscribe=One-Click

--4Xk2L1abcdz.1764234721/relay.ravijn.example--
"""


def dsn(address: str, edition_id: int | None = None, row_id: int | None = None) -> str:
    key = current_app.config["SETTINGS"].secret_keys[0]
    ours = message_id_for(edition_id, row_id, "ravijn.example", key) if row_id else ""
    return POSTFIX_DSN.format(address=address, message_id=f"Message-ID: {ours}" if ours else "")


def ingest(app, folder, files: dict[str, str]) -> str:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    result = app.test_cli_runner().invoke(args=["delivery", "ingest-bounces", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def test_forged_bounces_change_nobody(app, db, tmp_path):
    anna = make_subscriber(db, "anna@gemeente.example", state=SubscriberState.active)
    bert = make_subscriber(db, "bert@gemeente.example", state=SubscriberState.active)
    edition = make_sent_edition(db)
    db.session.flush()
    row = Delivery(edition_id=edition.id, subscriber_id=anna.id, batch_no=1, state="sent")
    db.session.add(row)
    db.session.commit()

    forged = ingest(app, tmp_path / "a", {"forged.eml": dsn(bert.email)})  # no Message-ID
    # a Message-ID in our form but without our tag: anyone can count ledger rows
    guessed = POSTFIX_DSN.format(
        address=anna.email,
        message_id=f"Message-ID: <{edition.id}.{row.id}.0123456789abcdef.ravijn@ravijn.example>",
    )
    assert "1 zonder bewijs" in ingest(app, tmp_path / "g", {"guessed.eml": guessed})
    other = ingest(app, tmp_path / "b", {"other.eml": dsn(bert.email, edition.id, row.id)})
    assert "0 harde bounce(s) verwerkt" in forged and "1 zonder bewijs" in forged
    assert "0 harde bounce(s) verwerkt" in other and "1 zonder bewijs" in other
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.active
    assert db.session.get(Subscriber, bert.id).state == SubscriberState.active

    real = ingest(app, tmp_path / "c", {"real.eml": dsn(anna.email, edition.id, row.id)})
    assert "1 harde bounce(s) verwerkt" in real
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.bounced
    assert db.session.get(Subscriber, bert.id).state == SubscriberState.active
    assert db.session.get(Delivery, row.id).error == "DSN 5.1.1"

    # Anna confirms again; the same DSN, replayed, no longer proves anything
    anna = db.session.get(Subscriber, anna.id)
    assert lifecycle.confirm(anna.public_id, anna.confirm_nonce) is ConfirmOutcome.confirmed
    replayed = ingest(app, tmp_path / "d", {"real.eml": dsn(anna.email, edition.id, row.id)})
    assert "0 harde bounce(s) verwerkt" in replayed and "1 zonder bewijs" in replayed
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.active


def test_a_failed_test_send_is_reported_as_failed(app, db, editor, editor_client, worker, sink):
    sink.handler.rcpt_replies[editor.email] = ["550 5.1.1 onbekend"]
    edition, _ = editions.create(SOURCE, editor.id)
    page = f"/beheer/edities/{edition.id}"
    answer = editor_client.post(f"{page}/test", data=form_tokens(editor_client, page))
    assert answer.status_code == 303
    assert "verstuurd" not in editor_client.get(page).get_data(as_text=True).lower()
    outcome = wait_until(lambda: last("test-send", f"editie {edition.id}"), 10, "the outcome")
    assert outcome.detail.startswith("mislukt")
    assert "Laatste testmail" in editor_client.get(page).get_data(as_text=True)
    assert "mislukt" in editor_client.get(page).get_data(as_text=True)


def test_the_ledger_keeps_codes_and_erasure_scrubs_import_reports(app, db, editor, worker, sink):
    [gone, stays] = subscribers(db, 2)
    sink.handler.rcpt_replies[gone.email] = [f"550 5.1.1 <{gone.email}>: User unknown"]
    edition, _ = editions.create(SOURCE, editor.id)
    control.publish(edition.id)
    wait_for_state(app, edition.id, EditionState.sent)
    errors = db.session.scalars(select(Delivery.error).where(Delivery.error.is_not(None))).all()
    assert errors == ["550 5.1.1"]  # the relay's code, not its text with the address
    job = ImportJob(
        actor="redactie",
        filename="lijst.csv",
        stored_as="x.csv",
        dry_run=True,
        state="done",
        report=json.dumps({"checked": {"problems": [[3, f"'{gone.email.upper()}' bestaat al"]]}}),
    )
    db.session.add(job)
    db.session.commit()
    assert privacy.erase(gone.email)
    db.session.expire_all()
    assert gone.email.lower() not in db.session.get(ImportJob, job.id).report.lower()
    assert "(gewist)" in db.session.get(ImportJob, job.id).report
    assert db.session.get(Subscriber, stays.id) is not None


def test_a_save_that_races_a_publish_loses(app, db, editor):
    subscribers(db, 1)
    edition, _ = editions.create(SOURCE, editor.id)
    stale = db.session.get(Edition, edition.id)  # the editor's form was loaded as a draft
    control.publish(edition.id)
    db.session.expire_all()
    with pytest.raises(editions.EditionError, match="verzonden"):
        editions.update(stale.id, SOURCE.replace("Jeugdzorg", "Iets anders"))
    assert db.session.get(Edition, edition.id).source == SOURCE


def test_small_things(app, db, client, signup_form, editor_client, worker, tmp_path):
    # the sign-up form's time trap is used once: a replayed form changes nothing
    data = signup_form(email="eenmaal@gemeente.example")
    client.post("/aanmelden", data=data)
    client.post("/aanmelden", data=data | {"email": "tweemaal@gemeente.example"})
    keys = set(db.session.scalars(select(Subscriber.email_key)))
    assert keys == {"eenmaal@gemeente.example"}
    # admin pages are never cached
    assert editor_client.get("/beheer/").headers["Cache-Control"] == "no-store"
    assert editor_client.get("/beheer/lezers/").headers["Cache-Control"] == "no-store"
    # a CSV in no known encoding is one Dutch line, not a traceback
    path = tmp_path / "raar.csv"
    path.write_bytes(b"naam;e-mailadres;gemeente;functie\n\x81\x8d;a@b.nl;Utrecht;wethouder\n")
    result = app.test_cli_runner().invoke(args=["subscribers", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "geen UTF-8 en geen Windows-1252" in result.output
    # alt texts and button labels are escaped once
    source = (
        SOURCE
        + "\n![Q&A in beeld](https://vng.nl/a.png)\n\n[Q&A lezen](https://vng.nl/){.button}\n"
    )
    html = editions.render(source).html
    assert "Q&amp;A in beeld" in html and "Q&amp;A lezen" in html and "&amp;amp;" not in html


def test_an_expired_preferences_link_offers_a_fresh_one_by_mail(app, db, client, worker, sink):
    [subscriber] = subscribers(db, 1)
    days = app.config["SETTINGS"].preferences_link_days
    old = backdated_token(app, Purpose.preferences, subscriber.public_id, (days + 1) * 86400)
    expired = client.get(f"/voorkeuren/{old}")
    body = expired.get_data(as_text=True)
    assert expired.status_code == 410 and "Deze link is verlopen" in body
    assert subscriber.email not in body and subscriber.name not in body
    answer = client.post(
        "/voorkeuren/nieuwe-link",
        data=form_tokens(client, f"/voorkeuren/{old}") | {"email": subscriber.email},
    )
    assert answer.status_code == 303
    [mail] = sink.wait_for(1)
    [path] = [
        p
        for p in LINK.findall(mail.message().get_body(("plain",)).get_content())
        if p.startswith("/voorkeuren/")
    ]
    fresh = client.get(path).get_data(as_text=True)
    assert "Je gegevens" in fresh or "gegevens" in fresh
    assert subscriber.email not in fresh and subscriber.email[:2] + "…@gemeente.example" in fresh
    unknown = client.post(
        "/voorkeuren/nieuwe-link",
        data=form_tokens(client, f"/voorkeuren/{old}") | {"email": "niemand@gemeente.example"},
    )
    assert unknown.status_code == 303 and unknown.headers["Location"] == answer.headers["Location"]
    assert len(sink.settle(1)) == 1  # nothing for an address we do not know


def test_an_old_confirmation_link_opens_no_preferences(app, db, client, signup_form, worker, sink):
    client.post("/aanmelden", data=signup_form())
    [mail] = sink.wait_for(1)
    [confirm] = [
        p
        for p in LINK.findall(mail.message().get_body(("plain",)).get_content())
        if p.startswith("/bevestigen/")
    ]
    first = client.post(confirm, data=form_tokens(client, confirm)).get_data(as_text=True)
    assert "/gegevens/" in first  # right after confirming: a link to the details
    again = client.get(confirm).get_data(as_text=True)
    assert "al bevestigd" in again and "/gegevens/" not in again and "/voorkeuren/" not in again


def test_the_archive_serves_the_html_stored_when_sent(app, db, client, editor, worker):
    subscribers(db, 2)
    edition, _ = editions.create(SOURCE, editor.id)
    control.publish(edition.id)
    sent = wait_for_state(app, edition.id, EditionState.sent)
    assert sent.archive_html and "Jeugdzorg" in sent.archive_html
    db.session.execute(
        update(Edition).where(Edition.id == edition.id).values(archive_html="<p>opgeslagen</p>")
    )
    db.session.commit()
    served = client.get(f"/archief/{edition.id}").get_data(as_text=True)
    # the stored HTML inside the site's page, with the way back to the archive (no render)
    assert "<p>opgeslagen</p>" in served and "Alle nieuwsbrieven" in served


def test_no_strangers_text_and_one_limit_per_mailbox(
    app, db, client, signup_form, settings, worker, sink
):
    typed = "Beste collega. LET OP: bevestig ook via https://evil.example"
    refused = client.post("/aanmelden", data=signup_form(name=typed))
    assert refused.status_code == 422
    assert "zonder web- of e-mailadres" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Subscriber.id)) is None

    client.post("/aanmelden", data=signup_form(name="Anna de Vries"))
    [mail] = sink.wait_for(1)
    assert "Anna" not in mail.message().get_body(("plain",)).get_content()  # nobody by name
    assert "Anna" not in str(mail.message()["To"])  # not in the To header either

    sink.clear()
    settings(signup_address_limit="2 per hour", confirmation_interval_seconds=0)
    for tag in range(6):
        client.post("/aanmelden", data=signup_form(email=f"doelwit+{tag}@gemeente.example"))
    for dotted in ("d.o.e.l@gmail.com", "doel@googlemail.com", "do.el+x@gmail.com"):
        client.post("/aanmelden", data=signup_form(email=dotted))
    received = sink.settle(3)
    to_tagged = [r for r in received if r.recipients[0].startswith("doelwit+")]
    to_gmail = [r for r in received if r.recipients[0].endswith("mail.com")]
    assert len(to_tagged) == 2 and len(to_gmail) == 2  # one inbox each, whatever the spelling


def test_a_new_and_a_known_address_cost_the_request_the_same_work(
    app, db, client, signup_form, settings, paused_worker
):
    """The same SQL, statement for statement, whatever the address (timing follows the work;
    medians are printed, not asserted)."""
    from sqlalchemy import event

    from newsletter.database import utcnow

    settings(confirmation_interval_seconds=3600)
    make_subscriber(db, "actief@gemeente.example", state=SubscriberState.active)
    make_subscriber(
        db, "wacht@gemeente.example", state=SubscriberState.pending, confirmation_sent_at=utcnow()
    )  # its hourly mail already went: the quickest path before
    db.session.commit()
    statements: list[str] = []

    request_thread = threading.get_ident()  # the test client runs the request right here

    def seen(conn, cursor, statement, parameters, context, executemany):
        # only the request's own statements: a worker or server thread of an earlier test that
        # touches the database meanwhile is not this request's work
        if threading.get_ident() == request_thread:
            statements.append(statement)

    def work(email: str) -> tuple[list[str], float]:
        data = signup_form(email=email)
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        started = time.perf_counter()
        try:
            assert client.post("/aanmelden", data=data).status_code == 303
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return list(statements), time.perf_counter() - started

    new = [work(f"nieuw{i}@gemeente.example") for i in range(30)]
    active = [work("actief@gemeente.example") for _ in range(30)]
    waiting = [work("wacht@gemeente.example") for _ in range(30)]
    assert new[0][0] == active[0][0] == waiting[0][0]
    assert all(w[0] == new[0][0] for w in new + active + waiting)
    medians = [statistics.median(t for _, t in runs) * 1000 for runs in (new, active, waiting)]
    shown = " / ".join(f"{m:.1f}" for m in medians)
    print(f"\nsign-up POST median, new / active / pending: {shown} ms")


def test_a_form_whose_message_was_lost_is_handled_by_the_clock(app, db, worker, sink):
    from datetime import timedelta

    from newsletter.database import utcnow
    from newsletter.subscribers import lifecycle
    from newsletter.subscribers.models import Role, SubmittedSignup

    db.session.add(
        SubmittedSignup(
            email="vergeten@gemeente.example",
            email_key="vergeten@gemeente.example",
            name="Vergeten",
            gemeente_code="GM0363",
            role=Role.raadslid,
            submitted_at=utcnow() - timedelta(minutes=5),
        )
    )
    db.session.commit()  # no message queued: as if Redis was away at that moment
    lifecycle.retention(utcnow(), app.config["SETTINGS"].confirm_max_age_seconds)
    [mail] = sink.wait_for(1)
    assert mail.recipients == ["vergeten@gemeente.example"]
    wait_until(lambda: db.session.scalar(select(SubmittedSignup.id)) is None, 5, "the form gone")

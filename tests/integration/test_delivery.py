"""Publishing an edition through the real worker, Redis, database and SMTP sink."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from newsletter.delivery import control, progress
from newsletter.delivery.models import Delivery
from newsletter.editions import services as editions
from newsletter.editions import states
from newsletter.editions.models import EditionState
from newsletter.rendering.markers import PATTERN as MARKER
from newsletter.subscribers.models import ConsentSource, Subscriber, SubscriberState
from newsletter.subscribers.tokens import Purpose
from tests.factories import SOURCE, make_subscriber, subscribers
from tests.helpers import ledger, wait_for_state

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect


def test_publish_sends_one_list_mail_to_each_confirmed_reader(
    app, db, editor, worker, sink, settings
):
    settings(batch_size=7)  # 30 readers: five batches, the last one short
    people = subscribers(db, 30)
    make_subscriber(db, "wacht@gemeente.example", state=SubscriberState.pending)
    make_subscriber(db, "weg@gemeente.example", state=SubscriberState.unsubscribed)
    db.session.commit()
    edition, _ = editions.create(SOURCE, editor.id)
    assert states.check_sendable(edition, None).recipients == 30

    control.publish(edition.id)
    done = wait_for_state(app, edition.id, EditionState.sent)

    assert done.state == EditionState.sent, progress.progress(done)
    assert done.recipient_count == 30
    mails = sink.wait_for(30)
    assert sorted(m.recipients[0] for m in mails) == sorted(p.email for p in people)
    signer = app.extensions["signer"]
    for received in mails:
        message = received.message()
        subscriber = next(p for p in people if p.email == received.recipients[0])
        assert message.get_content_type() == "multipart/alternative"
        assert message["To"].addresses[0].display_name == subscriber.name
        assert message["List-Id"] and message["Message-ID"] and message["Date"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        https, mailto = [v.strip(" <>") for v in message["List-Unsubscribe"].split(",")]
        assert mailto.startswith("mailto:") and https.startswith("https://ravijn.example/")
        token = https.rsplit("/", 1)[1].partition("?editie=")[0]
        assert signer.load_str(Purpose.unsubscribe, token) == subscriber.public_id
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert https in text and https in html.replace("&amp;", "&")
        assert not MARKER.search(text) and not MARKER.search(html)
    assert ledger(db, edition.id) == {"sent": 30}
    batches = db.session.scalars(select(Delivery.batch_no).distinct()).all()
    assert sorted(batches) == [1, 2, 3, 4, 5]
    shown = progress.progress(done)
    assert (shown.sent, shown.pending, shown.percent) == (30, 0, 100)


def test_4xx_retried_5xx_bounced_and_leavers_skipped(app, db, editor, _worker, broker, sink):
    from newsletter.delivery import snapshot
    from newsletter.subscribers import lifecycle

    people = subscribers(db, 12)
    later, refused, leaver = people[0].email, people[1].email, people[2]
    sink.handler.rcpt_replies.update(
        {later: ["451 4.3.0 even geduld", "450 4.2.1 nog even"], refused: ["550 5.1.1 onbekend"]}
    )
    edition, _ = editions.create(SOURCE, editor.id)
    _worker.pause()
    try:
        control.publish(edition.id)
        snapshot.fan_out(edition.id)  # the snapshot is taken …
        lifecycle.unsubscribe(leaver.public_id, ConsentSource.one_click)  # … then one leaves
    finally:
        _worker.resume()
    done = wait_for_state(app, edition.id, EditionState.sent, timeout=40)

    assert done.state == EditionState.sent, progress.progress(done)
    assert ledger(db, edition.id) == {"sent": 10, "failed": 1, "skipped": 1}
    got = [m.recipients[0] for m in sink.received if m.message()["List-Id"]]
    assert got.count(later) == 1 and refused not in got and leaver.email not in got
    assert len(got) == 10
    retried = db.session.scalar(select(Delivery).join(Subscriber).where(Subscriber.email == later))
    assert retried.attempts == 3
    bounced = db.session.scalar(select(Subscriber).where(Subscriber.email == refused))
    assert bounced.state == SubscriberState.bounced
    assert sink.handler.rcpt_replies[refused] == []  # asked once, never again
    broker.join("bulk", timeout=10_000)


def test_a_published_edition_passes_spamassassin(app, db, editor, worker, sink):
    import shutil

    from tests.helpers import spam_score

    subscribers(db, 2)
    edition, _ = editions.create(SOURCE, editor.id)
    control.publish(edition.id)
    assert wait_for_state(app, edition.id, EditionState.sent).state == EditionState.sent
    mail = next(m for m in sink.wait_for(2) if m.message()["List-Id"])
    if shutil.which("spamassassin") is None:
        pytest.skip("spamassassin is not installed (make test installs it: .ci/services)")
    score = spam_score(mail.data)
    print(f"\nSpamAssassin local score of a published edition: {score}")
    assert score <= 1.0


def test_a_province_segment_reaches_only_that_province(app, db, editor, worker, sink):
    from newsletter.subscribers.models import Role

    gelders = subscribers(db, 4, prefix="gld", gemeente_code="GM0202")  # Arnhem
    subscribers(db, 3, prefix="utr", gemeente_code="GM0344")  # Utrecht
    wethouders = subscribers(db, 2, prefix="weth", gemeente_code="GM0202", role=Role.wethouder)
    make_subscriber(
        db, "gld-pending@x.example", gemeente_code="GM0202", state=SubscriberState.pending
    )
    db.session.commit()
    source = SOURCE.replace("---\n", "---\nsegment: {provincies: [gelderland]}\n", 1)
    edition, rendered = editions.create(source, editor.id)
    assert rendered.ok, rendered.problems
    assert states.check_sendable(edition, None).recipients == 6

    control.publish(edition.id)
    assert wait_for_state(app, edition.id, EditionState.sent).state == EditionState.sent
    got = sorted(m.recipients[0] for m in sink.received if m.message()["List-Id"])
    assert got == sorted(p.email for p in gelders + wethouders)
    assert ledger(db, edition.id) == {"sent": 6}

    both = SOURCE.replace(
        "---\n", "---\nsegment: {provincies: [Gelderland], functies: [Wethouder]}\n", 1
    )
    assert states.check_sendable(editions.create(both, editor.id)[0], None).recipients == 2
    unknown = SOURCE.replace("---\n", "---\nsegment: {provincies: [Atlantis]}\n", 1)
    with pytest.raises(editions.EditionError, match="Atlantis"):
        states.check_sendable(editions.create(unknown, editor.id)[0], None)

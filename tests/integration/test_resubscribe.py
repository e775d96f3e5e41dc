"""Coming back after unsubscribing, and what a link from a forwarded mail may open: the
preferences link brings nobody back without a fresh link at the address on file, and the
never-expiring unsubscribe link gives no way to a reader's details; its undo belongs to the
browser that pressed the button."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from newsletter.database import utcnow
from newsletter.subscribers import lifecycle
from newsletter.subscribers.links import preferences_url, unsubscribe_url
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Subscriber,
    SubscriberState,
)
from tests.factories import make_subscriber
from tests.helpers import form_tokens


def subscriber(db):
    subscriber = make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    return subscriber


def kinds(db, subscriber_id):
    return db.session.scalars(
        select(ConsentEvent.kind)
        .where(ConsentEvent.subscriber_id == subscriber_id)
        .order_by(ConsentEvent.id)
    ).all()


def test_toch_weer_aanmelden_needs_a_fresh_link_at_the_address_on_file(client, db, worker, sink):
    """A forwarded mail's preferences link (90 days) cannot bring back a reader who left: the
    button mails a manage link to the address on file, and only that link re-subscribes."""
    anna = subscriber(db)
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    sink.wait_for(1)  # the goodbye (no return window in these tests)
    sink.clear()
    path = urlsplit(preferences_url(anna.public_id)).path
    page = client.get(path).get_data(as_text=True)
    assert "U bent afgemeld met" in page and 'name="name"' not in page
    asked = client.post(path, data=form_tokens(client, path) | {"actie": "weer-aanmelden"})
    assert asked.status_code == 200 and "We hebben een e-mail gestuurd" in asked.get_data(True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed
    [mail] = sink.wait_for(1)
    assert mail.recipients == ["anna@utrecht.example"]
    text = mail.message().get_body(preferencelist=("plain",)).get_content()
    [manage] = re.findall(r"https://ravijn\.example(/gegevens/\S+)", text)
    opened = client.get(manage).get_data(as_text=True)  # a mail scanner opens links
    assert "Toch weer aanmelden" in opened
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed
    back = client.post(manage, data=form_tokens(client, manage) | {"actie": "weer-aanmelden"})
    assert back.status_code == 303
    assert "Welkom terug" in client.get(back.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.active
    assert kinds(db, anna.id)[-2:] == [ConsentKind.unsubscribed, ConsentKind.resubscribed]


def test_the_unsubscribe_link_opens_no_other_door_and_its_undo_ends(client, db):
    anna = subscriber(db)
    path = urlsplit(unsubscribe_url(anna.public_id)).path
    done = client.post(path, data=form_tokens(client, path))
    assert "/voorkeuren/" not in done.get_data(as_text=True)
    assert "Toch weer aanmelden" in done.get_data(as_text=True)
    # the undo is for the browser that pressed the button, not for whoever has the link
    other = client.application.test_client()
    other.environ_base.update(client.environ_base)
    assert "Toch weer aanmelden" not in other.get(path).get_data(as_text=True)
    stranger = other.post(path + "/terug", data=form_tokens(other, "/aanmelden"))
    assert stranger.status_code == 409
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed
    anna = db.session.get(Subscriber, anna.id)
    anna.unsubscribed_at = utcnow() - timedelta(minutes=31)  # the undo is for half an hour
    db.session.commit()
    late = client.post(path + "/terug", data=form_tokens(client, "/aanmelden"))
    assert late.status_code == 409 and "een half uur" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed

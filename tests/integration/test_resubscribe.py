"""Coming back after unsubscribing (issue 13, acceptance 3), and what an unsubscribe link may
open: a never-expiring link from a forwarded mail gives no way to a reader's details."""

from __future__ import annotations

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


def reader(db):
    subscriber = make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    return subscriber


def kinds(db, subscriber_id):
    return db.session.scalars(
        select(ConsentEvent.kind)
        .where(ConsentEvent.subscriber_id == subscriber_id)
        .order_by(ConsentEvent.id)
    ).all()


def test_toch_weer_aanmelden_on_the_preferences_page(client, db):
    anna = reader(db)
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    path = urlsplit(preferences_url(anna.public_id)).path
    page = client.get(path).get_data(as_text=True)
    assert "U bent afgemeld met" in page and 'name="name"' not in page
    back = client.post(path, data=form_tokens(client, path) | {"actie": "weer-aanmelden"})
    assert back.status_code == 303
    assert "Welkom terug" in client.get(back.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.active
    assert kinds(db, anna.id)[-2:] == [ConsentKind.unsubscribed, ConsentKind.resubscribed]


def test_the_unsubscribe_link_opens_no_other_door_and_its_undo_ends(client, db):
    anna = reader(db)
    path = urlsplit(unsubscribe_url(anna.public_id)).path
    done = client.post(path, data=form_tokens(client, path))
    assert "/voorkeuren/" not in done.get_data(as_text=True)
    assert "Toch weer aanmelden" in done.get_data(as_text=True)
    anna = db.session.get(Subscriber, anna.id)
    anna.unsubscribed_at = utcnow() - timedelta(minutes=31)  # the undo is for half an hour
    db.session.commit()
    late = client.post(path + "/terug", data=form_tokens(client, "/aanmelden"))
    assert late.status_code == 409 and "een half uur" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed

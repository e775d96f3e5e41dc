"""Change of e-mail address: asked behind a manage link (mailed to the address on file, never
through a forwarded preferences link), confirmed only from the new mailbox, the old one gets a
notice, a used or outdated link changes nothing, a taken address is refused."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.links import address_url, preferences_url
from newsletter.subscribers.models import ConsentEvent, Subscriber, SubscriberState
from tests.factories import make_subscriber
from tests.helpers import form_tokens

LINK = re.compile(r"https://ravijn\.example(/adres/\S+)")


def active(db, email="anna@utrecht.example"):
    subscriber = make_subscriber(db, email, name="Anna", state=SubscriberState.active)
    db.session.commit()
    return subscriber


def test_a_forwarded_preferences_link_cannot_move_the_address(client, db, worker, sink):
    """The preferences link of a newsletter (90 days, forwarded with the mail) shows no
    address form, and its token opens no address change: that needs a manage link, mailed to
    the address on file."""
    anna = active(db)
    path = urlsplit(preferences_url(anna.public_id)).path
    page = client.get(path).get_data(as_text=True)
    assert 'name="adres-email"' not in page and 'name="name"' not in page
    data = form_tokens(client, path) | {"adres-email": "kaper@elders.example"}
    moved = client.post(path + "/adres", data=data)
    assert moved.status_code in (404, 405)
    assert "Kijk in uw nieuwe mailbox" not in moved.get_data(as_text=True)
    db.session.refresh(anna)
    assert anna.pending_email is None
    assert sink.settle(1) == []  # nothing to the stranger's mailbox, no notice either


def test_a_manage_link_works_only_for_the_address_it_was_mailed_to(client, db):
    from newsletter.subscribers.links import manage_url

    anna = active(db)
    old_link = urlsplit(manage_url(anna.public_id, anna.email)).path
    assert client.get(old_link).status_code == 200
    wrong = client.post(
        old_link + "/adres", data=form_tokens(client, old_link) | {"adres-email": "x"}
    )
    assert wrong.status_code == 422 and f'href="{old_link}"' in wrong.get_data(as_text=True)
    anna.email, anna.email_key = "anna@nieuw.example", "anna@nieuw.example"
    db.session.commit()
    expired = client.get(old_link)
    assert expired.status_code == 410 and "Deze link is verlopen" in expired.get_data(True)
    data = form_tokens(client, old_link) | {"adres-email": "kaper@elders.example"}
    assert client.post(old_link + "/adres", data=data).status_code == 410
    db.session.refresh(anna)
    assert anna.pending_email is None


def test_a_new_address_is_confirmed_from_its_own_mailbox(client, db, worker, sink):
    from newsletter.subscribers.links import manage_url

    anna = active(db)
    path = urlsplit(manage_url(anna.public_id, anna.email)).path
    page = client.get(path).get_data(as_text=True)
    assert "Ander e-mailadres" in page
    data = form_tokens(client, path) | {"adres-email": "Anna.Nieuw@Gemeente.example"}
    answer = client.post(path + "/adres", data=data)
    assert answer.status_code == 200
    assert "Kijk in uw nieuwe mailbox" in answer.get_data(as_text=True)
    mails = {m.recipients[0]: m.message() for m in sink.wait_for(2)}
    assert set(mails) == {"Anna.Nieuw@gemeente.example", "anna@utrecht.example"}
    notice = mails["anna@utrecht.example"]
    notice_text = notice.get_body(preferencelist=("plain",)).get_content()
    assert "An…@gemeente.example" in notice_text and "Anna.Nieuw" not in notice_text
    db.session.refresh(anna)
    assert anna.email == "anna@utrecht.example"  # nothing changes before the confirmation
    text = mails["Anna.Nieuw@gemeente.example"].get_body(preferencelist=("plain",)).get_content()
    [link] = LINK.findall(text)
    assert "Ja, dit is mijn nieuwe adres" in client.get(link).get_data(as_text=True)
    db.session.refresh(anna)
    assert anna.email == "anna@utrecht.example"  # opening the link (a scanner) changes nothing
    done = client.post(link, data=form_tokens(client, link))
    assert done.status_code == 200 and "Uw e-mailadres is gewijzigd" in done.get_data(True)
    db.session.refresh(anna)
    assert (anna.email, anna.email_key, anna.pending_email) == (
        "Anna.Nieuw@gemeente.example",
        "anna.nieuw@gemeente.example",
        None,
    )
    [event] = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.detail.like("e-mailadres gewijzigd%"))
    )
    assert event.subscriber_id == anna.id
    again = client.post(link, data=form_tokens(client, link))
    assert "was al gewijzigd" in again.get_data(as_text=True)


def test_an_outdated_link_or_a_taken_address_changes_nothing(client, db):
    anna = active(db)
    active(db, "bezet@gemeente.example")
    lifecycle.request_address_change(anna.public_id, normalise_email("eerst@gemeente.example"))
    first = urlsplit(address_url(anna.public_id, "eerst@gemeente.example")).path
    lifecycle.request_address_change(anna.public_id, normalise_email("bezet@gemeente.example"))
    stale = client.post(first, data=form_tokens(client, first))
    assert stale.status_code == 409 and "geldt niet meer" in stale.get_data(as_text=True)
    taken_link = urlsplit(address_url(anna.public_id, "bezet@gemeente.example")).path
    taken = client.post(taken_link, data=form_tokens(client, taken_link))
    assert taken.status_code == 409 and "al aangemeld" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).email == "anna@utrecht.example"
    assert client.get("/adres/niet-echt").status_code == 404

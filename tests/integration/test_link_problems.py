"""A reader's link that does not work (broken, mistyped, expired, or its reader erased) leads to
one page: a fresh link by mail, and "Afmelden met uw e-mailadres". Never "meld u opnieuw aan":
whoever holds the link was on the list, and may want to leave."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from newsletter.subscribers import lifecycle
from newsletter.subscribers.links import unsubscribe_url
from newsletter.subscribers.models import SubscriberState
from newsletter.subscribers.tokens import Purpose
from tests.factories import make_subscriber
from tests.helpers import backdated_token

LEAVE_FORM = 'action="/afmelden"'


def offers_a_way_out(response, status: int, fresh_link: bool) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "Afmelden met uw e-mailadres" in body and LEAVE_FORM in body
    assert 'name="afmelden-email"' in body
    assert ("Stuur een nieuwe link" in body) is fresh_link
    assert "opnieuw aan" not in body.lower()
    return body


def test_a_broken_unsubscribe_link_offers_to_leave_by_address(client, db):
    anna = make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    path = urlsplit(unsubscribe_url(anna.public_id)).path
    for broken in ("/afmelden/kapot", path[:-4], path + "x"):  # mistyped, cut off by a mail client
        body = offers_a_way_out(client.get(broken), 404, fresh_link=False)
        assert "Deze link werkt niet" in body
    lifecycle.erase(anna, None)  # a valid link of a reader who is gone
    offers_a_way_out(client.get(path), 404, fresh_link=False)


@pytest.mark.parametrize(
    "path, status",
    [
        ("/voorkeuren/kapot", 404),
        ("/gegevens/kapot", 404),
        ("/bevestigen/kapot", 400),
    ],
)
def test_broken_links_offer_a_fresh_link_and_leaving(client, db, path, status):
    offers_a_way_out(client.get(path), status, fresh_link=True)


def test_expired_links_offer_a_fresh_link_and_leaving(app, client, db):
    from newsletter.subscribers.links import manage_token, signer

    anna = make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    days = app.config["SETTINGS"].preferences_link_days
    old = backdated_token(app, Purpose.preferences, anna.public_id, days * 86400 + 60)
    body = offers_a_way_out(client.get(f"/voorkeuren/{old}"), 410, fresh_link=True)
    assert f"werkt {days} dagen" in body
    manage = backdated_token(
        app,
        Purpose.manage,
        signer().loads(Purpose.manage, manage_token(anna.public_id, anna.email)),
        3700,
    )
    body = offers_a_way_out(client.get(f"/gegevens/{manage}"), 410, fresh_link=True)
    assert "werkt 1 uur" in body
    confirm = backdated_token(app, Purpose.confirm, [anna.public_id, anna.confirm_nonce], 73 * 3600)
    offers_a_way_out(client.get(f"/bevestigen/{confirm}"), 410, fresh_link=True)

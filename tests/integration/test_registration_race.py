"""Two requests for one new address at the same moment: the second finds the unique key taken
at its flush. Both doors (the form's opt-in and the API's registration) then treat the address
as known; nothing is half-written and the first reader keeps its one event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lifecycle import core, journey, registration
from newsletter.subscribers.models import ConsentEvent, ConsentSource, Role, Subscriber
from tests.factories import make_subscriber

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

EMAIL = normalise_email("gelijktijdig@gemeente.example")


@pytest.fixture
def raced(db, monkeypatch):
    """The other request's reader is in the table, but this one looked before it was."""
    first = make_subscriber(db, EMAIL.address)
    db.session.commit()
    looked = []

    def by_key(key: str) -> Subscriber | None:
        looked.append(key)
        return None if len(looked) == 1 else core.by_key(key)

    monkeypatch.setattr(journey, "by_key", by_key)
    monkeypatch.setattr(registration, "by_key", by_key)
    return first


def test_the_api_refuses_the_second_as_known(db, raced):
    new = registration.NewSubscriber(EMAIL, "Tweede", "GM0363", Role.raadslid, None)
    with pytest.raises(registration.RegistrationRefused) as refused:
        registration.register(new, ConsentSource.api)
    assert refused.value.why == registration.Refusal.known
    assert refused.value.public_id == raced.public_id
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1


def test_the_form_goes_on_with_the_known_reader(db, raced):
    req = journey.SignupRequest(EMAIL, "Tweede", "GM0363", Role.raadslid, None)
    journey.request_signup(req, interval=0)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1
    events = db.session.scalars(select(ConsentEvent.kind)).all()
    assert [e.value for e in events] == ["requested"]  # the known reader's fresh request

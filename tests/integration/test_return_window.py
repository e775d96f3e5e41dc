"""Leaving and coming back within the return window (RETURN_WINDOW_SECONDS): no goodbye, then
welcome. The goodbye is queued after the commit with the window as its delay, and the worker
checks the reader's state when its time comes; a reader back within the window clears it and
gets no welcome either."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from newsletter.jobs import TRANSACTIONAL
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.links import unsubscribe_url
from newsletter.subscribers.models import ConsentSource, Role, Subscriber, SubscriberState
from tests.factories import make_subscriber
from tests.helpers import form_tokens

WINDOW = 3  # seconds: long enough for two requests, short enough to wait for the goodbye


def active(db):
    anna = make_subscriber(db, "anna@utrecht.example", name="Anna", state=SubscriberState.active)
    db.session.commit()
    return anna


def settled(broker, worker) -> None:
    """Every message handled, the delayed goodbye included (join waits for the delay queue)."""
    broker.join(TRANSACTIONAL, timeout=30_000)
    worker.join()


def subjects(sink) -> list[str]:
    return [str(m.message()["Subject"]) for m in sink.received]


def test_leave_and_undo_within_the_window_sends_neither_goodbye_nor_welcome(
    client, db, settings, worker, broker, sink
):
    settings(return_window_seconds=WINDOW)
    anna = active(db)
    path = urlsplit(unsubscribe_url(anna.public_id)).path
    left = client.post(path, data=form_tokens(client, path))
    assert "U bent afgemeld" in left.get_data(as_text=True)
    back = client.post(path + "/terug", data=form_tokens(client, "/aanmelden"))
    assert back.status_code == 200 and "welkomstmail" not in back.get_data(as_text=True)
    settled(broker, worker)
    assert subjects(sink) == []
    db.session.expire_all()
    anna = db.session.get(Subscriber, anna.id)
    assert anna.state == SubscriberState.active and anna.goodbye_due_at is None


def test_leave_and_sign_up_again_within_the_window_sends_only_the_confirmation(
    client, db, settings, worker, broker, sink
):
    settings(return_window_seconds=WINDOW)
    anna = active(db)
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    # the form's own request, without the test client's wait for the queue (the goodbye in it)
    email = normalise_email("anna@utrecht.example")
    request = lifecycle.SignupRequest(email, "Anna", "GM0344", Role.wethouder, None)
    lifecycle.request_signup(request, interval=3600)
    [confirmation] = sink.wait_for(1)
    text = confirmation.message().get_body(preferencelist=("plain",)).get_content()
    [confirm] = re.findall(r"https://ravijn\.example(/bevestigen/\S+)", text)
    done = client.post(confirm, data=form_tokens(client, confirm))
    assert "U bent aangemeld" in done.get_data(as_text=True)
    settled(broker, worker)
    assert subjects(sink) == ["Bevestig uw aanmelding voor OVER het ravijn"]


def test_who_stays_away_gets_one_goodbye_after_the_window_even_after_leaving_twice(
    db, settings, worker, broker, sink
):
    settings(return_window_seconds=WINDOW)
    anna = active(db)
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    assert lifecycle.resubscribe(anna.public_id, undo=True) is lifecycle.Returned.quietly
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)  # two goodbyes queued
    assert sink.settle(1) == []  # not within the window
    settled(broker, worker)
    assert subjects(sink) == ["U bent afgemeld voor OVER het ravijn"]


def test_back_after_the_goodbye_went_gets_a_welcome(db, worker, broker, sink):
    anna = active(db)  # no window in the tests' settings: the goodbye goes at once
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)
    sink.wait_for(1)
    assert lifecycle.resubscribe(anna.public_id, undo=True) is lifecycle.Returned.welcome
    settled(broker, worker)
    assert subjects(sink) == ["U bent afgemeld voor OVER het ravijn", "Welkom bij OVER het ravijn"]

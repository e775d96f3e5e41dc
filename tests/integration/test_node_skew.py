"""Web nodes and workers whose clocks differ by half a minute (issue 28). A link signed on a
node that runs ahead works on the others; the sign-up form's time trap measures on Redis's
clock, the one all nodes share, so it neither asks everyone to "press once more" nor lets a
form through that came back too soon."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from newsletter.subscribers.models import SubmittedSignup, SubscriberState
from tests.helpers import form_tokens
from tests.integration.test_journey import backdated, links_in, subscriber

AGAIN = "Wilt u nog één keer op Aanmelden drukken?"


def stored(db) -> int:
    """Sign-ups stored for a worker (a refused form stores none)."""
    return db.session.scalar(select(func.count()).select_from(SubmittedSignup))


@pytest.fixture
def node_clock(monkeypatch):
    """`node_clock(30)`: this process's clock runs 30 s ahead (as under `faketime +30s`)."""
    real = time.time

    def skew(seconds: float) -> None:
        monkeypatch.setattr(time, "time", lambda: real() + seconds)

    yield skew


def test_a_form_made_on_a_node_30_s_ahead_is_accepted_by_the_others(
    client, signup_form, settings, node_clock, db
):
    settings(signup_min_seconds=0)
    node_clock(30)
    form = signup_form()  # page, session cookie and time trap all made on the fast node
    node_clock(0)
    answer = client.post("/aanmelden", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert stored(db) == 1


def test_a_form_made_on_a_node_30_s_behind_still_has_to_wait(
    client, signup_form, settings, node_clock, db
):
    settings(signup_min_seconds=5)
    node_clock(-30)
    form = signup_form()
    node_clock(0)
    answer = client.post("/aanmelden", data=form)  # at once: 0 s on the shared clock
    assert answer.status_code == 200
    assert AGAIN in answer.get_data(as_text=True)
    assert stored(db) == 0


def test_a_confirmation_link_from_a_worker_ahead_works_within_the_bound(
    app, client, signup_form, worker, sink, db
):
    assert client.post("/aanmelden", data=signup_form()).status_code == 303
    [mail] = sink.wait_for(1)
    [confirm_path] = links_in(mail)

    far_ahead = client.get(backdated(app, confirm_path, -600))  # ten minutes: not a clock
    assert far_ahead.status_code == 410

    ahead = backdated(app, confirm_path, -30)  # signed on a worker 30 s ahead
    page = client.get(ahead)
    assert page.status_code == 200
    assert "Aanmelding bevestigen" in page.get_data(as_text=True)
    done = client.post(ahead, data=form_tokens(client, ahead))
    assert "U bent aangemeld" in done.get_data(as_text=True)
    assert subscriber(db).state == SubscriberState.active

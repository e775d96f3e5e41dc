"""Redis away (issue 28): leaving always works, its limits let it through and its mail waits in
the outbox; the sign-up, which needs Redis for its checks against bots and floods, answers a
clear Dutch 503, never a 500. "Away" is a port nobody listens on: connections are refused at
once, as after a crash (a hanging Redis is the socket timeout's case, see test_health)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import redis
from limits.storage import storage_from_string
from sqlalchemy import select

from newsletter import redis_urls
from newsletter.dev.sink import free_port
from newsletter.extensions import limiter
from newsletter.mail_outbox import MailOutbox
from newsletter.subscribers.links import unsubscribe_url
from newsletter.subscribers.models import SubscriberState, UnsubscribeRequest
from tests.factories import EDITOR_PASSWORD, make_subscriber
from tests.helpers import form_tokens


@pytest.fixture
def redis_down(app, monkeypatch):
    """From now on every Redis client of the app (its own, the limiter's, the broker's) gets
    "connection refused"."""

    def take_redis_away() -> None:
        dead = f"redis://127.0.0.1:{free_port()}/0"
        client = redis_urls.connect(dead)
        storage = storage_from_string(dead, **redis_urls.TIMEOUTS)
        monkeypatch.setitem(app.extensions, "redis", client)
        monkeypatch.setattr(limiter, "_storage", storage)
        monkeypatch.setattr(limiter, "_limiter", type(limiter.limiter)(storage))

        def refused(*args, **kwargs):
            raise redis.ConnectionError("Connection refused")

        monkeypatch.setattr(app.extensions["broker"], "enqueue", refused)

    return take_redis_away


def test_sign_up_answers_a_dutch_503(app, client, db, signup_form, redis_down):
    data = signup_form(email="later@x.example")
    redis_down()
    response = client.post("/aanmelden", data=data)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "Aanmelden lukt op dit moment niet" in page
    assert "Afmelden werkt wel" in page


def test_leaving_works_and_its_goodbye_waits_in_the_outbox(app, client, db, redis_down):
    sub = make_subscriber(db, "weg@x.example", state=SubscriberState.active)
    db.session.commit()
    path = urlsplit(unsubscribe_url(sub.public_id)).path
    redis_down()
    assert client.get(path).status_code == 200  # the page (rate-limited: the limit lets it by)
    one_click = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    db.session.expire_all()
    assert db.session.get(type(sub), sub.id).state == SubscriberState.unsubscribed
    rows = db.session.scalars(select(MailOutbox)).all()
    assert [(row.job, row.state) for row in rows] == [("send_goodbye", "pending")]


def test_leaving_by_mail_is_taken_while_redis_is_away(app, client, db, redis_down):
    data = form_tokens(client, "/afmelden") | {"afmelden-email": "wie@x.example"}
    redis_down()
    response = client.post("/afmelden", data=data)
    assert response.status_code == 200
    assert db.session.scalars(select(UnsubscribeRequest)).all() != []


def test_logging_in_stays_shut_while_its_limit_cannot_count(app, client, db, editor, redis_down):
    data = form_tokens(client, "/beheer/inloggen") | {
        "email": editor.email,
        "password": EDITOR_PASSWORD,
    }
    redis_down()
    response = client.post("/beheer/inloggen", data=data)
    assert response.status_code == 503
    assert "Inloggen lukt op dit moment niet" in response.get_data(as_text=True)

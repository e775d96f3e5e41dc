"""/metrics (issue 14): Prometheus text behind a token; reader events counted when their
transaction commits; queue depth per queue; nothing personal in any label."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from newsletter.database import utcnow
from newsletter.mail_outbox import MailOutbox
from newsletter.subscribers import lifecycle
from newsletter.subscribers.models import ConsentSource, SubscriberState
from tests.factories import make_subscriber

TOKEN = "een-lang-geheim-voor-prometheus-0123456789"


def value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = (
        rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} ([0-9.e+]+)$"
        if labels
        else rf"^{re.escape(name)} ([0-9.e+]+)$"
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_need_their_token(client, db, settings):
    assert client.get("/metrics").status_code == 404  # no token set: no endpoint
    settings(metrics_token=TOKEN)
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    wrong = client.get("/metrics", headers={"Authorization": "Bearer niet-dit"})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        TOKEN,  # the token without its scheme
        f"bearer {TOKEN}",
        f"BEARER {TOKEN}",
        f"Bearer  {TOKEN}",
        f"Bearer\t{TOKEN}",
        f" Bearer {TOKEN}",
        f"Bearer {TOKEN} ",
        f"Bearer {TOKEN}, Bearer x",
        f"Bearer{TOKEN}",
        "Basic " + base64.b64encode(f"prometheus:{TOKEN}".encode()).decode(),
        f"Basic {TOKEN}",
    ],
)
def test_only_exactly_bearer_and_the_token_opens_metrics(client, db, settings, header):
    settings(metrics_token=TOKEN)
    answer = client.get("/metrics", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="metrics"')
    assert b"ravijn_" not in answer.data


def test_guessing_the_metrics_token_is_stopped(client, db, settings):
    settings(metrics_token=TOKEN)
    wrong = {"Authorization": "Bearer " + "x" * 42}
    codes = [client.get("/metrics", headers=wrong).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    stopped = client.get("/metrics", headers=wrong)
    assert stopped.status_code == 429
    assert 1 <= int(stopped.headers["Retry-After"]) <= 60


def test_scraping_with_the_token_is_limited_too(client, db, settings):
    settings(metrics_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    codes = {client.get("/metrics", headers=auth).status_code for _ in range(60)}
    assert codes == {200}
    again = client.get("/metrics", headers=auth)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 1


def test_reader_events_count_on_commit_and_queues_are_measured(client, db, settings, paused_worker):
    settings(metrics_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    anna = make_subscriber(db, "anna@gemeente.example", state=SubscriberState.active)
    db.session.commit()
    lifecycle.unsubscribe(anna.public_id, ConsentSource.one_click)  # queues a goodbye mail
    after = client.get("/metrics", headers=auth).get_data(as_text=True)
    name = "ravijn_reader_events_total"
    assert value(after, name, event="unsubscribed") == value(before, name, event="unsubscribed") + 1
    assert value(after, "ravijn_queue_depth", queue="transactional") >= 1
    assert "ravijn_mail_outbox_overdue 0.0" in after  # the goodbye is not yet overdue
    db.session.execute(update(MailOutbox).values(next_try_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()  # ...and now it is: no worker took it
    later = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert value(later, "ravijn_mail_outbox_overdue") == 1
    assert "gemeente.example" not in after and "anna" not in after
    assert "ravijn_smtp_send_seconds_bucket" in after


def test_a_rolled_back_event_is_not_counted(app, db):
    from newsletter import metrics
    from newsletter.extensions import db as _db
    from newsletter.subscribers.lifecycle.core import add_event
    from newsletter.subscribers.models import ConsentKind

    anna = make_subscriber(db, "anna@gemeente.example", state=SubscriberState.active)
    db.session.commit()
    counter = metrics.READER_EVENTS.labels("complained")
    start = counter._value.get()
    add_event(anna.id, ConsentKind.complained, ConsentSource.complaint_report)
    _db.session.rollback()
    assert counter._value.get() == start

"""Outgoing webhooks (issue 15) against a real HTTP receiver in the test: each event once,
signed (Standard Webhooks), retried after a 500, a receiver that keeps failing switched off with
a mail to the beheerders, and internal addresses refused at registration."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.database import utcnow
from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.models import ConsentSource, Subscriber
from newsletter.webhooks import signing
from newsletter.webhooks.models import Webhook, WebhookDelivery
from tests.factories import SOURCE, subscribers
from tests.helpers import form_tokens, wait_for_state, wait_until

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

ALL_EVENTS = ["reader.confirmed", "reader.unsubscribed", "reader.bounced",
              "reader.complained", "reader.erased", "edition.sent"]  # fmt: skip


class Receiver:
    """A real HTTP server: answers each request with the next scripted status (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, str], bytes, float]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.received.append((headers, body, time.monotonic()))
                status = owner.statuses.pop(0) if owner.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(body)["type"] for _, body, _ in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def start(statuses: list[int] | None = None) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield start
    for one in made:
        one.close()


def new_subscriber(email: str, name: str):
    """A reader with proof of consent, made as the API makes them (reader.confirmed)."""
    proof = lifecycle.Proof(date(2026, 1, 2), "congres")
    made = lifecycle.NewSubscriber(normalise_email(email), name, "GM0344", lifecycle.Role.wethouder,
                               proof)  # fmt: skip
    return lifecycle.register(made, ConsentSource.api)


def register(client, url: str, events: list[str]):
    data = form_tokens(client, "/beheer/webhooks/") | {"url": url, "events": events}
    return client.post("/beheer/webhooks/", data=data)


def secret_on(page) -> str:
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", page.get_data(as_text=True))
    return secret


def test_each_event_arrives_once_signed_and_a_500_is_retried(
    app, editor_client, editor, receiver, settings, worker, sink, db
):
    settings(webhook_allow_private=True, webhook_retry_seconds=(0.3, 0.3, 0.3))
    crm = receiver([500, 500])  # the first delivery fails twice, then succeeds
    added = register(editor_client, crm.url, ALL_EVENTS)
    assert added.status_code == 201 and added.headers["Cache-Control"] == "no-store"
    secret = secret_on(added)
    assert secret not in editor_client.get("/beheer/webhooks/").get_data(as_text=True)

    api = {"Authorization": "Bearer " + keys.create("CRM", list(keys.SCOPES), 1, CLI).secret}
    made = editor_client.post("/api/v1/readers", headers=api, json={
        "email": "piet@utrecht.example", "name": "Piet", "gemeente_code": "GM0344",
        "role": "raadslid", "consent": {"date": "2026-11-02", "source": "congres"},
    }).get_json()  # fmt: skip
    wait_until(lambda: len(crm.received) == 3, 15, lambda: f"3 tries, got {crm.events()}")
    first = [h["webhook-id"] for h, _, _ in crm.received]
    assert len(set(first)) == 1  # the retries carry the same id: the receiver can dedupe
    gaps = [b[2] - a[2] for a, b in zip(crm.received, crm.received[1:], strict=False)]
    assert all(gap >= 0.25 for gap in gaps), gaps

    editor_client.post(f"/api/v1/readers/{made['id']}/unsubscribe", headers=api)
    other = new_subscriber("kees@utrecht.example", "Kees")
    lifecycle.bounce(other.id, ConsentSource.bounce_report, "5.1.1 unknown user")
    db.session.commit()
    third = new_subscriber("jan@utrecht.example", "Jan")
    lifecycle.complain(third.id, "feedback loop")
    db.session.commit()
    # (an erasure also removes what is still waiting about the person: let it arrive first)
    wait_until(lambda: "reader.unsubscribed" in crm.events(), 15, lambda: str(crm.events()))
    editor_client.delete(f"/api/v1/readers/{made['id']}", headers=api)
    subscribers(db, 2)  # made as rows, not through the lifecycle: no event, so nothing to tell
    edition, _ = editions.create(SOURCE, editor.id)
    control.publish(edition.id)
    assert wait_for_state(app, edition.id, EditionState.sent).state == EditionState.sent

    wanted = ["reader.confirmed", "reader.unsubscribed", "reader.confirmed", "reader.bounced",
              "reader.confirmed", "reader.complained", "reader.erased", "edition.sent"]  # fmt: skip
    wait_until(lambda: len({h["webhook-id"] for h, _, _ in crm.received}) == len(wanted), 20,
               lambda: f"{len(wanted)} events, got {crm.events()}")  # fmt: skip
    time.sleep(0.5)  # nothing more comes
    unique = {h["webhook-id"]: (h, body) for h, body, _ in crm.received}
    assert len(crm.received) == len(wanted) + 2  # the two retries, and nothing twice
    assert sorted(json.loads(b)["type"] for _, b in unique.values()) == sorted(wanted)
    now = int(time.time())
    for headers, body in unique.values():
        assert signing.verify(secret, headers, body, now)
        assert not signing.verify(secret, headers, body + b" ", now)  # a changed body fails
        assert headers["content-type"] == "application/json"
    erased = next(json.loads(b) for _, b in unique.values() if b'"reader.erased"' in b)
    assert erased["data"] == {"reader": {"id": made["id"]}}  # no address in that one
    assert b"piet@utrecht.example" not in b"".join(
        row.payload.encode() for row in db.session.scalars(select(WebhookDelivery))
    )  # the erasure removed earlier payloads that named the person
    sent = next(json.loads(b) for _, b in unique.values() if b'"edition.sent"' in b)
    assert sent["data"]["edition"]["id"] == edition.id
    page = editor_client.get("/beheer/webhooks/").get_data(as_text=True)
    assert "HTTP 200" in page and "Aan" in page


def test_a_receiver_that_keeps_failing_is_switched_off_and_the_beheerders_hear(
    editor_client, editor, receiver, settings, worker, sink, db
):
    settings(webhook_allow_private=True, webhook_retry_seconds=(0.2, 0.2))
    crm = receiver([500] * 10)
    register(editor_client, crm.url, ["reader.confirmed"])
    new_subscriber("piet@utrecht.example", "Piet")
    mails = sink.wait_for(1)
    assert mails[0].message()["Subject"] == "Webhook uitgezet"
    assert mails[0].recipients == [editor.email]
    assert len(crm.received) == 3  # the first try and two retries
    hook = db.session.scalar(select(Webhook))
    db.session.refresh(hook)
    assert not hook.enabled and "geen goed antwoord" in hook.disabled_reason
    page = editor_client.get("/beheer/webhooks/").get_data(as_text=True)
    assert "Uit: geen goed antwoord" in page and "HTTP 500" in page
    # switched off: later events are not written for it at all
    new_subscriber("kees@utrecht.example", "Kees")
    assert db.session.query(WebhookDelivery).count() == 1


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "https://10.1.2.3/hook", "https://localhost/hook",
     "https://[::1]/hook", "https://169.254.169.254/latest", "http://crm.vng.example/hook",
     "https://gebruiker:wachtwoord@crm.vng.example/", "ftp://crm.vng.example/"],
)  # fmt: skip
def test_internal_addresses_and_plain_http_are_refused_at_registration(editor_client, db, url):
    refused = register(editor_client, url, ["reader.confirmed"])
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Nog niet alles is goed ingevuld" in text
    assert any(why in text for why in ("intern adres", "begint met https://", "wachtwoord"))
    assert db.session.query(Webhook).count() == 0


def test_only_beheerders_manage_webhooks(client, db):
    from newsletter.auth.accounts import create_editor
    from tests.factories import EDITOR_PASSWORD, make_editor

    make_editor()  # the first editor is beheerder; the second is not
    create_editor("schrijver@vng.example", EDITOR_PASSWORD, "Schrijver", roles=("redacteur",))
    data = form_tokens(client, "/beheer/inloggen") | {
        "email": "schrijver@vng.example", "password": EDITOR_PASSWORD,
    }  # fmt: skip
    client.post("/beheer/inloggen", data=data)
    assert client.get("/beheer/webhooks/").status_code == 403


def test_emitting_without_receivers_writes_nothing_and_a_rollback_sends_nothing(db):
    from newsletter.webhooks import events

    assert events.emit("reader.confirmed", {"reader": {"id": "x"}}) == 0
    db.session.add(Webhook(url="https://crm.vng.example/", events="reader.confirmed",
                           secret=signing.new_secret()))  # fmt: skip
    db.session.commit()
    assert events.emit("reader.confirmed", {"reader": {"id": "x"}}) == 1
    db.session.rollback()
    assert db.session.query(WebhookDelivery).count() == 0
    assert db.session.scalar(select(Subscriber)) is None


def _one_delivery(db, receiver_url: str) -> int:
    from newsletter.webhooks import events

    db.session.add(Webhook(url=receiver_url, events="reader.confirmed",
                           secret=signing.new_secret()))  # fmt: skip
    db.session.flush()
    events.emit("reader.confirmed", {"reader": {"id": "abc"}}, "abc")
    db.session.commit()
    return db.session.scalar(select(WebhookDelivery.id))


def test_two_messages_for_one_delivery_post_it_once_and_the_sweep_finds_lost_ones(
    app, receiver, settings, paused_worker, db
):
    from newsletter.webhooks import deliveries

    settings(webhook_allow_private=True)
    crm = receiver()
    delivery_id = _one_delivery(db, crm.url)
    assert deliveries._claim(delivery_id)  # another worker holds it, mid-call
    assert deliveries.deliver(delivery_id) is None and crm.received == []
    # that worker died: after its claim ran out the sweep queues it again, once per minute
    db.session.execute(
        WebhookDelivery.__table__.update().values(next_attempt_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert deliveries.sweep() == 1 and deliveries.sweep() == 0
    assert deliveries.deliver(delivery_id) == "HTTP 200"
    assert deliveries.deliver(delivery_id) is None  # a second message finds it done
    assert len(crm.received) == 1
    row = db.session.get(WebhookDelivery, delivery_id)
    db.session.refresh(row)
    assert (row.state, row.attempts) == ("delivered", 2)  # the lost attempt counted too


def test_a_delivery_whose_attempts_never_report_back_fails_in_the_end(
    receiver, settings, paused_worker, db
):
    from newsletter.webhooks import deliveries

    settings(webhook_allow_private=True, webhook_retry_seconds=(0.2,))
    delivery_id = _one_delivery(db, receiver().url)
    db.session.execute(
        WebhookDelivery.__table__.update().values(
            attempts=2, next_attempt_at=utcnow() - timedelta(minutes=5)
        )
    )  # two claims that never came back (a receiver that kept the worker past its time)
    db.session.commit()
    assert deliveries.deliver(delivery_id) == "geen antwoord gemeld"
    hook = db.session.scalar(select(Webhook))
    db.session.refresh(hook)
    assert not hook.enabled


def test_the_address_is_checked_again_at_every_delivery(settings, paused_worker, db):
    from newsletter.webhooks import deliveries

    settings(webhook_allow_private=True, webhook_retry_seconds=(30.0,))
    delivery_id = _one_delivery(db, "https://127.0.0.1:9/hook")
    settings(webhook_allow_private=False)  # as if its name now pointed inside the network
    note = deliveries.deliver(delivery_id)
    assert note.startswith("127.0.0.1 is een intern adres")
    row = db.session.get(WebhookDelivery, delivery_id)
    db.session.refresh(row)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, note[:120])


def test_a_receiver_that_is_down_rests_and_its_other_deliveries_wait_with_it(
    receiver, settings, paused_worker, db
):
    from newsletter.webhooks import deliveries, events

    settings(webhook_allow_private=True, webhook_retry_seconds=(30.0, 30.0))
    crm = receiver([503, 400])
    first = _one_delivery(db, crm.url)
    assert deliveries.deliver(first) == "HTTP 503"  # down: the receiver rests 30 s
    events.emit("reader.confirmed", {"reader": {"id": "def"}}, "def")
    db.session.commit()
    second = db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.id != first))
    assert deliveries.deliver(second) is None and len(crm.received) == 1  # waits, not called
    row = db.session.get(WebhookDelivery, second)
    db.session.refresh(row)
    assert row.attempts == 0 and row.next_attempt_at > utcnow() + timedelta(seconds=25)
    # a 4xx is about one payload: the receiver does not rest for it
    hook = db.session.scalar(select(Webhook))
    hook.paused_until = None
    db.session.execute(WebhookDelivery.__table__.update().values(next_attempt_at=None))
    db.session.commit()
    assert deliveries.deliver(second) == "HTTP 400"
    db.session.refresh(hook)
    assert hook.paused_until is None
    assert deliveries.deliver(first) == "HTTP 200"


def test_a_second_receiver_at_the_same_address_is_refused(editor_client, settings, db):
    settings(webhook_allow_private=True)
    assert register(editor_client, "http://127.0.0.1:9/x", ["reader.erased"]).status_code == 201
    again = register(editor_client, "http://127.0.0.1:9/x", ["edition.sent"])
    assert again.status_code == 422
    assert "Er is al een webhook naar dit adres." in again.get_data(as_text=True)


def test_readers_imported_with_proof_are_told_as_confirmed(settings, paused_worker, db):
    from newsletter.subscribers.addresses import normalise_email as email
    from newsletter.subscribers.lifecycle import ImportCounts, import_chunk
    from newsletter.subscribers.lifecycle.imports import ImportRow

    db.session.add(Webhook(url="https://crm.vng.example/", events="reader.confirmed",
                           secret=signing.new_secret()))  # fmt: skip
    db.session.commit()
    when = utcnow()
    rows = [
        ImportRow(1, "Piet", email("piet@utrecht.example"), "GM0344", lifecycle.Role.wethouder,
            when, "congres"),
        ImportRow(2, "Kees", email("kees@utrecht.example"), "GM0344", lifecycle.Role.wethouder,
            None, None),
    ]  # fmt: skip
    import_chunk(rows, ImportCounts())
    db.session.commit()
    [told] = db.session.scalars(select(WebhookDelivery)).all()
    payload = json.loads(told.payload)
    assert payload["data"]["reader"]["email"] == "piet@utrecht.example"
    assert payload["data"]["source"] == "import"

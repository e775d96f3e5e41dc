""" "Afmelden met uw e-mailadres": an address in, a one-click unsubscribe link out to the address
on file if it is on the list; the same answer, after the same work, for any address; limited
per mailbox like the other forms that mail a link."""

from __future__ import annotations

import re
import threading

from sqlalchemy import event, func, select

from newsletter.jobs import TRANSACTIONAL
from newsletter.subscribers.models import Subscriber, SubscriberState
from tests.factories import make_subscriber
from tests.helpers import form_tokens

LINK = re.compile(r"https://ravijn\.example(/afmelden/\S+)")


def leave(client, email: str):
    token = form_tokens(client, "/afmelden")["csrf_token"]
    return client.post("/afmelden", data={"afmelden-csrf_token": token, "afmelden-email": email})


def settled(broker, worker) -> None:
    broker.join(TRANSACTIONAL, timeout=10_000)
    worker.join()


def answer(response, address: str) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True).replace(address, "ADRES")


def test_a_known_address_gets_a_one_click_link_an_unknown_one_the_same_answer(
    app, client, db, worker, broker, sink
):
    from newsletter.subscribers.models import UnsubscribeRequest

    anna = make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    known = leave(client, "Anna@Utrecht.example")
    unknown = leave(client, "niemand@gemeente.example")
    assert answer(known, "Anna@Utrecht.example") == answer(unknown, "niemand@gemeente.example")
    assert "Kijk in uw mailbox" in known.get_data(as_text=True)
    settled(broker, worker)
    [mail] = sink.received
    assert mail.recipients == ["anna@utrecht.example"]  # the address on file, nobody else
    assert mail.message()["Subject"] == "Afmelden voor OVER het ravijn"
    text = mail.message().get_body(preferencelist=("plain",)).get_content()
    [path] = LINK.findall(text)
    assert "Afmelden" in client.get(path).get_data(as_text=True)
    one_click = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    db.session.expire_all()
    assert db.session.get(Subscriber, anna.id).state == SubscriberState.unsubscribed
    assert db.session.scalar(select(func.count()).select_from(UnsubscribeRequest)) == 0


def test_the_request_does_the_same_work_for_any_address(client, db, paused_worker):
    make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    make_subscriber(db, "weg@utrecht.example", state=SubscriberState.unsubscribed)
    db.session.commit()
    statements: list[str] = []
    request_thread = threading.get_ident()

    def seen(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == request_thread:
            statements.append(statement)

    def work(email: str) -> list[str]:
        leave(client, "warm@up.example")  # the form page itself is not the request measured
        token = form_tokens(client, "/afmelden")["csrf_token"]
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            client.post("/afmelden", data={"afmelden-csrf_token": token, "afmelden-email": email})
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return list(statements)

    known, gone, unknown = (
        work(e) for e in ("anna@utrecht.example", "weg@utrecht.example", "nee@elders.example")
    )
    assert known and known == gone == unknown


def test_limited_per_mailbox(client, db, settings, worker, broker, sink):
    settings(signup_address_limit="2 per hour")
    make_subscriber(db, "anna@utrecht.example", state=SubscriberState.active)
    db.session.commit()
    for email in ("anna@utrecht.example", "anna+1@utrecht.example", "ANNA@utrecht.example"):
        assert leave(client, email).status_code == 200
    settled(broker, worker)
    assert len(sink.received) == 1  # +tags are the same mailbox; the third is over the limit


def test_a_wrong_address_gets_a_dutch_message(client, db):
    page = leave(client, "geen-adres")
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert "Dit is geen geldig e-mailadres" in body and "Fout:" in body
    empty = client.get("/afmelden")
    assert empty.status_code == 200 and "Afmelden met uw e-mailadres" in empty.get_data(True)

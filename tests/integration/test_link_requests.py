"""Asking for a link by typing an address ("stuur een nieuwe link", a fresh preferences link,
"wachtwoord vergeten"): the request does the same work for every address, statement for
statement, and queues the same one job; the worker decides whether a mail goes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event

from newsletter import jobs
from newsletter.database import utcnow
from newsletter.subscribers.models import SubscriberState
from tests.factories import make_subscriber
from tests.helpers import form_tokens

#: (form, page that holds it, the known address, how it is known)
FORMS = {
    "bevestiging opnieuw": ("/bevestigen/opnieuw", "/bevestigen/kapot", "wacht@gemeente.example"),
    "nieuwe voorkeurenlink": ("/voorkeuren/nieuwe-link", "/aanmelden", "actief@gemeente.example"),
    "wachtwoord vergeten": (
        "/beheer/wachtwoord-vergeten",
        "/beheer/wachtwoord-vergeten",
        "redactie@vng.example",  # the `editor` fixture
    ),
}


@pytest.fixture
def known(db, editor):
    long_ago = utcnow() - timedelta(days=1)  # a mail is due: the longest path before
    make_subscriber(
        db,
        "wacht@gemeente.example",
        state=SubscriberState.pending,
        confirmation_sent_at=long_ago,
    )
    make_subscriber(
        db, "actief@gemeente.example", state=SubscriberState.active, confirmation_sent_at=long_ago
    )
    db.session.commit()


@pytest.mark.parametrize("form", FORMS)
def test_a_known_and_an_unknown_address_cost_the_request_the_same_work(
    app, db, client, known, paused_worker, monkeypatch, form
):
    path, page, address = FORMS[form]
    client.environ_base["HTTP_REFERER"] = f"https://localhost{page}"
    request_thread = threading.get_ident()  # the test client runs the request right here
    statements: list[str] = []
    queued: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == request_thread:
            statements.append(statement)

    monkeypatch.setattr(jobs, "_send", lambda pending: queued.append(pending.job.name))

    def work(email: str) -> tuple[list[str], list[str]]:
        data = form_tokens(client, page) | {"email": email}
        statements.clear()
        queued.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            answer = client.post(path, data=data)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert answer.status_code in (200, 303), answer.get_data(as_text=True)
        return list(statements), list(queued)

    runs = [work(email) for email in (address, "niemand@gemeente.example", address)]
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0][1]) == 1  # one job, whatever the address


def test_requests_whose_message_was_lost_are_handled_by_the_clock(app, db, editor, worker, sink):
    from sqlalchemy import select

    from newsletter.auth import passwords
    from newsletter.auth.models import PasswordRequest
    from newsletter.subscribers import lifecycle
    from newsletter.subscribers.models import LinkKind, SubmittedLinkRequest
    from tests.helpers import wait_until

    make_subscriber(
        db,
        "actief@gemeente.example",
        state=SubscriberState.active,
        confirmation_sent_at=utcnow() - timedelta(days=1),
    )
    five_minutes_ago = utcnow() - timedelta(minutes=5)
    db.session.add(
        SubmittedLinkRequest(
            kind=LinkKind.preferences.value,
            email="actief@gemeente.example",
            email_key="actief@gemeente.example",
            submitted_at=five_minutes_ago,
        )
    )
    db.session.add(PasswordRequest(email=editor.email, submitted_at=five_minutes_ago))
    db.session.commit()  # no message queued: as if Redis was away at that moment
    lifecycle.retention(utcnow(), app.config["SETTINGS"].confirm_max_age_seconds)
    passwords.requeue_stranded(utcnow())
    mails = sink.wait_for(2)
    assert sorted(m.recipients[0] for m in mails) == ["actief@gemeente.example", editor.email]
    wait_until(
        lambda: (
            db.session.scalar(select(SubmittedLinkRequest.id)) is None
            and db.session.scalar(select(PasswordRequest.id)) is None
        ),
        5,
        "the requests gone",
    )

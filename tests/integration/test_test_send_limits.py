"""Test-sends are bounded: so many mails an hour per editor and per edition, only to confirmed
addresses, and a reader's confirmation does not wait behind them (issue 25, acceptance 3)."""

from __future__ import annotations

import time

from sqlalchemy import select

from newsletter.auth.models import AuditEvent
from newsletter.editions import services
from newsletter.jobs import TESTSEND
from tests.factories import EDITOR_PASSWORD, SOURCE, confirmed_test_address, make_editor
from tests.helpers import form_tokens, https_client, wait_until

LIMIT = 7


def _test_mails(sink) -> list[str]:
    return [m.recipients[0] for m in sink.received if m.message()["Subject"].startswith("[TEST] ")]


def test_a_hundred_test_sends_in_a_minute_send_the_limit_and_no_confirmation_waits(
    app, db, editor, editor_client, signup_form, broker, worker, sink, settings
):
    settings(testsend_per_editor_hour=LIMIT, testsend_per_edition_hour=1000)
    sink.handler.delay = 0.25  # a slow relay: a queue of test mails ahead would show
    confirmed = {
        confirmed_test_address(editor, "eindredactie@vng.example").email,
        confirmed_test_address(editor, "wethouder@gemeente.example").email,
    }
    allowed = confirmed | {editor.email}
    edition, _ = services.create(SOURCE, editor.id)
    path = f"/beheer/edities/{edition.id}"
    tokens = form_tokens(editor_client, path)
    choices = [
        ", ".join(sorted(confirmed)),  # two mails
        "",  # one, to the editor's own address
        "vreemd@phishing.example",  # not confirmed: refused
        "eindredactie@vng.example",
    ]
    waits, refusals = [], 0
    for i in range(100):
        answer = editor_client.post(path + "/test", data=tokens | {"addresses": choices[i % 4]})
        assert answer.status_code == 303
        if i % 10 == 9:  # the page says why (not read every time: the posts come quickly)
            page = editor_client.get(path).get_data(as_text=True)
            refusals += "Je kunt hoogstens 7 testmails per uur sturen" in page
        if i in (10, 60, 99):  # a reader signs up meanwhile
            address = f"nieuw{i}@gemeente.example"
            posted = time.monotonic()
            assert editor_client.post("/aanmelden", data=signup_form(email=address)).status_code
            wait_until(
                lambda a=address: [m for m in sink.received if m.recipients == [a]],
                10,
                f"the confirmation mail to {address}",
                step=0.01,
            )
            waits.append(time.monotonic() - posted)
    broker.join(TESTSEND, timeout=15_000)
    worker.join()
    sent = _test_mails(sink)
    print(f"\n{len(sent)} test mails; confirmation waits {', '.join(f'{w:.2f} s' for w in waits)}")
    assert len(sent) == LIMIT
    assert set(sent) <= allowed and "vreemd@phishing.example" not in sent
    assert refusals >= 9
    db.session.commit()
    refused = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "test-send-refused")
    ).all()
    assert any("per redacteur bereikt" in detail for detail in refused)
    assert any("niet bevestigd" in detail for detail in refused)
    assert len(refused) <= 4  # audited once a minute per reason, not once per post


def test_an_edition_gets_so_many_test_mails_an_hour_over_all_editors(
    app, db, editor, editor_client, paused_worker, broker, settings
):
    settings(testsend_per_editor_hour=100, testsend_per_edition_hour=3)
    colleague = make_editor("collega@vng.example", "Collega")
    edition, _ = services.create(SOURCE, editor.id)
    path = f"/beheer/edities/{edition.id}"
    other = https_client(app)
    login = form_tokens(other, "/beheer/inloggen") | {
        "email": colleague.email,
        "password": EDITOR_PASSWORD,
    }
    assert other.post("/beheer/inloggen", data=login).status_code == 303
    for client in (editor_client, other, editor_client):
        client.post(path + "/test", data=form_tokens(client, path))
    last = other.post(path + "/test", data=form_tokens(other, path))
    shown = other.get(last.headers["Location"]).get_data(as_text=True)
    assert "Voor deze editie kunnen hoogstens 3 testmails per uur worden gestuurd" in shown
    assert broker.client.llen(f"dramatiq:{TESTSEND}") == 3
    # a post that would pass the limit is refused whole: no part of it is counted
    settings(testsend_per_edition_hour=5)
    mine = confirmed_test_address(editor, "mijn@gemeente.example").email
    three = f"{editor.email}, {mine}, {mine.upper()}"  # the same address twice counts once
    editor_client.post(path + "/test", data=form_tokens(editor_client, path) | {"addresses": three})
    assert broker.client.llen(f"dramatiq:{TESTSEND}") == 5

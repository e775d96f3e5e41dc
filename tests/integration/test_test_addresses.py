"""An editor's test addresses: a link mailed to the address confirms it; only confirmed
addresses (and the editor's own) get test mail; refusals are Dutch and audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from newsletter.auth.models import AuditEvent
from newsletter.editions import services
from newsletter.editions.models import EditorTestAddress
from tests.factories import SOURCE, confirmed_test_address, make_editor
from tests.helpers import form_tokens, https_client, wait_until

PAGE = "/beheer/testadressen"
LINK = re.compile(r"https://ravijn\.example(/beheer/testadres/[^\s\"<]+)")


def _actions(db) -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _test_mails(sink) -> list[str]:
    return [m.recipients[0] for m in sink.received if m.message()["Subject"].startswith("[TEST] ")]


def test_an_address_counts_only_after_its_link_is_followed(editor_client, editor, worker, sink, db):
    edition, _ = services.create(SOURCE, editor.id)
    path = f"/beheer/edities/{edition.id}"
    added = editor_client.post(
        PAGE, data=form_tokens(editor_client, PAGE) | {"email": "Wethouder@Gemeente.example"}
    )
    assert added.status_code == 303
    [mail] = sink.wait_for(1)
    assert mail.recipients == ["Wethouder@gemeente.example"]
    assert mail.message()["Subject"] == "Testadres bevestigen voor OVER het ravijn"
    link = LINK.search(mail.message().get_body(("plain",)).get_content()).group(1)
    listing = editor_client.get(PAGE).get_data(as_text=True)
    assert "Wethouder@gemeente.example" in listing and "nog niet bevestigd" in listing

    # not yet confirmed: refused, in Dutch, on the page, audited; nothing sent
    sink.clear()
    refused = editor_client.post(
        path + "/test",
        data=form_tokens(editor_client, path) | {"addresses": "wethouder@gemeente.example"},
    )
    shown = editor_client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "is geen bevestigd testadres van je" in shown
    assert "test-send-refused" in _actions(db)
    assert sink.settle(0.5) == []

    # opening the link (a mail scanner does that) confirms nothing; the button does
    stranger = https_client(editor_client.application)
    opened = stranger.get(link)
    assert opened.status_code == 200 and "Ja, bevestig dit testadres" in opened.get_data(True)
    assert db.session.scalar(select(EditorTestAddress.confirmed_at)) is None
    done = stranger.post(link, data=form_tokens(stranger, link))
    assert done.status_code == 200 and "Bevestigd" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(EditorTestAddress.confirmed_at)) is not None
    assert "bevestigd" in editor_client.get(PAGE).get_data(as_text=True)

    sent = editor_client.post(
        path + "/test",
        data=form_tokens(editor_client, path) | {"addresses": "wethouder@gemeente.example"},
    )
    assert sent.status_code == 303
    wait_until(lambda: _test_mails(sink), 10, "the test mail")
    assert _test_mails(sink) == ["Wethouder@gemeente.example"]
    actions = _actions(db)
    assert {"test-address-added", "test-address-confirmed"} <= set(actions)


def test_removed_addresses_and_other_editors_addresses_get_nothing(
    editor_client, editor, worker, sink, db
):
    colleague = make_editor("collega@vng.example", "Collega")
    theirs = confirmed_test_address(colleague, "hun@gemeente.example")
    mine = confirmed_test_address(editor, "mijn@gemeente.example")
    edition, _ = services.create(SOURCE, editor.id)
    path = f"/beheer/edities/{edition.id}"

    refused = editor_client.post(
        path + "/test", data=form_tokens(editor_client, path) | {"addresses": theirs.email}
    )
    assert "is geen bevestigd testadres van je" in editor_client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    # someone else's address cannot be removed through my list
    editor_client.post(f"{PAGE}/{theirs.id}/verwijderen", data=form_tokens(editor_client, PAGE))
    assert db.session.get(EditorTestAddress, theirs.id) is not None

    # queued, then removed before the worker took it: not sent
    worker.pause()
    try:
        editor_client.post(
            path + "/test", data=form_tokens(editor_client, path) | {"addresses": mine.email}
        )
        gone = editor_client.post(
            f"{PAGE}/{mine.id}/verwijderen", data=form_tokens(editor_client, PAGE)
        )
        assert gone.status_code == 303
    finally:
        worker.resume()
    assert "test-address-removed" in wait_until(
        lambda: "test-send" in _actions(db) and _actions(db), 10, "the outcome"
    )
    assert _test_mails(sink) == []


def test_a_broken_or_foreign_link_confirms_nothing(client, editor, db):
    from newsletter.auth import passwords

    row = EditorTestAddress(editor_id=editor.id, email="iemand@gemeente.example")
    db.session.add(row)
    db.session.commit()
    for token in ("niets", "x" * 600, passwords.token_for(editor)):
        answer = client.get(f"/beheer/testadres/{token}")
        assert answer.status_code == 410 and "Deze link klopt niet" in answer.get_data(True)
    db.session.expire_all()
    assert db.session.get(EditorTestAddress, row.id).confirmed_at is None


def test_adding_is_bounded_and_explained(editor_client, editor, paused_worker, db):
    answer = editor_client.post(
        PAGE, data=form_tokens(editor_client, PAGE) | {"email": "geen adres"}
    )
    assert answer.status_code == 422 and "is geen e-mailadres" in answer.get_data(as_text=True)
    own = editor_client.post(PAGE, data=form_tokens(editor_client, PAGE) | {"email": editor.email})
    assert "Dit is je eigen adres" in own.get_data(as_text=True)
    for i in range(10):
        data = form_tokens(editor_client, PAGE) | {"email": f"a{i}@gemeente.example"}
        assert editor_client.post(PAGE, data=data).status_code == 303
    full = editor_client.post(
        PAGE, data=form_tokens(editor_client, PAGE) | {"email": "b@gemeente.example"}
    )
    assert full.status_code == 422 and "hoogstens 10 testadressen" in full.get_data(as_text=True)

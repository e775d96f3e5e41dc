"""Readers for beheerders (issue 12): search, a reader's page with history and editions
received, corrections through the one owner, who received an edition and who bounced; and the
progress figures in Dutch."""

from __future__ import annotations

from sqlalchemy import select

from newsletter.auth import accounts
from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.delivery import control
from newsletter.delivery.progress import Progress
from newsletter.editions import services
from newsletter.subscribers.models import ConsentEvent, ConsentSource, Role, SubscriberState
from tests.factories import EDITOR_PASSWORD, SOURCE, make_subscriber
from tests.helpers import form_tokens, wait_for_state
from tests.integration.test_editor_sessions import log_in


def subscriber(db, email="anna@utrecht.example", **fields):
    values = {
        "name": "Anna de Vries",
        "gemeente_code": "GM0344",
        "state": SubscriberState.active,
        "confirmed_at": utcnow(),
    }
    subscriber = make_subscriber(db, email, **(values | fields))
    db.session.commit()
    return subscriber


def test_search_by_name_address_or_municipality(editor_client, db):
    anna = subscriber(db)
    subscriber(db, "bert@arnhem.example", name="Bert Jansen", gemeente_code="GM0202")
    for text in ("vries", "ANNA@utrecht", "Utrecht"):
        page = editor_client.get(f"/beheer/lezers/zoeken?q={text}").get_data(as_text=True)
        assert "Anna de Vries" in page and "Bert Jansen" not in page, text
        assert f"/beheer/lezers/{anna.id}" in page
    nobody = editor_client.get("/beheer/lezers/zoeken?q=zzz").get_data(as_text=True)
    assert "Niemand gevonden" in nobody


def test_a_readers_page_shows_history_and_editions_and_is_audited(
    app, editor_client, editor, db, worker, sink
):
    anna = subscriber(db)
    edition, _ = services.create(SOURCE, editor.id)
    control.publish(edition.id)
    wait_for_state(app, edition.id, "sent")
    page = editor_client.get(f"/beheer/lezers/{anna.id}").get_data(as_text=True)
    assert "Aangemeld" in page and "Utrecht" in page
    assert "Jeugdzorg: gemeenten kunnen het gat niet dichten" in page
    assert "afgeleverd bij de mailserver" in page
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reader-viewed"))
    assert [e.target for e in viewed] == [f"lezer {anna.id}"]
    inzage = editor_client.get(f"/beheer/lezers/{anna.id}/inzage.json")
    assert inzage.is_json and inzage.get_json()["naam"] == "Anna de Vries"
    who = editor_client.get(f"/beheer/edities/{edition.id}/ontvangers").get_data(as_text=True)
    assert "anna@utrecht.example" in who
    failed = editor_client.get(f"/beheer/edities/{edition.id}/ontvangers?alleen=mislukt")
    assert "Bij niemand mislukt" in failed.get_data(as_text=True)
    result = editor_client.get(f"/beheer/edities/{edition.id}/verzending").get_data(as_text=True)
    assert "Resultaat" in result and "1 lezer" in result


def test_a_correction_goes_through_the_owner_with_its_event_and_audit(editor_client, db):
    anna = subscriber(db)
    path = f"/beheer/lezers/{anna.id}"
    data = form_tokens(editor_client, path) | {
        "name": "Anna de Vries-Bakker",
        "gemeente": "Amsterdam",
        "role": "burgemeester",
    }
    assert editor_client.post(path, data=data).status_code == 303
    db.session.refresh(anna)
    assert (anna.name, anna.gemeente_code, anna.role) == (
        "Anna de Vries-Bakker",
        "GM0363",
        Role.burgemeester,
    )
    [event] = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.source == ConsentSource.editor)
    )
    assert event.detail == "gecorrigeerd: naam, gemeente, functie"
    [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reader-corrected"))
    assert audit.target == f"lezer {anna.id}"
    wrong = editor_client.post(path, data=data | {"gemeente": "Atlantis"})
    assert wrong.status_code == 422 and "Deze gemeente kennen we niet" in wrong.get_data(True)


def test_only_a_beheerder_sees_readers(app, db, editor):
    anna = subscriber(db)
    accounts.create_editor("eind@vng.example", EDITOR_PASSWORD, roles=("eindredacteur",))
    chief = log_in(app, "eind@vng.example")
    for url in (
        "/beheer/lezers/zoeken?q=anna",
        f"/beheer/lezers/{anna.id}",
        "/beheer/edities/1/ontvangers",
    ):
        assert chief.get(url).status_code == 403, url


def test_progress_figures_in_dutch_and_no_zero_while_the_list_is_made():
    making = Progress(1, "sending", "Wordt verzonden", None, 0, False, 0, 0, 0, 0, 0.0, None)
    texts = making.texts()
    assert texts["total_text"] == texts["pending_text"] == "lijst wordt gemaakt…"
    busy = Progress(1, "sending", "Wordt verzonden", None, 2000, True, 1234, 1, 0, 765, 19.4, 40)
    texts = busy.texts()
    assert texts["total_text"] == "2.000" and texts["sent_text"] == "1.234"
    assert texts["rate_text"] == "19,4 per seconde" and texts["eta_text"] == "40 seconden"
    later = Progress(1, "sending", "Wordt verzonden", None, 9000, True, 0, 0, 0, 9000, 20.0, 450)
    assert later.texts()["eta_text"] == "8 minuten"

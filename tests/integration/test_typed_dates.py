"""The workspace's dates are typed as dd-mm-jjjj (dd-mm-jjjj uu:mm with a time) in text boxes,
not in the browser's date fields (mm/dd/yyyy in an English Chromium); ISO from older pages is
still read. Bad input gives the form back with a Dutch message, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import Edition
from tests.factories import SOURCE, subscribers
from tests.helpers import form_tokens

FORM = {"title": "Met een datum", "body": "## Kop\n\nTekst.\n", "theme": "Wonen"}


def post(client, **changes):
    return client.post(
        "/beheer/edities/nieuw", data=form_tokens(client, "/beheer/") | FORM | changes
    )


@pytest.mark.parametrize("typed", ["07-12-2026", "7-12-2026", "2026-12-07"])
def test_the_edition_date_is_read_dutch_or_iso(typed, editor_client, db):
    made = post(editor_client, edition_date=typed)
    assert made.status_code == 303
    edition = db.session.scalar(select(Edition))
    assert edition.edition_date == date(2026, 12, 7)
    page = editor_client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="07-12-2026"' in page and "dd-mm-jjjj, bijvoorbeeld 21-03-2026" in page
    assert 'type="date"' not in page and 'type="datetime-local"' not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12/07/2026", "Datum van de editie: vul een datum in als 21-03-2026."),
        ("morgen", "Datum van de editie: vul een datum in als 21-03-2026."),
        ("31-02-2026", "Datum van de editie: 31-02-2026 bestaat niet."),
    ],
)
def test_a_bad_edition_date_is_a_dutch_message(typed, message, editor_client, db):
    answer = post(editor_client, edition_date=typed)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays, to be corrected
    assert db.session.scalar(select(Edition)) is None
    # the autosave (JSON) says the same
    saved = editor_client.post(
        "/beheer/edities/nieuw",
        data=form_tokens(editor_client, "/beheer/") | FORM | {"edition_date": typed},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 422 and any(message in e for e in saved.json["errors"])


def test_agenda_times_are_typed_dutch(editor_client, db):
    made = post(
        editor_client,
        **{"agenda-0-title": "Ledenbijeenkomst", "agenda-0-start": "21-03-2026 11:00"},
    )
    assert made.status_code == 303
    edition = db.session.scalar(select(Edition))
    assert "start: 2026-03-21 11:00" in edition.source
    wrong = post(
        editor_client, **{"agenda-0-title": "Later", "agenda-0-start": "03/21/2026 11:00 AM"}
    )
    assert wrong.status_code == 422
    assert "Begin: vul een datum en tijd in als 21-03-2026 14:30." in wrong.get_data(True)


def test_scheduling_reads_a_dutch_moment_and_says_what_is_wrong(editor_client, db):
    subscribers(db, 1)
    edition, _ = services.create(SOURCE)
    path = f"/beheer/edities/{edition.id}"
    page = editor_client.get(path).get_data(as_text=True)
    assert "dd-mm-jjjj uu:mm, bijvoorbeeld 21-03-2026 14:30" in page
    when = utcnow() + timedelta(days=2)
    step = editor_client.post(
        path + "/inplannen",
        data=form_tokens(editor_client, path) | {"when": f"{when:%d-%m-%Y} 09:30"},
    )
    assert step.status_code == 200
    assert f"Ja, plan in voor {when:%d-%m-%Y} 09:30" in step.get_data(as_text=True)
    wrong = editor_client.post(
        path + "/inplannen", data=form_tokens(editor_client, path) | {"when": "volgende week"}
    )
    assert wrong.status_code == 303
    back = editor_client.get(wrong.headers["Location"]).get_data(as_text=True)
    assert "Verzenden op (Nederlandse tijd): vul een datum en tijd in als 21-03-2026 14:30." in back

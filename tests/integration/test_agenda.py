"""Dates to save (issue 13, acceptance 4): the seed-style edition with two agenda items shows
"In uw agenda" in both parts of the mail, and each item's .ics imports into a calendar parser
with the right times in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import EditionState
from tests.factories import SOURCE, put_in_state
from tests.helpers import form_tokens
from tests.mails import EDITION  # the fixture with two dates to save

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_the_mail_shows_the_dates_in_both_parts(app, db):
    edition, rendered = services.create(EDITION)
    assert rendered.ok, rendered.problems
    sample = services.sample(edition)
    assert "In uw agenda" in sample.html and "In uw agenda" in sample.text
    assert "21 maart 2026, 11.00–12.30 uur" in sample.html
    assert "21 maart 2026, 11.00–12.30 uur: Ledenbijeenkomst over het ravijn" in sample.text
    assert "26 maart 2026, 10.00 uur: Kamerdebat over het gemeentefonds" in sample.text
    assert f"/archief/{edition.id}/agenda/1.ics" in sample.html
    assert f"/archief/{edition.id}/agenda/2.ics" in sample.text


def test_each_date_is_an_ics_in_amsterdam_time(client, db):
    edition, _ = services.create(EDITION)
    assert client.get(f"/archief/{edition.id}/agenda/1.ics").status_code == 404  # not sent yet
    put_in_state(db, edition, EditionState.sent, sent_at=utcnow())
    answer = client.get(f"/archief/{edition.id}/agenda/1.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(answer.data)
    assert [c.name for c in calendar.walk("VTIMEZONE")] == ["VTIMEZONE"]
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Ledenbijeenkomst over het ravijn"
    assert str(event["location"]) == "Jaarbeurs, Utrecht"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == dt.datetime(2026, 3, 21, 11, 0, tzinfo=AMSTERDAM)
    assert start.utcoffset() == dt.timedelta(hours=1)  # winter time in March, before the switch
    assert end - start == dt.timedelta(minutes=90)
    second = icalendar.Calendar.from_ical(client.get(f"/archief/{edition.id}/agenda/2.ics").data)
    [debate] = second.walk("VEVENT")
    assert debate.decoded("dtstart") == dt.datetime(2026, 3, 26, 10, 0, tzinfo=AMSTERDAM)
    assert debate.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert client.get(f"/archief/{edition.id}/agenda/3.ics").status_code == 404
    assert b"@" not in answer.data.split(b"UID:")[1].split(b"\r\n")[0][:5]  # no address in it


def test_wrong_agenda_items_are_dutch_errors(app, db):
    bad = SOURCE.replace(
        "---\n",
        "---\nagenda:\n  - title: Zonder tijd\n  - title: Eind voor begin\n"
        "    start: 2026-03-21 11:00\n    end: 2026-03-21 10:00\n"
        "  - title: Oude link\n    start: 2026-03-21 11:00\n    link: http://x.example\n",
        1,
    )
    problems = [p.message for p in services.preview(bad).errors]
    assert any("Afspraak 1" in p and "'start' moet een datum en tijd zijn" in p for p in problems)
    assert any("Afspraak 2" in p and "het einde ligt voor het begin" in p for p in problems)
    assert any("Afspraak 3" in p and "https://" in p for p in problems)


def test_the_form_has_agenda_rows_that_round_trip(editor_client, db):
    data = form_tokens(editor_client, "/beheer/") | {
        "title": "Met een afspraak",
        "body": "Tekst.\n",
        "agenda-0-title": "Ledenbijeenkomst",
        "agenda-0-start": "2026-03-21T11:00",
        "agenda-0-end": "2026-03-21T12:30",
        "agenda-0-place": "Utrecht",
        "agenda-0-link": "https://vng.nl/ravijn",
        "agenda-1-title": "",
    }
    made = editor_client.post("/beheer/edities/nieuw", data=data)
    assert made.status_code == 303, made.get_data(as_text=True)[:500]
    edition = services.get(int(made.headers["Location"].rsplit("/", 1)[1]))
    assert "start: 2026-03-21 11:00" in edition.source  # block style (canonical.py)
    page = editor_client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="21-03-2026 11:00"' in page and 'value="Ledenbijeenkomst"' in page
    missing = editor_client.post(
        "/beheer/edities/nieuw", data=data | {"agenda-0-start": "", "agenda-0-title": "X"}
    )
    assert missing.status_code == 422 and "Vul in wanneer het begint." in missing.get_data(True)

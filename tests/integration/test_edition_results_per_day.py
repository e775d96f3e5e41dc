"""Issue 30: an edition's hard and soft bounces, complaints and unsubscribes per day and per
province (a province only when every one has at least 5), and its clicks per hour: the same on
the page, in the CSV and in the API, counts under 5 as "minder dan 5"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jsonschema_rs
import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.counts import links, tally
from newsletter.counts.models import ClickKind
from newsletter.delivery import control
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from newsletter.formatting import AMSTERDAM
from newsletter.results import export, figures
from newsletter.subscribers import lifecycle
from tests.factories import SOURCE, make_sent_edition, subscribers
from tests.helpers import wait_for_state

pytestmark = pytest.mark.dialect


def _api(client, edition_id: int) -> dict:
    secret = keys.create("dashboard", ["editions:read"], 30, CLI).secret
    answer = client.get(
        f"/api/v1/editions/{edition_id}/results", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # the answer, with every list filled, is what the OpenAPI document says
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/editions/{edition_id}/results"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    rooted = schema | {"components": document.get("components", {})}
    validator = jsonschema_rs.validator_for(rooted, validate_formats=True)
    assert validator.is_valid(answer.get_json())
    assert not validator.is_valid(answer.get_json() | {"reader": "x"})  # it does check
    return answer.get_json()


def test_bounces_and_complaints_per_day_and_province(
    app, db, editor, worker, sink, settings, editor_client
):
    settings(retry_max_attempts=2)  # a 4xx, one retry, a 4xx again: a soft bounce
    utrecht = subscribers(db, 16, gemeente_code="GM0344")
    groningen = subscribers(db, 1, prefix="noord", gemeente_code="GM0014")
    hard = [s.email for s in utrecht[:5]] + [groningen[0].email]
    soft = [s.email for s in utrecht[5:10]]
    sink.handler.rcpt_replies.update({a: ["550 5.1.1 onbekend"] for a in hard})
    sink.handler.rcpt_replies.update({a: ["451 4.3.0 vol", "451 4.3.0 nog vol"] for a in soft})
    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    control.publish(edition.id)
    wait_for_state(app, edition.id, EditionState.sent, timeout=40)
    for reader in utrecht[10:15]:  # five complaints about this edition (as an ARF report makes)
        lifecycle.complain(reader.id, f"klacht over editie {edition.id} (abuse)")
    db.session.commit()

    failed = db.session.scalars(
        select(Delivery).where(
            Delivery.edition_id == edition.id, Delivery.state == DeliveryState.failed
        )
    ).all()
    assert len(failed) == 11 and all(row.failed_at is not None for row in failed)
    days = {row.failed_at.astimezone(AMSTERDAM).date() for row in failed}
    results = figures.of_edition(edition.id)
    assert (results.hard_bounces.label, results.soft_bounces.label) == ("6", "5")
    assert results.complaints.label == "5"
    per_day = results.per_day
    assert {day for day, _ in per_day["hard_bounces"]} <= days
    assert sum(n.value for _, n in per_day["hard_bounces"]) == 6
    assert sum(n.value for _, n in per_day["soft_bounces"]) == 5
    assert sum(n.value for _, n in per_day["complaints"]) == 5
    # Groningen has one hard bounce: the hard bounces are not split by province at all
    assert results.per_province["hard_bounces"] == ()
    assert [(p, n.label) for p, n in results.per_province["soft_bounces"]] == [("Utrecht", "5")]
    assert [(p, n.label) for p, n in results.per_province["complaints"]] == [("Utrecht", "5")]

    body = _api(editor_client, edition.id)
    assert body == export.as_json(results)
    assert sum(c["count"] or 0 for c in body["soft_bounces_per_day"]) == 5
    assert body["hard_bounces_per_province"] == []
    assert body["complaints_per_province"] == [{"province": "Utrecht", "count": 5, "label": "5"}]

    csv = editor_client.get(f"/beheer/edities/{edition.id}/resultaten.csv").get_data(as_text=True)
    rows = [line.split(";") for line in csv.lstrip("\ufeff").splitlines()]
    assert ["zachte bounces per provincie", "", "", "", "Utrecht", "5"] in rows
    assert not [r for r in rows if r[0] == "harde bounces per provincie"]
    assert sum(int(r[5]) for r in rows if r[0] == "klachten per dag" and r[5].isdigit()) == 5

    page = editor_client.get(f"/beheer/edities/{edition.id}/resultaten").get_data(as_text=True)
    assert "Afmeldingen, bounces en klachten per dag (tabel bij de grafiek)" in page
    assert 'aria-labelledby="grafiek-dagen-title grafiek-dagen-desc"' in page
    assert "Per provincie (tabel bij de grafiek)" in page
    assert "Zachte bounces: 5" in page  # the text beside a bar names its series and count


def test_clicks_per_hour_on_the_page_in_the_csv_and_the_api(db, editor, editor_client):
    sent_at = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    edition = make_sent_edition(db, "November", SOURCE, sent_at=sent_at, published_at=sent_at)
    links.store(edition.id, editions.render(edition))
    db.session.commit()
    first = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)
    for _ in range(6):
        tally.add(edition.id, 1, ClickKind.person, first)
    for _ in range(2):
        tally.add(edition.id, 2, ClickKind.person, first + timedelta(hours=1))
    for _ in range(7):
        tally.add(edition.id, 1, ClickKind.checker, first + timedelta(hours=1))
    for _ in range(5):  # the next day, after the first 24 hours
        tally.add(edition.id, 1, ClickKind.person, first + timedelta(hours=30))

    results = figures.of_edition(edition.id)
    assert [(h.hour.hour, h.people.label, h.checkers.label) for h in results.clicks_per_hour] == [
        (9, "6", "minder dan 5"),
        (10, "minder dan 5", "7"),
        (15, "5", "minder dan 5"),
    ]
    assert results.clicks.label == "13" and results.clicks_first_day.label == "8"

    body = _api(editor_client, edition.id)
    assert body["clicks_per_hour"][0] == {
        "hour": "2026-11-03T09:00:00Z",
        "clicks": {"count": 6, "label": "6"},
        "automatic_checks": {"count": None, "label": "minder dan 5"},
    }
    assert body["clicks_first_24_hours"] == {"count": 8, "label": "8"}

    csv = editor_client.get(f"/beheer/edities/{edition.id}/resultaten.csv").get_data(as_text=True)
    rows = [line.split(";") for line in csv.lstrip("\ufeff").splitlines()]
    # the hour in Dutch time: 09:00 UTC is 10:00 in Amsterdam in November
    assert ["kliks per uur", "", "", "2026-11-03 10:00", "", "6"] in rows
    assert ["kliks per uur", "", "", "2026-11-03 11:00", "", "minder dan 5"] in rows
    assert ["automatische controles per uur", "", "", "2026-11-03 11:00", "", "7"] in rows

    page = editor_client.get(f"/beheer/edities/{edition.id}/resultaten").get_data(as_text=True)
    assert 'aria-labelledby="grafiek-uren-title grafiek-uren-desc"' in page
    assert "Kliks per uur (tabel bij de grafiek)" in page
    assert "3 november 2026, 10.00 uur" in page
    assert "Kliks in de eerste 24 uur per editie" in page


def test_the_link_counters_are_on_metrics_without_a_reader_in_them(client, db, editor, settings):
    token = "een-lang-geheim-voor-prometheus-0123456789"
    settings(metrics_token=token)
    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    links.store(edition.id, editions.render(edition))
    db.session.commit()
    person = {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/130", "Accept-Language": "nl"}
    assert client.get(f"/l/{edition.id}/1", headers=person).status_code == 302
    assert client.head(f"/l/{edition.id}/1", headers=person).status_code == 302
    auth = {"Authorization": f"Bearer {token}"}
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    lines = [line for line in text.splitlines() if line.startswith("ravijn_link_requests_total")]
    assert {line.split(" ")[0] for line in lines} == {
        'ravijn_link_requests_total{kind="person"}',
        'ravijn_link_requests_total{kind="checker"}',
    }
    assert all(float(line.split(" ")[1]) >= 1 for line in lines)
    # unsubscribes, bounces and complaints are counted there too, by kind of event only
    assert "# TYPE ravijn_reader_events_total counter" in text
    assert f"/l/{edition.id}/" not in text and "Firefox" not in text

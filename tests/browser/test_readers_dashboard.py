"""The readers' dashboard in Chromium: the map shows all 342 municipalities in the right colours,
names a municipality on focus, and axe finds nothing; the import page too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from newsletter.database import utcnow
from newsletter.subscribers.models import SubscriberState
from tests.factories import EDITOR_PASSWORD, make_subscriber

pytestmark = pytest.mark.browser


def login(page, editor) -> None:
    page.goto("/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(editor.email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_dashboard_map_counts_and_accessibility(page, axe, live_server, editor, db, tmp_path):
    confirmed = utcnow() - timedelta(days=1)
    for i in range(12):  # Utrecht: 12 readers, the darkest colour
        make_subscriber(
            db,
            f"u{i}@x.example",
            state=SubscriberState.active,
            gemeente_code="GM0344",
            confirmed_at=confirmed,
        )
    make_subscriber(
        db,
        "a@x.example",
        state=SubscriberState.active,
        gemeente_code="GM0202",
        confirmed_at=confirmed,
    )
    make_subscriber(db, "p@x.example", state=SubscriberState.pending, gemeente_code="GM0363")
    db.session.commit()
    login(page, editor)
    page.get_by_role("link", name="Lezers", exact=True).click()
    expect(page.get_by_text("2 van de 342 gemeenten bereikt")).to_be_visible()
    paths = page.locator(".nl-map path")
    assert paths.count() == 342
    assert page.locator('.nl-map path[data-code="GM0344"]').get_attribute("class") == "b4"
    assert page.locator('.nl-map path[data-code="GM0202"]').get_attribute("class") == "b1"
    assert page.locator('.nl-map path[data-code="GM0363"]').get_attribute("class") == "b0"
    assert page.locator(".nl-map path.b0").count() == 340
    page.wait_for_load_state("load")  # map.js (deferred) listens from here on
    page.locator('.nl-map path[data-code="GM0344"]').focus()
    expect(page.locator("#kaart-gekozen")).to_have_text("Utrecht: 12 lezers")
    page.locator(".nl-map").screenshot(path=str(tmp_path / "coverage-map.png"))
    assert (tmp_path / "coverage-map.png").stat().st_size > 10_000
    axe(page, "readers dashboard")
    page.get_by_text("Toon de tabel van alle 342 gemeenten").click()
    assert page.locator("#tabel-gemeenten tbody tr").count() == 342
    axe(page, "readers dashboard with the table open")
    page.get_by_label("Functie").select_option("wethouder")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_text("Alleen wethouders.")).to_be_visible()
    axe(page, "readers dashboard, weekly figures of one role")
    page.get_by_role("link", name="Lezers importeren").click()
    axe(page, "import page")


def test_import_upload_shows_live_progress_and_report(
    page, axe, live_server, editor, worker, db, tmp_path
):
    lines = ["naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron"]
    lines += [f"Lezer {i};lezer{i}@x.example;Utrecht;raadslid;2025-01-01;lijst" for i in range(300)]
    file = tmp_path / "lijst.csv"
    file.write_text("\n".join(lines) + "\n")
    login(page, editor)
    page.goto("/beheer/lezers/importeren")
    page.get_by_label("CSV-bestand met lezers").set_input_files(str(file))
    page.get_by_label("Alleen controleren (proef): niets opslaan").uncheck()
    page.get_by_role("button", name="Uploaden en controleren").click()
    expect(page.get_by_role("heading", name="Voortgang")).to_be_visible()
    # the page reloads itself once the import is done (progress.js), however early that is
    page.get_by_text("Geïmporteerd: 300 actief").wait_for(timeout=30_000)
    assert page.locator("#voortgangsbalk").get_attribute("value") == page.locator(
        "#voortgangsbalk"
    ).get_attribute("max")
    axe(page, "import progress and report")

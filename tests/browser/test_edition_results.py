"""Issue 30: an edition's results page in Chromium: its charts (clicks per link and per hour,
leaving per day and per province) are pictures with a title and a summary, each followed by a
table with every number, counts under 5 as "minder dan 5", and axe finds nothing at 1280 and at
375 pixels wide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from newsletter.counts import links, tally
from newsletter.counts.models import ClickKind
from newsletter.database import utcnow
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from newsletter.subscribers.models import ConsentEvent, ConsentKind, ConsentSource
from tests.browser.test_readers_dashboard import login
from tests.factories import SOURCE, put_in_state, subscribers

pytestmark = pytest.mark.browser
HEIGHTS = "rs => rs.map(r => r.getAttribute('height'))"


def test_results_page_charts_tables_and_accessibility(page, axe, live_server, editor, db):
    edition, _ = editions.create(SOURCE, editor.id)
    yesterday = utcnow() - timedelta(days=1)
    put_in_state(db, edition, EditionState.sent, sent_at=yesterday, published_at=yesterday)
    stored = links.store(edition.id, editions.render(edition))
    db.session.commit()
    for _ in range(12):
        tally.add(edition.id, 1, ClickKind.person)
    for _ in range(3):
        tally.add(edition.id, 2, ClickKind.person)
    for _ in range(7):
        tally.add(edition.id, 1, ClickKind.checker)
    for _ in range(8):  # three hours after the edition went out (the others: this hour)
        tally.add(edition.id, 3, ClickKind.person, yesterday + timedelta(hours=3))
    for reader in subscribers(db, 6, gemeente_code="GM0344"):  # six leave through its link
        db.session.add(
            ConsentEvent(
                subscriber_id=reader.id,
                kind=ConsentKind.unsubscribed,
                source=ConsentSource.one_click,
                occurred_at=yesterday + timedelta(hours=2),
                edition_id=edition.id,
            )
        )
    db.session.commit()
    login(page, editor)
    page.goto(f"/beheer/edities/{edition.id}/resultaten")
    chart = page.get_by_role("img", name="Kliks per link")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Kliks per link (tabel bij de grafiek)")
    first = table.locator("tbody tr").nth(0)
    assert first.locator("td").nth(0).text_content() == "12"
    assert first.locator("td").nth(1).text_content() == "7"
    second = table.locator("tbody tr").nth(1)
    assert second.locator("td").nth(0).text_content() == "minder dan 5"
    assert table.locator("tbody tr").count() == len(stored)
    # the bar of a count under 5 is drawn no longer than nothing: the chart tells no more
    widths = [
        int(w)
        for w in chart.locator("rect").evaluate_all("rs => rs.map(r => r.getAttribute('width'))")
    ]
    assert widths[0] > 0 and widths[1] == 0

    hours = page.get_by_role("img", name="Kliks per uur")
    expect(hours).to_be_visible()
    assert [int(h) for h in hours.locator("rect").evaluate_all(HEIGHTS)] == [91, 170]
    page.get_by_text("Tabel bij de grafiek: kliks per uur").click()  # the table folds open
    per_hour = page.get_by_role("table", name="Kliks per uur (tabel bij de grafiek)")
    assert per_hour.locator("tbody tr").count() == 2
    assert per_hour.locator("tbody tr td").nth(3).text_content() == "7"  # now: the checks

    expect(page.get_by_role("img", name="Afmeldingen, bounces en klachten per dag")).to_be_visible()
    per_day = page.get_by_role(
        "table", name="Afmeldingen, bounces en klachten per dag (tabel bij de grafiek)"
    )
    cells = per_day.locator("tbody tr").nth(0).locator("td")
    assert cells.all_text_contents() == ["6", "minder dan 5", "minder dan 5", "minder dan 5"]
    provinces = page.get_by_role("table", name="Per provincie (tabel bij de grafiek)")
    assert provinces.locator("tbody th").all_text_contents() == ["Utrecht"]

    for width, height in ((1280, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        axe(page, f"edition results at {width} px")
    # on a phone a chart keeps a readable size: it scrolls sideways, from the keyboard too
    scrolls = "e => e.scrollWidth > e.clientWidth"
    assert page.locator(".chart-scroll").first.evaluate(scrolls)
    assert page.locator(".chart-scroll").first.get_attribute("tabindex") == "0"

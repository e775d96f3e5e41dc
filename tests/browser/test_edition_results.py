"""Issue 30: an edition's results page in Chromium: its charts are pictures with a title and a
summary, each followed by a table with every number, counts under 5 as "minder dan 5", and
axe finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsletter.counts import links, tally
from newsletter.counts.models import ClickKind
from newsletter.database import utcnow
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from tests.browser.test_readers_dashboard import login
from tests.factories import SOURCE, put_in_state

pytestmark = pytest.mark.browser


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
    login(page, editor)
    page.goto(f"/beheer/edities/{edition.id}/resultaten")
    chart = page.get_by_role("img", name="Kliks per link")
    assert chart.is_visible()
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
    axe(page, "edition results")

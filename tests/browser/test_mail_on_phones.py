"""The edition mail at 375 and 320 px in Chromium has 16–20 px of side padding, no sideways
scrolling (of the mail, nor of a box inside it: Gmail's app cannot scroll one), and no word
broken inside a table cell (a line may end after a hyphen)."""

from __future__ import annotations

import pytest

from newsletter.editions import services
from tests.factories import SOURCE

pytestmark = pytest.mark.browser

WIDE_TABLE = """
| Gemeente | Gemeentefonds 2026 | Gemeentefonds 2027 | Tekort |
| --- | --- | --- | --- |
| Súdwest-Fryslân | € 120.000.000 | € 110.000.000 | € 10.000.000 |
| Westerkwartier | € 80.000.000 | € 72.000.000 | € 8.000.000 |
"""

BROKEN_WORDS = """() => {
    const broken = [];
    for (const cell of document.querySelectorAll('td, th')) {
        if (cell.querySelector('table')) continue;  // layout cells of the mail itself
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            for (const match of node.textContent.matchAll(/[^\\s-]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""


SCROLLING = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
    .map(e => e.tagName + ' ' + e.scrollWidth + '>' + e.clientWidth)"""


@pytest.mark.parametrize("width", [375, 320])
def test_the_edition_on_a_phone(browser, app, db, editor, width):
    edition, _ = services.create(SOURCE + "\n## Cijfers per gemeente\n" + WIDE_TABLE, editor.id)
    html = services.sample(edition).html
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_content(html)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(SCROLLING) == []
    paragraphs = page.locator("td.inner > div > p").all()  # body text, not quotes or lists
    assert len(paragraphs) >= 3, "the mail has text"
    for paragraph in paragraphs:
        box = paragraph.bounding_box()
        assert 16 <= box["x"] <= 20, box  # 16–20 px at the side, as the issue asks
        assert width - (box["x"] + box["width"]) >= 16, box
    assert page.evaluate(BROKEN_WORDS) == []
    context.close()

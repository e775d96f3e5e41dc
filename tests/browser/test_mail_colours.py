"""The seed edition's colours in Chromium, light and dark (prefers-color-scheme, which Apple
Mail and Outlook.com honour): every piece of text at least 4.5:1 against the background it is
drawn on, links included."""

from __future__ import annotations

import pytest

from tests.mails import edition

pytestmark = pytest.mark.browser

#: each element with text of its own: its colour against the nearest painted background
CONTRASTS = """() => {
    const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = e => {
        for (; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const found = [];
    for (const e of document.querySelectorAll('body *')) {
        const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        const style = getComputedStyle(e);
        if (!own || style.display === 'none' || e.closest('[style*="display:none"]')) continue;
        const [a, b] = [lum(rgb(style.color)), lum(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        found.push([e.tagName, e.textContent.trim().slice(0, 30), Math.round(ratio * 10) / 10]);
    }
    return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_keeps_4_5_to_1(browser, scheme):
    context = browser.new_context(viewport={"width": 600, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_content(edition()[0])
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body == ("rgb(18, 18, 18)" if scheme == "dark" else "rgb(242, 242, 242)")
    found = page.evaluate(CONTRASTS)
    assert any(tag == "A" for tag, _, _ in found)
    assert [item for item in found if item[2] < 4.5] == []
    context.close()

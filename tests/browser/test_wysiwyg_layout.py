"""Issue 29, acceptance 5 and the mail beside the words: at 1280 px the preview sits next to the
text and switches between computer and phone; at 375 px it follows below. Screenshots of both
go to $SHOTS_DIR (or the test's temporary folder) to be looked at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from newsletter.editions import services
from tests.browser.test_workspace_form import log_in
from tests.factories import SOURCE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_the_mail_beside_the_words(width, page, live_server, editor, db, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    edition, _ = services.create(SOURCE, editor.id)
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}")
    text = page.locator("#tekst-editor")
    preview = page.locator("iframe.desktop")
    expect(text).to_be_visible()
    expect(page.frame_locator("iframe.desktop").get_by_text("De cijfers").first).to_be_visible()
    text_box, preview_box = text.bounding_box(), preview.bounding_box()
    if width >= 1100:  # beside: the preview starts right of the text, within the first screen
        assert preview_box["x"] >= text_box["x"] + text_box["width"]
        assert preview_box["y"] < 900
        page.get_by_role("button", name="Telefoon").click()
        expect(page.locator("iframe.mobile")).to_be_visible()
        expect(preview).to_be_hidden()
        page.get_by_role("button", name="Computer").click()
        expect(preview).to_be_visible()
    else:  # below, full width
        assert preview_box["y"] > text_box["y"]
    shots = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"werkruimte-{width}.png"))
    page.screenshot(path=str(shots / f"werkruimte-{width}-hele-pagina.png"), full_page=True)

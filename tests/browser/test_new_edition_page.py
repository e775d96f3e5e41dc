"""Issue 29 on the new-edition page: the same editor and the same side as the edit page (checks
and the preview with its computer/phone switch beside the text from 1100 px, under it at
375 px), axe clean; and dates typed as dd-mm-jjjj in an English-language Chromium too."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from newsletter.editions.forms import STARTER_LINE
from tests.browser.test_workspace_form import log_in
from tests.helpers import current_edition, wait_until

pytestmark = pytest.mark.browser
SAVED = "Opgeslagen; het voorbeeld is bijgewerkt."


@pytest.mark.parametrize("width", [1280, 375])
def test_the_new_edition_has_the_mail_beside_the_words(width, page, axe, live_server, editor, db):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor.email)
    page.get_by_role("link", name="Nieuwe editie").first.click()
    text = page.locator("#tekst-editor")
    expect(text).to_be_visible()  # the WYSIWYG editor, as on the edit page
    expect(page.get_by_role("toolbar", name="Opmaak van de tekst")).to_be_visible()
    expect(text.get_by_text(STARTER_LINE)).to_be_visible()
    expect(page.locator("#schrijfwijzer")).to_be_hidden()  # typed formatting: not with the editor
    expect(page.get_by_text("Het voorbeeld verschijnt een moment nadat je begint")).to_be_visible()
    checks = page.locator("#controle")
    box, side = text.bounding_box(), checks.bounding_box()
    if width >= 1100:
        assert side["x"] >= box["x"] + box["width"] and side["y"] < 900
    else:
        assert side["y"] > box["y"] + box["height"]
    axe(page, f"new edition at {width} px")

    page.get_by_label("Onderwerp").fill("Een nieuwe editie")  # the first save makes the draft
    page.wait_for_url(re.compile(r"/beheer/edities/\d+$"))
    expect(page.locator("#opslaan-status")).to_have_text(SAVED)
    preview = page.locator("iframe.desktop")
    expect(preview).to_be_visible()
    expect(page.frame_locator("iframe.desktop").get_by_text(STARTER_LINE)).to_be_visible()
    expect(page.get_by_text("Het voorbeeld verschijnt een moment nadat je begint")).to_be_hidden()
    box, shown = text.bounding_box(), preview.bounding_box()
    if width >= 1100:
        assert shown["x"] >= box["x"] + box["width"] and shown["y"] < 900
        page.get_by_role("button", name="Telefoon").click()
        expect(page.locator("iframe.mobile")).to_be_visible()
        expect(preview).to_be_hidden()
        page.get_by_role("button", name="Computer").click()
        expect(preview).to_be_visible()
    else:
        assert shown["y"] > box["y"] + box["height"]
    # the preview follows the text
    text.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Nog een zin.")
    expect(page.frame_locator("iframe.desktop").get_by_text("Nog een zin.")).to_be_visible()
    axe(page, f"new edition after its first save at {width} px")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"


def test_dates_are_dutch_in_an_english_chromium(browser, live_server, editor, db, axe):
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    log_in(page, editor.email)
    page.goto("/beheer/edities/nieuw")
    day = page.get_by_label("Datum van de editie")
    expect(day).to_have_attribute("type", "text")
    expect(day).to_have_value(f"{date.today():%d-%m-%Y}")
    expect(day).to_have_accessible_description(re.compile("dd-mm-jjjj, bijvoorbeeld 21-03-2026"))
    start = page.get_by_label("Begin", exact=True).first
    expect(start).to_have_attribute("type", "text")
    expect(start).to_have_accessible_description(re.compile("dd-mm-jjjj uu:mm"))
    axe(page, "new edition in an English Chromium")

    page.get_by_label("Onderwerp").fill("Met een Nederlandse datum")
    day.fill("24-12-2026")
    page.wait_for_url(re.compile(r"/beheer/edities/\d+$"))
    edition_id = int(page.url.rsplit("/", 1)[1])
    wait_until(
        lambda: current_edition(edition_id).edition_date == date(2026, 12, 24),
        10,
        "the autosave of the date",
    )
    expect(page.locator("#opslaan-status")).to_have_text(SAVED)

    day.fill("12/24/2026")  # as the browser would have written it: a Dutch message
    expect(page.locator("#opslaan-status")).to_have_text("Niet opgeslagen: zie de controle.")
    expect(page.locator("#fouten-lijst")).to_contain_text(
        "Datum van de editie: vul een datum in als 21-03-2026."
    )
    page.reload()
    expect(page.get_by_label("Datum van de editie")).to_have_value("24-12-2026")
    context.close()

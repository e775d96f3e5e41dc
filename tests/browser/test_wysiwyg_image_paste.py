"""Issue 29: an image file pasted or dropped on the editor's text is uploaded (the upload
endpoint's checks and Dutch messages), put in the text, and the image dialog asks for its
description or "decoratief"; the saved source has the image with it."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from newsletter.editions.forms import STARTER_LINE
from tests.browser.test_wysiwyg_editor import open_edition
from tests.helpers import current_edition, wait_until
from tests.integration.test_editions import PNG

pytestmark = pytest.mark.browser

#: `event` is "paste" (on the text) or "drop" (on the paragraph with the given text)
SEND_FILE = """([event, data, name, type, target]) => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, {type}));
    const text = document.getElementById("tekst-editor");
    if (event === "paste") {
        text.dispatchEvent(new ClipboardEvent(
            "paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
        return;
    }
    const block = [...text.querySelectorAll("p")].find(p => p.textContent === target);
    const box = block.getBoundingClientRect();
    text.dispatchEvent(new DragEvent("drop", {
        dataTransfer: transfer, bubbles: true, cancelable: true,
        clientX: box.left + 5, clientY: box.top + box.height / 2}));
}"""


def send_file(page, event: str, data: bytes, name="grafiek.png", kind="image/png", target=""):
    encoded = base64.b64encode(data).decode()
    page.evaluate(SEND_FILE, [event, encoded, name, kind, target])


def stored_body(edition_id: int, wanted: str) -> str | None:
    source = current_edition(edition_id).source
    return source if wanted in source else None


def test_a_pasted_image_is_uploaded_and_described(page, live_server, editor, db):
    edition_id = open_edition(page, editor)
    page.locator("#tekst-editor").focus()
    page.keyboard.press("Control+End")
    send_file(page, "paste", PNG)
    dialog = page.get_by_role("dialog", name="Afbeelding")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Afbeelding (PNG")).to_be_hidden()  # it is already uploaded
    expect(page.locator("#afbeelding-status")).to_contain_text("Afbeelding ingevoegd.")
    dialog.get_by_label("Beschrijving (alt-tekst)").fill("Grafiek van de tekorten")
    dialog.get_by_role("button", name="Afbeelding opslaan").click()
    expect(dialog).to_be_hidden()
    source = wait_until(
        lambda: stored_body(edition_id, "Grafiek van de tekorten"), 10, "the autosave"
    )
    image = r"\n!\[Grafiek van de tekorten\]\(http://127\.0\.0\.1:\d+/media/\S+\)\n"
    assert re.search(image, source), source
    expect(page.locator("#opslaan-status")).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")


def test_a_dropped_image_lands_where_it_is_dropped_and_may_be_decorative(
    page, live_server, editor, db
):
    edition_id = open_edition(page, editor)
    send_file(page, "drop", PNG, target=STARTER_LINE)
    dialog = page.get_by_role("dialog", name="Afbeelding")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Decoratief").check()
    dialog.get_by_role("button", name="Afbeelding opslaan").click()
    expect(dialog).to_be_hidden()
    source = wait_until(lambda: stored_body(edition_id, "{.decoratief}"), 10, "the autosave")
    body = source.split("---\n", 2)[2]
    # after the paragraph it was dropped on, before the button
    dropped = re.escape(STARTER_LINE) + r"\n\n!\[\]\(http://[^)]+\)\{\.decoratief\}\n\n\["
    assert re.search(dropped, body), body
    expect(page.locator("#opslaan-status")).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"geen plaatje", "Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding."),
        (PNG + bytes(5 * 1024 * 1024), "Het bestand is groter dan 5 MB."),  # the check's own
        (PNG + bytes(7 * 1024 * 1024), "Het bestand is groter dan 5 MB."),  # past any upload
    ],
    ids=["no-image", "over-5-mb", "over-the-body-limit"],
)
def test_a_pasted_file_that_is_refused_gets_the_dutch_message(
    data, message, page, live_server, editor, db
):
    open_edition(page, editor)
    before = page.evaluate("window.ravijnEditor.markdown()")
    page.locator("#tekst-editor").focus()
    send_file(page, "paste", data, name="grafiek.png")
    expect(page.locator("#afbeelding-status")).to_have_text(message)
    expect(page.get_by_role("dialog", name="Afbeelding")).to_be_hidden()
    assert page.evaluate("window.ravijnEditor.markdown()") == before

"""Issue 29, acceptance 1 and 4: an edition typed, formatted and saved with only the toolbar and
the keyboard (no Markdown character typed) is stored as the expected Markdown and renders the
expected mail; the toolbar is a WAI-ARIA toolbar that the keyboard reaches, command by command;
axe finds nothing at 1280 and 375 px, with the editor and with a dialog open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from newsletter.editions import services
from newsletter.editions.forms import STARTER, STARTER_LINE
from tests.browser.test_workspace_form import log_in
from tests.helpers import current_edition, wait_until

pytestmark = pytest.mark.browser

LABELS = [
    "Gewone tekst",
    "Kop",
    "Tussenkop",
    "Kleine kop",
    "Vet",
    "Cursief",
    "Link",
    "Opsomming",
    "Genummerde lijst",
    "Citaat",
    "Knop",
    "Afbeelding",
    "Tabel",
    "Rij erbij",
    "Kolom erbij",
    "Rij weg",
    "Kolom weg",
    "Nieuw blok",
    "Ongedaan maken",
    "Opnieuw",
]
EXPECTED = """
## Jeugdzorg in de regio

Het tekort is **groot**. Lees [de brief](https://vng.nl/brief) en *schrijf*.

- eerste punt
- tweede punt

> Gemeenten kunnen het niet alleen.

[Schrijf uw Kamerlid](https://vng.nl/kamerleden){.button}

| Jaar | Tekort |
| --- | --- |
| 2026 | 1,4 miljard |

Met vriendelijke groet,
VNG
"""


def open_edition(page, editor) -> int:
    edition, _ = services.create(STARTER.format(today="2026-12-07"), editor.id)
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}")
    expect(page.locator("#tekst-editor")).to_be_visible()
    return edition.id


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def toolbar(page, label: str) -> None:
    """From the text: Alt+F10 to the toolbar, arrows to the command, Enter."""
    page.keyboard.press("Alt+F10")
    page.keyboard.press("Home")
    for _ in range(LABELS.index(label)):
        page.keyboard.press("ArrowRight")
    assert focused(page) == label
    page.keyboard.press("Enter")


def test_write_format_and_save_with_toolbar_and_keys(page, live_server, editor, db):
    edition_id = open_edition(page, editor)
    keys = page.keyboard
    page.locator("#tekst-editor").focus()
    keys.press("Control+A")
    keys.press("Delete")
    toolbar(page, "Gewone tekst")
    toolbar(page, "Kop")
    keys.type("Jeugdzorg in de regio")
    keys.press("Enter")
    keys.type("Het tekort is ")
    keys.press("Control+B")
    keys.type("groot")
    keys.press("Control+B")
    keys.type(". Lees ")
    keys.press("Control+K")
    link = page.get_by_role("dialog", name="Link")
    expect(link).to_be_visible()
    keys.type("de brief")
    keys.press("Tab")
    keys.press("Control+A")
    keys.type("https://vng.nl/brief")
    keys.press("Enter")
    expect(link).to_be_hidden()
    keys.type(" en ")
    toolbar(page, "Cursief")
    keys.type("schrijf")
    keys.press("Control+I")
    keys.type(".")
    keys.press("Enter")
    toolbar(page, "Opsomming")
    keys.type("eerste punt")
    keys.press("Enter")
    keys.type("tweede punt")
    keys.press("Enter")
    keys.press("Enter")  # an empty item ends the list
    toolbar(page, "Citaat")
    keys.type("Gemeenten kunnen het niet alleen.")
    keys.press("Enter")
    keys.press("Enter")  # an empty paragraph ends the quote
    toolbar(page, "Knop")
    knop = page.get_by_role("dialog", name="Knop")
    expect(knop).to_be_visible()
    keys.type("Schrijf uw Kamerlid")
    keys.press("Tab")
    keys.press("Control+A")
    keys.type("https://vng.nl/kamerleden")
    keys.press("Enter")
    expect(knop).to_be_hidden()
    toolbar(page, "Tabel")  # two columns, a header row and a row; the cursor in the first cell
    keys.type("Jaar")
    keys.press("Tab")
    keys.type("Tekort")
    keys.press("Tab")
    keys.type("2026")
    keys.press("Tab")
    keys.type("1,4 miljard")
    keys.press("Control+End")
    keys.type("Met vriendelijke groet,")
    keys.press("Shift+Enter")
    keys.type("VNG")
    expect(page.locator("#tekstversie")).to_contain_text("VNG", timeout=10_000)

    def stored() -> str:
        return current_edition(edition_id).source.split("---\n", 2)[2]

    # the status may still show an earlier save while the last one is on its way: wait for the
    # database itself
    status = page.locator("#opslaan-status")
    wait_until(
        lambda: stored() == EXPECTED,
        15,
        lambda: f"the last save; status {status.text_content()!r}, stored {stored()!r}",
    )
    expect(status).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")
    mail = services.sample(current_edition(edition_id)).html
    assert re.search(r"<h2[^>]*>Jeugdzorg in de regio</h2>", mail)
    assert "<strong>groot</strong>" in mail and 'href="https://vng.nl/brief"' in mail
    assert "<em>schrijf</em>" in mail and "<blockquote" in mail and "eerste punt" in mail
    assert 'href="https://vng.nl/kamerleden"' in mail and "Schrijf uw Kamerlid" in mail
    assert "<table" in mail and "1,4 miljard" in mail and "groet,<br />" in mail
    frame = page.frame_locator("iframe.desktop")
    expect(frame.get_by_text("Jeugdzorg in de regio")).to_be_visible()


def test_the_keyboard_reaches_every_toolbar_command(page, live_server, editor, db):
    open_edition(page, editor)
    bar = page.get_by_role("toolbar", name="Opmaak van de tekst")
    assert bar.get_by_role("button").all_inner_texts() == LABELS
    assert bar.locator("button[tabindex='0']").count() == 1  # roving tabindex: one tab stop
    page.locator("#tekst-editor").focus()
    page.keyboard.press("Alt+F10")
    seen = [focused(page)]
    for _ in LABELS[1:]:
        page.keyboard.press("ArrowRight")
        seen.append(focused(page))
    assert seen == LABELS
    page.keyboard.press("ArrowRight")
    assert focused(page) == LABELS[0]  # round again
    page.keyboard.press("End")
    assert focused(page) == LABELS[-1]
    page.keyboard.press("Escape")
    assert focused(page) == "tekst-editor"
    # aria-pressed follows the text: in the starter's first line, a heading
    page.keyboard.press("Control+Home")
    expect(bar.get_by_role("button", name="Kop", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(bar.get_by_role("button", name="Vet")).to_have_attribute("aria-pressed", "false")
    # every command with a key has it announced, and the keys work: Ctrl+Alt+3 makes the
    # paragraph under the heading a subhead (under the h2, so no heading level is skipped)
    for button in bar.get_by_role("button").all():
        assert button.get_attribute("aria-keyshortcuts")
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")  # the paragraph under "Deze week"
    expect(bar.get_by_role("button", name="Kop", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    page.keyboard.press("Control+Alt+3")
    expect(page.locator("#tekst-editor h3")).to_have_text(STARTER_LINE)
    # a dialog for each of link, button and image, named by its heading; Escape closes it
    for label in ("Link", "Knop", "Afbeelding"):
        toolbar(page, label)
        dialog = page.get_by_role("dialog", name=label)
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert focused(page) == "tekst-editor"
    # the subhead's autosave ends before the test does (it would race the next test's cleanup)
    expect(page.locator("#opslaan-status")).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_in_the_workspace(width, page, axe, live_server, editor, db):
    page.set_viewport_size({"width": width, "height": 900})
    open_edition(page, editor)
    axe(page, f"workspace at {width} px")
    page.locator("#tekst-editor").focus()
    axe(page, f"workspace at {width} px, editor focused")
    toolbar(page, "Afbeelding")
    expect(page.get_by_role("dialog", name="Afbeelding")).to_be_visible()
    axe(page, f"image dialog at {width} px")
    page.keyboard.press("Escape")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"

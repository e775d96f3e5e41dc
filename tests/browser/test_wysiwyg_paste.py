"""Issue 29, acceptance 3: clipboard HTML from Word and Google Docs (tests/fixtures/clipboard)
pasted into the editor keeps headings, bold, italic, links, lists and the table, and nothing
of the fonts, colours and spans: no style attribute reaches the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_wysiwyg_editor import open_edition

pytestmark = pytest.mark.browser
CLIPBOARD = Path(__file__).parent.parent / "fixtures" / "clipboard"
EXPECTED = """## Jeugdzorg in de regio

Het tekort is **groot** en *groeit*. Lees [de brief](https://vng.nl/brief).

- eerste punt
- tweede punt

1. stap een
2. stap twee

| **Jaar** | **Tekort** |
| --- | --- |
| 2026 | 1,4 miljard |
"""


@pytest.mark.parametrize("name", ["word.html", "google-docs.html"])
def test_paste_keeps_the_structure_and_drops_the_styles(name, page, live_server, editor, db):
    open_edition(page, editor)
    page.locator("#tekst-editor").focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.evaluate(
        """(html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "platte tekst");
            const paste = new ClipboardEvent(
                "paste", {clipboardData: data, bubbles: true, cancelable: true}
            );
            document.getElementById("tekst-editor").dispatchEvent(paste);
        }""",
        (CLIPBOARD / name).read_text(),
    )
    markdown = page.evaluate("window.ravijnEditor.markdown()")
    # the autosave ends before the test does (its write would race the next test's cleanup)
    expect(page.locator("#opslaan-status")).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")
    # Word writes its heading as h1: the mail's largest heading is h2; both write the
    # table's first row as bold cells: it becomes the header row, bold kept
    assert markdown.strip() == EXPECTED.strip(), markdown
    editor_html = page.locator("#tekst-editor").inner_html()
    assert "style=" not in editor_html and "<span" not in editor_html and "font" not in editor_html

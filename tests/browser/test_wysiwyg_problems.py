"""Issue 29: the checks' problems are marked at their place in the editor's text (an outline, a
label that is not colour alone, the problem as title and aria-describedby to it in the list),
and the marks follow the text: a fixed problem loses its mark after the save."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from newsletter.editions import services
from tests.browser.test_workspace_form import log_in

pytestmark = pytest.mark.browser

SOURCE = """---
title: Problemen in de tekst
preheader: Een editie met twee fouten.
date: 2026-12-07
---

## Deze week

Een alinea zonder fouten.

Lees [de brief](http://vng.nl/brief).

![](https://vng.nl/grafiek.png)

Tot slot.
"""


def described_by(page, locator) -> str:
    ids = locator.get_attribute("aria-describedby") or ""
    assert ids, "no aria-describedby"
    return " ".join(page.locator(f"#{name}").inner_text() for name in ids.split())


@pytest.mark.parametrize("width", [1280, 375])
def test_problems_are_marked_on_their_node(width, page, axe, live_server, editor, db):
    page.set_viewport_size({"width": width, "height": 900})
    edition, _ = services.create(SOURCE, editor.id)
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}")
    text = page.locator("#tekst-editor")
    expect(text).to_be_visible()
    marked = text.locator(".problem-mark")
    expect(marked).to_have_count(2)

    link = text.locator("p.problem-mark")
    expect(link).to_have_text("Lees de brief.")
    expect(link).to_have_class(re.compile(r"\bproblem-mark-error\b"))
    assert "https://" in described_by(page, link)
    assert "https://" in (link.get_attribute("title") or "")
    label = link.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Fout" in label  # a word, not only a red outline

    image = text.locator("figure.problem-mark")
    expect(image).to_have_count(1)
    assert "alt-tekst" in described_by(page, image)
    for clean in ("Deze week", "Een alinea zonder fouten.", "Tot slot."):
        expect(text.get_by_text(clean, exact=True)).not_to_have_class("problem-mark")
    axe(page, f"workspace with problems marked, {width} px")

    # "Toon in de tekst" takes the cursor to the marked block: into the paragraph, onto the image
    problems = page.locator("#fouten-lijst li")
    problems.filter(has_text="moet met https:// beginnen").get_by_role(
        "button", name="Toon in de tekst"
    ).click()
    where = "window.ravijnEditor.view.state.selection"
    assert page.evaluate(f"{where}.$from.parent.textContent") == "Lees de brief."
    problems.filter(has_text="alt-tekst").get_by_role("button", name="Toon in de tekst").click()
    assert page.evaluate(f"{where}.node && {where}.node.type.name") == "image"

    # the image gets its description: after the save its error is gone (its size is still not
    # known, a warning), the link's stays
    text.locator("figure figcaption").click()  # the image itself is elsewhere: not loaded
    page.get_by_role("button", name="Afbeelding", exact=True).click()
    dialog = page.get_by_role("dialog", name="Afbeelding")
    dialog.get_by_label("Beschrijving (alt-tekst)").fill("Grafiek van de tekorten")
    dialog.get_by_role("button", name="Afbeelding opslaan").click()
    expect(page.locator("#opslaan-status")).to_have_text("Opgeslagen; het voorbeeld is bijgewerkt.")
    expect(image).to_have_class(re.compile(r"\bproblem-mark-warning\b"))
    assert "alt-tekst" not in described_by(page, image)
    assert "Let op" in image.evaluate("el => getComputedStyle(el, '::before').content")
    expect(text.locator("p.problem-mark")).to_have_text("Lees de brief.")

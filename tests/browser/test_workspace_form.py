"""Issue 12, acceptance 1 and 4, in Chromium: an editor makes an edition without typing YAML or
Markdown syntax (fields, tick-boxes, the WYSIWYG editor's toolbar and dialogs, two images), sees the
count follow the audience, test-sends to two addresses and schedules through the
confirmation step; the test mail matches the preview. axe on every workspace page, with errors
shown and with the editor focused; no admin page scrolls sideways at 375 px."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import Edition, EditionState
from newsletter.subscribers.models import SubscriberState
from tests.factories import (
    EDITOR_PASSWORD,
    SOURCE,
    confirmed_test_address,
    make_subscriber,
    put_in_state,
    subscribers,
)
from tests.helpers import current_edition, wait_until
from tests.integration.test_editions import PNG

pytestmark = pytest.mark.browser

#: a page test on small data: enough readers for the progress to change while it is watched
READERS = 300


def log_in(page, email: str) -> None:
    page.goto("/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Edities").wait_for()


def test_an_edition_without_yaml_or_markdown(page, axe, live_server, editor, worker, sink, db):
    # readers in two provinces (Utrecht: GM0344, Gelderland: GM0202 Arnhem) and elsewhere
    for i, code in enumerate(["GM0344", "GM0344", "GM0202", "GM0363"]):
        make_subscriber(
            db,
            f"lezer{i}@gemeente.example",
            gemeente_code=code,
            state=SubscriberState.active,
            confirmed_at=utcnow(),
        )
    db.session.commit()
    log_in(page, editor.email)

    page.get_by_role("link", name="Nieuwe editie").first.click()
    expect(page.get_by_role("heading", name="Nieuwe editie")).to_be_visible()
    axe(page, "new edition form")
    page.get_by_label("Onderwerp").fill('Jeugdzorg: "het gat" blijft')
    page.get_by_label("Voorregel").fill("Wat u vóór het debat kunt doen.")
    count = page.locator("#doelgroep-aantal")
    expect(count).to_have_text("Gaat naar 4 lezers.")
    page.get_by_label("Utrecht", exact=True).check()
    expect(count).to_have_text("Gaat naar 2 lezers.")
    page.get_by_label("Gelderland", exact=True).check()
    expect(count).to_have_text("Gaat naar 3 lezers.")
    page.get_by_label("Gemeente zoeken en toevoegen").fill("arnhem")
    page.get_by_label("Gemeente zoeken en toevoegen").press("Enter")
    expect(page.get_by_label("Gemeenten", exact=True)).to_have_value("Arnhem")
    expect(count).to_have_text("Gaat naar 1 lezer.")  # Arnhem in Utrecht or Gelderland
    page.get_by_label("Gemeenten", exact=True).fill("")
    page.get_by_label("Gemeenten", exact=True).dispatch_event("change")
    expect(count).to_have_text("Gaat naar 3 lezers.")

    keys = page.keyboard
    page.locator("#tekst-editor").focus()  # the WYSIWYG editor (issue 29) over the Markdown
    keys.press("Control+A")
    keys.press("Delete")
    page.get_by_role("button", name="Kop", exact=True).click()
    keys.type("De cijfers")
    keys.press("Enter")
    keys.type("Het tekort is ")
    page.get_by_role("button", name="Vet").click()
    keys.type("groot")
    keys.press("Control+B")
    keys.type(". ")
    keys.press("Control+K")  # a link, by keyboard
    keys.type("tekst van de link")
    keys.press("Tab")
    keys.press("Control+A")
    keys.type("https://vng.nl/ravijn")
    keys.press("Enter")
    keys.press("Enter")
    page.get_by_role("button", name="Knop", exact=True).click()
    knop = page.get_by_role("dialog", name="Knop")
    knop.get_by_label("Tekst op de knop").fill("Doe mee")
    knop.get_by_label("Adres").fill("https://vng.nl/actie")
    knop.get_by_role("button", name="Knop opslaan").click()
    page.wait_for_url(re.compile(r"/beheer/edities/\d+$"))  # the first keystrokes made the draft
    edition_id = int(page.url.rsplit("/", 1)[1])
    for alt in ("Grafiek van het tekort", "Foto van het gemeentehuis"):
        page.get_by_role("button", name="Afbeelding", exact=True).click()
        image = page.get_by_role("dialog", name="Afbeelding")
        image.get_by_label("Afbeelding (PNG").set_input_files(
            files=[{"name": "grafiek.png", "mimeType": "image/png", "buffer": PNG}]
        )
        image.get_by_label("Beschrijving (alt-tekst)").fill(alt)
        image.get_by_role("button", name="Afbeelding opslaan").click()
        expect(image).to_be_hidden()
    expect(page.locator("#afbeelding-status")).to_have_text(
        "Afbeelding ingevoegd. De afbeelding is niet veranderd."
    )
    text = page.evaluate("window.ravijnEditor.markdown()")

    def stored_text():
        db.session.expire_all()
        source = db.session.get(Edition, edition_id).source
        return source if "Foto van het gemeentehuis" in source else None

    wait_until(stored_text, 10, "the autosave of the last change")
    assert "## De cijfers" in text and "**groot**" in text
    assert "[tekst van de link](https://vng.nl/ravijn)" in text
    assert "{.button}" in text and "![Grafiek van het tekort](http://127.0.0.1:" in text
    page.goto(f"/beheer/edities/{edition_id}")  # the edition's own page, as it is stored
    expect(page.locator("#tekst-editor")).to_be_visible()
    assert page.evaluate("window.ravijnEditor.markdown()") == text
    page.locator("#tekst-editor").focus()
    axe(page, "edit page, editor focused")
    expect(page.get_by_text("Geen fouten of waarschuwingen.")).to_be_visible()

    # an error shows up in the checks, and axe is still happy
    page.get_by_label("Onderwerp").fill("")
    page.get_by_role("button", name="Opslaan en voorbeeld bijwerken").click()
    expect(page.get_by_role("heading", name="Nog niet alles is goed ingevuld")).to_be_visible()
    axe(page, "edit page with errors")
    page.get_by_label("Onderwerp").fill('Jeugdzorg: "het gat" blijft')
    page.get_by_role("button", name="Opslaan en voorbeeld bijwerken").click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()

    stored = db.session.get(Edition, edition_id)
    db.session.refresh(stored)
    assert stored.title == 'Jeugdzorg: "het gat" blijft'
    assert stored.segment == '{"provincies": ["Gelderland", "Utrecht"]}'  # in the list's order

    confirmed_test_address(editor, "anna@vng.example")
    confirmed_test_address(editor, "bert@vng.example")
    page.get_by_role("link", name="Je testadressen").click()
    expect(page.get_by_text("anna@vng.example: bevestigd")).to_be_visible()
    page.get_by_label("Nieuw testadres").fill("carla@vng.example")
    page.get_by_role("button", name="Stuur de link").click()
    expect(page.get_by_text("We hebben een link gestuurd naar carla@vng.example")).to_be_visible()
    axe(page, "test addresses")
    [link_mail] = sink.wait_for(1)
    assert link_mail.recipients == ["carla@vng.example"]
    text = link_mail.message().get_body(("plain",)).get_content()
    page.goto(re.search(r"https?://\S+(/beheer/testadres/\S+)", text).group(1))
    axe(page, "test address confirmation")
    page.get_by_role("button", name="Ja, bevestig dit testadres").click()
    expect(
        page.get_by_text("Bevestigd. Testmails van OVER het ravijn kunnen nu naar")
    ).to_be_visible()
    sink.clear()
    page.goto(f"/beheer/edities/{edition_id}")
    page.get_by_label("Testadressen").fill("anna@vng.example, bert@vng.example")
    page.get_by_role("button", name="Stuur een test").click()
    mails = sink.wait_for(2)
    assert sorted(m.recipients[0] for m in mails) == ["anna@vng.example", "bert@vng.example"]
    html = mails[0].message().get_body(preferencelist=("html",)).get_content()
    mail_text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    frame = page.frame_locator("iframe.desktop")
    expect(frame.locator("body")).to_contain_text("De cijfers")  # the frame loads on its own
    preview_text = " ".join(frame.locator("body").inner_text().split())
    for part in ("De cijfers", "Het tekort is groot", "Jeugdzorg", "tekst van de link"):
        assert part in mail_text and part in preview_text, part
    mail_images = re.findall(r'src="(http://[^"]+/media/[^"]+)"', html)
    assert len(mail_images) == 2 and frame.locator("img[src*='/media/']").count() == 2

    page.get_by_label("Verzenden op (Nederlandse tijd)").fill("2031-05-04T09:30")
    page.get_by_role("button", name="Inplannen…").click()
    expect(page.get_by_text("naar de lezers in de doelgroep: nu 3 lezers")).to_be_visible()
    axe(page, "schedule confirmation")
    page.get_by_role("button", name="Ja, plan in voor 04-05-2031 09:30").click()
    expect(
        page.get_by_role("status").get_by_text("Ingepland voor 04-05-2031 09:30")
    ).to_be_visible()
    assert current_edition(edition_id).state == EditionState.scheduled


def test_no_admin_page_scrolls_sideways_at_375_px(browser, live_server, editor, db, axe):
    found = subscribers(db, 2)
    draft, _ = services.create(SOURCE, editor.id)
    sent, _ = services.create(SOURCE, editor.id)
    put_in_state(db, sent, EditionState.sent)
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    wide = {}
    for url in ("/beheer/inloggen", "/beheer/wachtwoord-vergeten"):  # before logging in
        page.goto(url)
        if page.evaluate("document.documentElement.scrollWidth") > 375:
            wide[url] = page.evaluate("document.documentElement.scrollWidth")
    log_in(page, editor.email)
    urls = [
        "/beheer/",
        "/beheer/edities/nieuw",
        "/beheer/edities/nieuw?weergave=bron",
        f"/beheer/edities/{draft.id}",
        f"/beheer/edities/{draft.id}?weergave=bron",
        f"/beheer/edities/{draft.id}/verwijderen",
        f"/beheer/edities/{draft.id}/versturen",
        f"/beheer/edities/{sent.id}",
        f"/beheer/edities/{sent.id}/verzending",
        "/beheer/lezers/",
        "/beheer/verzendingen",
        "/beheer/redacteuren/",
        "/beheer/tweestaps",
        "/beheer/lezers/zoeken?q=lezer",
        f"/beheer/lezers/{found[0].id}",
        f"/beheer/edities/{sent.id}/ontvangers",
        "/beheer/lezers/importeren",
    ]
    for url in urls:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        axe(page, f"{url} at 375 px")
        if width > 375:
            wide[url] = width
    assert wide == {}, f"pages wider than 375 px: {wide}"
    context.close()


def test_the_progress_of_a_send_ends_without_reload(
    page, axe, live_server, editor, worker, sink, db
):
    """No '0 / 0' while the list is made; at the end no pause or cancel, the final counts, and
    the page never reloaded."""
    subscribers(db, READERS)
    edition, _ = services.create(SOURCE, editor.id)
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}/versturen")
    page.get_by_role("button", name=f"Ja, verstuur naar {READERS} lezers").click()
    page.get_by_role("heading", name="Voortgang").wait_for()
    page.evaluate(
        """() => {
            window.seenTotals = [];
            window.notReloaded = true;  // a reload would start a fresh window without it
            const cell = document.querySelector('[data-field="total_text"]');
            window.seenTotals.push(cell.textContent);
            new MutationObserver(() => window.seenTotals.push(cell.textContent))
                .observe(cell, {childList: true, characterData: true, subtree: true});
        }"""
    )
    expect(page.locator('[data-field="state_label"]')).to_have_text("Verzonden", timeout=90_000)
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator('[data-field="sent_text"]')).to_have_text(str(READERS))
    assert page.get_by_role("button", name="Pauzeren").is_hidden()
    assert page.get_by_role("button", name="Annuleren").is_hidden()
    seen = set(page.evaluate("window.seenTotals"))
    assert seen <= {"lijst wordt gemaakt…", str(READERS)}, seen
    axe(page, "finished send")
    assert len({m.recipients[0] for m in sink.received}) == READERS

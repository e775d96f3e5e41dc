"""Issue 11, acceptance 1, in Chromium: a beheerder makes a redacteur and an eindredacteur;
each chooses a password from the mail and enrols TOTP from the QR code's secret; the redacteur
writes and asks for approval; the eindredacteur approves; an edit voids it; approved again, the
eindredacteur publishes. The redacteur cannot reach publish, export or erasure. axe on every
new page."""

from __future__ import annotations

import re

import pyotp
import pytest
import yaml
from playwright.sync_api import expect

from newsletter.editions.models import EditionState
from tests.factories import EDITOR_PASSWORD, SOURCE, subscribers
from tests.helpers import current_edition, wait_until

pytestmark = pytest.mark.browser
WRITER, CHIEF = "schrijver@vng.example", "eind@vng.example"
PASSWORD = "mijn eigen lange zin van woorden"


def enrol(page, axe, label: str) -> list[str]:
    """On the enrolment page: 'scan' the QR code (read its secret), type the app's code; the
    recovery codes the page shows once come back."""
    expect(page.get_by_role("heading", name="Tweestapsverificatie")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    axe(page, f"2FA enrolment ({label})")
    secret = page.locator("#geheime-sleutel").get_attribute("data-secret")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_role("heading", name="Je herstelcodes")).to_be_visible()
    assert page.locator("#herstelcodes li").count() == 10
    codes = page.locator("#herstelcodes code").all_inner_texts()
    axe(page, f"recovery codes ({label})")
    page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
    expect(page.get_by_role("heading", name="Edities")).to_be_visible()
    return codes


def first_login(browser, live_server, sink, axe, email: str):
    """A new editor: the welcome mail's link, a password, then logging in with enrolment."""
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    page.goto("/beheer/wachtwoord-vergeten")
    axe(page, "forgot password")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Stuur een link").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    axe(page, "password link sent")
    page.goto(welcome_link(sink, email))
    expect(page.get_by_role("heading", name="Nieuw wachtwoord kiezen")).to_be_visible()
    axe(page, f"choose a password ({email})")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Nieuw wachtwoord nog een keer").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Je nieuwe wachtwoord is opgeslagen")).to_be_visible()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    enrol(page, axe, email)
    return page


def welcome_link(sink, email: str) -> str:
    """The password link in the welcome mail to `email`."""
    [mail] = wait_until(
        lambda: [
            r
            for r in sink.received
            if r.recipients == [email] and r.message()["Subject"].startswith("Een account")
        ],
        10,
        f"a welcome mail to {email}",
    )
    text = mail.message().get_body(preferencelist=("plain",)).get_content()
    [url] = re.findall(r"http://127\.0\.0\.1:\d+/beheer/wachtwoord/\S+", text)
    return url


def test_roles_two_factor_and_four_eyes_end_to_end(
    browser, page, axe, app, live_server, editor, worker, sink, db, settings
):
    settings(require_second_factor=True, four_eyes=True)
    subscribers(db, 3)
    page.goto("/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(editor.email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    codes = enrol(page, axe, "beheerder")

    # logging out and in again: the code page (a recovery code, as after a lost phone)
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    page.get_by_label("E-mailadres").fill(editor.email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Code invullen")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Deze code klopt niet").first).to_be_visible()
    axe(page, "code page with an error")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Edities")).to_be_visible()

    page.get_by_role("link", name="Redacteuren").click()
    expect(page.get_by_role("heading", name="Redacteuren", exact=True)).to_be_visible()
    axe(page, "editors page")
    for email, role in ((WRITER, "Redacteur"), (CHIEF, "Eindredacteur")):
        form = page.locator("form[action$='/beheer/redacteuren/#nieuw']")
        form.get_by_label("E-mailadres").fill(email)
        form.get_by_label(role, exact=True).check()
        form.get_by_role("button", name="Redacteur toevoegen").click()
        expect(page.get_by_text(f"{email} is aangemaakt")).to_be_visible()
    axe(page, "editors page with three editors")

    writer = first_login(browser, live_server, sink, axe, WRITER)
    writer.goto("/beheer/edities/nieuw?weergave=bron")
    writer.get_by_label("Editie (front matter en Markdown)").fill(SOURCE)
    writer.get_by_role("button", name="Opslaan als concept").click()
    edition_id = int(writer.url.rstrip("/").rsplit("/", 1)[1])
    writer.get_by_role("button", name="Vraag om goedkeuring").click()
    expect(writer.get_by_text("Gevraagd.")).to_be_visible()
    axe(writer, "edit page, approval asked")
    for url in (
        f"/beheer/edities/{edition_id}/versturen",
        "/beheer/lezers/lezers.csv",
        "/beheer/lezers/importeren",
        "/beheer/redacteuren/",
    ):
        assert writer.goto(url).status == 403, url
    expect(writer.get_by_role("heading", name="Geen toegang")).to_be_visible()
    refused = writer.request.post(f"/beheer/edities/{edition_id}/goedkeuren", form={})
    assert refused.status in (400, 403)

    title = yaml.safe_load(SOURCE.split("---")[1])["title"]
    asked = f"Goedkeuring gevraagd: {title}"
    wait_until(
        lambda: [r for r in sink.received if r.message()["Subject"] == asked],
        10,
        lambda: f"the notice; the sink has {[r.message()['Subject'] for r in sink.received]}",
    )
    chief = first_login(browser, live_server, sink, axe, CHIEF)
    chief.goto(f"/beheer/edities/{edition_id}")
    expect(chief.get_by_text(f"Goedkeuring gevraagd door {WRITER}")).to_be_visible()
    expect(chief.locator("#goedkeuring").get_by_text("Gaat naar 3 lezers")).to_be_visible()
    axe(chief, "edit page for the approver")
    chief.get_by_role("button", name="Deze versie goedkeuren").click()
    expect(chief.get_by_text("Goedgekeurd. Deze versie kan nu")).to_be_visible()

    # the writer changes a word: the approval is void
    writer.goto(f"/beheer/edities/{edition_id}?weergave=bron")
    source = writer.get_by_label("Editie (front matter en Markdown)")
    source.fill(SOURCE.replace("gemeenten", "Gemeenten", 1))
    writer.get_by_role("button", name="Opslaan en voorbeeld bijwerken").click()
    expect(writer.get_by_text("Opgeslagen.")).to_be_visible()
    chief.goto(f"/beheer/edities/{edition_id}")
    expect(chief.get_by_text("Deze versie is nog niet goedgekeurd")).to_be_visible()
    assert chief.get_by_role("link", name="Nu versturen…").count() == 0
    expect(chief.get_by_text("Versturen en inplannen kan zodra")).to_be_visible()
    chief.goto(f"/beheer/edities/{edition_id}/versturen")  # the URL refuses as well
    expect(chief.get_by_text("nog niet goedgekeurd")).to_be_visible()

    chief.goto(f"/beheer/edities/{edition_id}")
    chief.get_by_role("button", name="Deze versie goedkeuren").click()
    chief.get_by_role("link", name="Nu versturen…").click()
    chief.get_by_role("button", name="Ja, verstuur naar 3 lezers").click()
    expect(chief.get_by_role("heading", name="Voortgang")).to_be_visible()
    assert current_edition(edition_id).state in (EditionState.sending, EditionState.sent)

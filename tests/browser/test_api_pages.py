"""In Chromium: the beheerders' API-key page and the API's readable page pass axe at 1280 and
375 px and never scroll sideways at 375 px; a key is made with the keyboard alone, shown once,
and revoked through the confirmation step.

Screenshots go to tmp_path, or to $SHOTS_DIR when it is set (to look at them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from newsletter.api import keys
from newsletter.api.spec import OPERATIONS
from newsletter.auth.audit import CLI
from tests.factories import EDITOR_PASSWORD

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)
SECRET = re.compile(r"^rvn_[0-9a-f]{12}_[A-Za-z0-9_\-]{20,}$")


def log_in(page, email: str) -> None:
    page.goto("/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Edities").wait_for()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check(page, axe, label: str, width: int, folder: Path, name: str) -> None:
    """axe, no sideways scrolling at 375 px, and a full-page screenshot."""
    axe(page, f"{label} at {width} px")
    if width <= 375:
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= 375, f"{label} scrolls sideways at {width} px: {scroll} px wide"
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_docs_page_wraps_and_passes_axe(browser, live_server, db, axe, tmp_path, width):
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Aanroepen")).to_be_visible()
    calls = page.locator(".operations li")
    assert calls.count() == len(OPERATIONS)
    assert "/<wbr>" in page.locator(".operation-call code").first.inner_html()
    assert page.locator("table").count() == 0
    for i in range(calls.count()):  # every call fits inside the page
        box = calls.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    check(page, axe, "/api/v1/docs", width, shots(tmp_path), "api-docs")
    context.close()


def test_a_key_is_made_by_keyboard_shown_once_and_revoked(page, axe, editor, db, tmp_path):
    keys.create("Relatiebeheer (CRM) van de VNG", ["readers:read", "stats:read"], 365, CLI)
    log_in(page, editor.email)
    page.get_by_role("link", name="Koppelingen").click()
    expect(page.get_by_role("heading", name="API-sleutels", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Relatiebeheer (CRM) van de VNG")).to_be_visible()
    axe(page, "API keys page")

    # the keyboard alone: type the name, tick two rights with Space, change the days, Enter
    wanted = {"readers:read", "editions:read"}
    page.get_by_label("Naam").focus()
    page.keyboard.type("Lezersbeheer")
    for _ in keys.SCOPES:  # Tab visits every tick-box, in order
        page.keyboard.press("Tab")
        value = page.evaluate("document.activeElement.value")
        assert page.evaluate("document.activeElement.type") == "checkbox", value
        if value in wanted:
            page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "nieuw-days"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("90")
    page.keyboard.press("Tab")
    assert focused(page).strip() == "Sleutel maken"
    page.keyboard.press("Enter")

    expect(
        page.get_by_role("heading", name="Kopieer deze sleutel nu; je ziet hem hierna nooit meer")
    ).to_be_visible()
    secret = page.locator("#nieuwe-sleutel").inner_text().strip()
    assert SECRET.match(secret), secret
    for scope in wanted:
        expect(page.locator(".scope-list li", has_text=keys.SCOPES[scope])).to_be_visible()
    assert page.locator(".scope-list li").count() == len(wanted)
    axe(page, "new key shown once")

    # one click selects the whole key (nothing to drag over)
    page.locator("#nieuwe-sleutel").click()
    assert page.evaluate("window.getSelection().toString()").strip() == secret

    page.get_by_role("link", name="Ik heb de sleutel bewaard, terug naar de sleutels").click()
    expect(page.get_by_role("heading", name="Lezersbeheer")).to_be_visible()
    assert secret not in page.content()

    page.get_by_role("link", name="Intrekken… sleutel Lezersbeheer").click()
    expect(page.get_by_role("heading", name="Sleutel intrekken")).to_be_visible()
    axe(page, "revoke confirmation")
    page.get_by_role("button", name="Ja, trek deze sleutel in").click()
    expect(page.get_by_text("De sleutel ‘Lezersbeheer’ is ingetrokken.")).to_be_visible()
    answer = page.request.get("/api/v1/readers", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 401

    # an error in the form: said in Dutch, next to the field, axe-clean
    page.get_by_label("Geldig (dagen)").fill("1000")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.get_by_text("Nog niet alles is goed ingevuld")).to_be_visible()
    expect(page.locator("#nieuw-days-fout")).to_be_visible()
    axe(page, "API keys page with errors")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_key_pages_pass_axe_and_fit(browser, live_server, editor, db, axe, tmp_path, width):
    made = keys.create(
        "Koppeling met het relatiebeheersysteem (CRM) van de Nederlandse gemeenten",
        list(keys.SCOPES),
        730,
        CLI,
    )
    keys.revoke(keys.create("Oude proefkoppeling", ["readers:read"], 30, CLI).key.id, CLI)
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    log_in(page, editor.email)
    folder = shots(tmp_path)
    page.goto("/beheer/api-sleutels/")
    check(page, axe, "API keys page", width, folder, "api-keys")

    page.get_by_label("Naam").fill("CRM")
    page.get_by_label("Lezers opvragen").check()
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.locator("#nieuwe-sleutel")).to_be_visible()
    check(page, axe, "new key shown once", width, folder, "api-key-made")

    page.goto(f"/beheer/api-sleutels/{made.key.id}/intrekken")
    check(page, axe, "revoke confirmation", width, folder, "api-key-revoke")

    page.goto("/beheer/api-sleutels/")
    page.get_by_label("Naam").fill("")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.get_by_text("Nog niet alles is goed ingevuld")).to_be_visible()
    check(page, axe, "API keys page with errors", width, folder, "api-keys-errors")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_webhooks_page_passes_axe_and_fits(
    browser, live_server, editor, db, axe, tmp_path, width
):
    from newsletter.webhooks.models import Webhook

    db.session.add(Webhook(
        url="https://relatiebeheer.vng.example/koppelingen/nieuwsbrief/ravijn/gebeurtenissen?bron=ravijn",
        events="reader.confirmed reader.unsubscribed reader.erased", secret="whsec_x",
        enabled=False, disabled_reason="geen goed antwoord sinds 01-12-2026 09:00 UTC",
        last_status="HTTP 500",
    ))  # fmt: skip
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    log_in(page, editor.email)
    folder = shots(tmp_path)
    page.get_by_role("link", name="Koppelingen").click()
    page.get_by_role("link", name="webhook").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    check(page, axe, "webhooks page", width, folder, "webhooks")

    page.get_by_label("Adres van de ontvanger").fill("http://127.0.0.1/intern")
    page.get_by_label("reader.bounced: het adres van een lezer werkt niet meer").check()
    page.get_by_role("button", name="Webhook toevoegen").click()
    expect(page.get_by_text("Nog niet alles is goed ingevuld")).to_be_visible()
    check(page, axe, "webhooks page with errors", width, folder, "webhooks-errors")
    context.close()

"""The reader's whole journey in Debian's Chromium, with the real worker and SMTP sink.

Sign up by keyboard alone → the mail arrives → confirm → change preferences → the short page
behind a mail's link and its fresh link → one-click unsubscribe as a mail client does it;
axe-core checks every page on the way, error states too.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter.models import ConsentEvent, Subscriber
from newsletter.subscribers.models import SubscriberState

pytestmark = pytest.mark.browser


def tab_to(page, element_id: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"could not reach #{element_id} with Tab")


def link_from(sink, subject: str, path_prefix: str) -> str:
    for received in sink.received:
        message = received.message()
        if message["Subject"] == subject:
            text = message.get_body(preferencelist=("plain",)).get_content()
            for url in re.findall(r"http://127\.0\.0\.1:\d+/\S+", text):
                if urllib.parse.urlsplit(url).path.startswith(path_prefix):
                    return url
    raise AssertionError(f"no mail {subject!r} with a {path_prefix} link")


def consent_kinds(db) -> list[str]:
    db.session.expire_all()
    return [
        e.kind.value for e in db.session.scalars(select(ConsentEvent).order_by(ConsentEvent.id))
    ]


def test_reader_journey(page, axe, live_server, worker, sink, db):
    page.goto("/")
    axe(page, "home")
    page.get_by_role("link", name="Aanmelden voor de nieuwsbrief").click()
    axe(page, "sign-up form")

    # error state: an empty form
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Nog niet alles is goed ingevuld")).to_be_visible()
    assert page.title().startswith("Fout:")
    axe(page, "sign-up form with errors")

    # keyboard alone
    tab_to(page, "name")
    page.keyboard.type("Anna de Vries")
    page.keyboard.press("Tab")
    page.keyboard.type("anna@utrecht.example")
    page.keyboard.press("Tab")
    page.keyboard.type("utre")
    expect(page.get_by_role("listbox")).to_be_visible()
    axe(page, "sign-up form with the gemeente list open")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#gemeente").input_value() == "Utrecht"
    tab_to(page, "role")
    page.keyboard.type("Wethouder")
    assert page.locator("#role").input_value() == "wethouder"
    tab_to(page, "consent")
    page.keyboard.press("Space")
    assert page.locator("#consent").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aanmelden"
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanmelden/kijk-in-uw-mailbox")
    axe(page, "check your inbox")

    # the link in the mail, as a newcomer follows it (/dev/outbox exists only in development)
    assert len(sink.wait_for(1)) == 1
    page.goto(link_from(sink, "Bevestig uw aanmelding voor OVER het ravijn", "/bevestigen/"))
    expect(page.get_by_role("heading", name="Aanmelding bevestigen")).to_be_visible()
    axe(page, "confirm page")
    page.get_by_role("button", name="Ja, ik wil de nieuwsbrief ontvangen").click()
    expect(page.get_by_role("heading", name="U bent aangemeld")).to_be_visible()
    axe(page, "confirmed")
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.state == SubscriberState.active
    preferences = page.get_by_role("link", name="Mijn gegevens bekijken of wijzigen")
    preferences_url = preferences.get_attribute("href")
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", name="Uw aanmelding was al bevestigd")).to_be_visible()
    # an old confirmation link (a scanner's replay) opens no door to the details
    assert page.get_by_role("link", name="Mijn gegevens bekijken of wijzigen").count() == 0
    axe(page, "already confirmed")

    # preferences, with an error state first
    page.goto(preferences_url)
    axe(page, "preferences")
    page.get_by_label("Naam").fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Vul uw naam in.").first).to_be_visible()
    axe(page, "preferences with errors")
    page.get_by_label("Naam").fill("Anna de Vries")
    page.get_by_role("combobox", name="Gemeente").fill("Den Haag ('s-Gravenhage)")
    page.get_by_label("Functie").select_option("burgemeester")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw wijzigingen zijn opgeslagen.")).to_be_visible()
    axe(page, "preferences saved")
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber.gemeente_code)) == "GM0518"

    # the link in every mail (forwarded with it) opens a short page: the details only behind a
    # fresh link mailed to the address on file
    sink.wait_for(2)
    page.goto(link_from(sink, "Welkom bij OVER het ravijn", "/voorkeuren/"))
    assert page.get_by_label("Naam").count() == 0
    axe(page, "preferences from a mail link")
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.get_by_text("We hebben een e-mail gestuurd naar")).to_be_visible()
    axe(page, "preferences, link sent")
    sink.wait_for(3)
    page.goto(link_from(sink, "Uw gegevens wijzigen – OVER het ravijn", "/gegevens/"))
    assert page.get_by_label("Naam").input_value() == "Anna de Vries"

    # RFC 8058: the mail client posts, without cookies, to the link in the welcome mail
    sink.wait_for(2)
    url = link_from(sink, "Welkom bij OVER het ravijn", "/afmelden/")
    page.goto(url)
    axe(page, "unsubscribe page")
    request = urllib.request.Request(  # noqa: S310 - our own live server
        url, data=b"List-Unsubscribe=One-Click", method="POST"
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 200
        assert response.url == url  # no redirect
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber.state)) == SubscriberState.unsubscribed
    page.reload()
    expect(page.get_by_role("heading", name="U bent afgemeld")).to_be_visible()
    axe(page, "unsubscribed")
    assert consent_kinds(db) == ["requested", "confirmed", "preferences_changed", "unsubscribed"]
    assert len(sink.wait_for(4)) == 4  # confirm, welcome, manage link, goodbye


def test_error_pages_are_accessible(page, axe, app, live_server, db):
    from newsletter.subscribers.tokens import Purpose, Signer

    signer = Signer(app.config["SETTINGS"].secret_keys)
    page.goto("/bevestigen/niet-echt")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    axe(page, "tampered confirmation link")
    page.get_by_role("button", name="Stuur een nieuwe link").click()
    expect(page.get_by_text("Vul uw e-mailadres in.").first).to_be_visible()
    axe(page, "resend form with errors")
    token = signer.dumps(Purpose.confirm, ["onbekend", "nonce"])
    current = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(current, confirm_max_age_seconds=-1)
    try:
        page.goto("/bevestigen/" + token)
    finally:
        app.config["SETTINGS"] = current
    expect(page.get_by_role("heading", name="Deze link is verlopen")).to_be_visible()
    axe(page, "expired confirmation link")
    page.goto("/voorkeuren/kapot")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    axe(page, "broken preferences link")
    page.goto("/afmelden/kapot")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    axe(page, "broken unsubscribe link")
    page.get_by_role("button", name="Stuur een link om af te melden").click()
    expect(page.get_by_text("Vul uw e-mailadres in.").first).to_be_visible()
    axe(page, "leave by address with errors")
    page.get_by_label("E-mailadres").fill("iemand@gemeente.example")
    page.get_by_role("button", name="Stuur een link om af te melden").click()
    expect(page.get_by_role("heading", name="Kijk in uw mailbox")).to_be_visible()
    axe(page, "leave by address, answer")
    page.goto("/bestaat-niet")
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    axe(page, "404")
    page.goto("/privacy")
    axe(page, "privacy")

"""Issue 31, acceptance 2, in Chromium: an editor logs in through the provider's own pages
(tests/oidc, a real OpenID Connect provider) and reaches the workspace; the new pages (the
login page's button, "no role yet", "login refused") are axe clean at 1280 and 375 px."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from playwright.sync_api import expect

from tests.conftest import SSO_ACCOUNTS, sso_settings
from tests.oidc import Provider

pytestmark = pytest.mark.browser
WIDTHS = [(1280, 800), (375, 740)]


@pytest.fixture(scope="module")
def provider(_server, tmp_path_factory):
    """The provider, sending people back to the live server."""
    started = Provider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[f"{_server}/beheer/sso/terug"],
        backchannel_uri=f"{_server}/beheer/sso/uitgelogd",
    )
    started.set_accounts(copy.deepcopy(SSO_ACCOUNTS))
    yield started.start()
    started.stop()


@pytest.fixture
def sso_page(app, browser, live_server, provider, db):
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"], sso=sso_settings(provider), require_second_factor=True
    )  # live_server puts the settings back afterwards

    def open_at(width: int, height: int):
        context = browser.new_context(
            base_url=live_server, locale="nl-NL", viewport={"width": width, "height": height}
        )
        contexts.append(context)
        return context.new_page()

    contexts: list = []
    yield open_at
    for context in contexts:
        context.close()


def log_in_at_the_provider(page, account: str) -> None:
    page.goto("/beheer/inloggen")
    page.get_by_role("link", name="Inloggen met je VNG-account").click()
    expect(page.get_by_role("heading", name="Inloggen bij de testprovider")).to_be_visible()
    page.get_by_label("Account").fill(account)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_log_in_through_the_providers_pages_and_reach_the_workspace(sso_page, axe, width, height):
    page = sso_page(width, height)
    page.goto("/beheer/inloggen")
    expect(page.get_by_role("link", name="Inloggen met je VNG-account")).to_be_visible()
    axe(page, f"login page with SSO ({width} px)")
    log_in_at_the_provider(page, "bert")  # eindredacteur and beheerder, from his groups
    expect(page.get_by_role("heading", name="Edities")).to_be_visible()
    axe(page, f"workspace after SSO ({width} px)")
    page.goto("/beheer/redacteuren/")
    expect(page.get_by_text("komen uit de groepen bij VNG")).to_be_visible()
    axe(page, f"editors page with an SSO person ({width} px)")


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_no_role_and_refused_pages(sso_page, axe, width, height):
    page = sso_page(width, height)
    log_in_at_the_provider(page, "chris")
    expect(page.get_by_role("heading", name="Je hebt nog geen toegang")).to_be_visible()
    expect(page.get_by_text("servicedesk@vng.example")).to_be_visible()
    axe(page, f"no role ({width} px)")
    other = sso_page(width, height)
    log_in_at_the_provider(other, "dirk")
    expect(other.get_by_role("heading", name="Inloggen is niet gelukt")).to_be_visible()
    expect(other.get_by_text("zonder tweede stap")).to_be_visible()
    axe(other, f"refused without a second factor ({width} px)")

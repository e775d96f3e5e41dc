"""An editor logs in, writes an edition, sees the preview follow, test-sends it; axe checks."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import EditionState
from tests.factories import EDITOR_PASSWORD, put_in_state

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md"


def test_write_preview_and_test_send(page, axe, live_server, editor, worker, sink, db):
    page.goto("/beheer/")
    expect(page.get_by_role("heading", name="Inloggen voor redacteuren")).to_be_visible()
    axe(page, "login")
    page.get_by_label("E-mailadres").fill(editor.email)
    page.get_by_label("Wachtwoord").fill("fout wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("horen niet bij elkaar").first).to_be_visible()
    axe(page, "login with error")
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Edities")).to_be_visible()
    axe(page, "editions list (empty)")

    page.get_by_role("link", name="Nieuwe editie").first.click()
    axe(page, "new edition")
    page.get_by_role("link", name="Bronweergave (Markdown)").click()  # for power users
    axe(page, "new edition, source view")
    page.get_by_label("Editie (front matter en Markdown)").fill(FIXTURE.read_text())
    page.get_by_role("button", name="Opslaan als concept").click()
    # the fixture's image is on another host: its size is not known, the one warning
    page.locator(".problem-warning", has_text="de maat niet bekend").wait_for()
    assert page.locator(".problem-error, .problem-warning").count() == 1
    page.get_by_role("link", name="Bronweergave (Markdown)").click()
    axe(page, "edit edition")
    frame = page.frame_locator("iframe.desktop")
    expect(frame.get_by_text("Jeugdzorg: gemeenten kunnen het gat niet dichten")).to_be_visible()

    # live preview: type, wait, and the preview, checks and text part follow
    source = page.get_by_label("Editie (front matter en Markdown)")
    changed = FIXTURE.read_text().replace("De week van de jeugdzorg", "Een nieuwe kop")
    source.fill(re.sub(r"!\[[^\]]*\]", "![]", changed))  # an image without alt text
    page.get_by_text("Opgeslagen; het voorbeeld is bijgewerkt.").wait_for()
    # the preview frame reloads after the save: wait for its new text, do not sample it
    expect(frame.get_by_text("Een nieuwe kop")).to_be_visible()
    expect(page.locator(".problem-error").first).to_be_visible()
    expect(page.locator("#tekstversie")).to_contain_text("Een nieuwe kop")
    axe(page, "edit edition with problems")
    source.fill(FIXTURE.read_text())
    expect(page.locator(".problem-error")).to_have_count(0)

    page.get_by_role("button", name="Stuur een test").click()
    # the answer comes without a reload (workspace.js)
    expect(page.get_by_text(f"De testmail gaat naar {editor.email}.")).to_be_visible()
    [mail] = sink.wait_for(1)
    assert mail.message()["Subject"].startswith("[TEST] Jeugdzorg")
    page.get_by_role("link", name="Edities").first.click()
    axe(page, "editions list")


def test_archive_pages_are_accessible(page, axe, live_server, db):
    page.goto("/archief/")
    axe(page, "empty archive")
    edition, _ = services.create(FIXTURE.read_text())
    put_in_state(db, edition, EditionState.sent, sent_at=utcnow())
    page.goto("/archief/")
    page.get_by_role("link", name="Jeugdzorg: gemeenten kunnen het gat niet dichten").click()
    expect(page.get_by_role("heading", name="De cijfers")).to_be_visible()
    # a page, not a mail: its text in <main>, no layout table holds a heading
    assert page.locator("main h1").text_content() == edition.title
    assert page.locator("table[role=presentation] :is(h1, h2, h3, h4)").count() == 0
    assert page.locator("table th:not([scope])").count() == 0
    axe(page, "archived edition")
    page.goto("/archief/")
    axe(page, "archive")


def test_publish_confirm_and_live_progress(app, page, axe, live_server, editor, worker, sink, db):
    import dataclasses
    from datetime import timedelta

    from newsletter.subscribers.models import SubscriberState
    from tests.factories import make_subscriber

    for i in range(40):
        make_subscriber(
            db,
            f"lezer{i}@gemeente.example",
            state=SubscriberState.active,
            confirmed_at=utcnow() - timedelta(minutes=1),
        )
    db.session.commit()
    edition, _ = services.create(FIXTURE.read_text(), editor.id)
    # slow enough to watch the bar move (live_server puts the settings back afterwards)
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"], send_rate=10, batch_size=10
    )
    page.goto("/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(editor.email)
    page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"/beheer/edities/{edition.id}")
    page.get_by_role("link", name="Nu versturen…").click()
    expect(page.get_by_text("Deze editie gaat nu naar 40 lezers")).to_be_visible()
    axe(page, "publish confirmation")
    page.get_by_role("button", name="Ja, verstuur naar 40 lezers").click()
    expect(page.get_by_role("heading", name="Voortgang")).to_be_visible()
    axe(page, "send progress")
    bar = page.locator("#voortgangsbalk")
    deadline = time.monotonic() + 20
    while float(bar.get_attribute("value") or 0) < 5:  # the script moves the bar (no reload)
        assert time.monotonic() < deadline, "the progress bar did not move"
        time.sleep(0.2)
    first = float(bar.get_attribute("value") or 0)
    page.get_by_role("button", name="Pauzeren").click()
    expect(page.get_by_text("Gepauzeerd", exact=True).first).to_be_visible()
    axe(page, "paused send")
    page.get_by_role("button", name="Hervatten").click()
    expect(page.locator("#voortgangsbalk")).to_have_attribute("value", "40", timeout=30_000)
    page.get_by_text("Verzonden", exact=True).first.wait_for()
    assert first < 40
    assert len({m.recipients[0] for m in sink.received if m.message()["List-Id"]}) == 40

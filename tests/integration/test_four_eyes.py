"""Four-eyes sending (issue 11): a second eindredacteur approves the exact rendered version;
a change voids the approval; the command line and FOUR_EYES=off say so in the audit."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from newsletter.auth import accounts
from newsletter.auth.audit import Actor
from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.delivery import control
from newsletter.editions import approval, renders
from newsletter.editions import services as editions
from newsletter.editions.models import Approval, EditionState
from newsletter.extensions import db as _db
from tests.factories import EDITOR_PASSWORD, SOURCE, subscribers
from tests.helpers import current_edition, form_tokens
from tests.integration.test_editor_sessions import log_in

WRITER, SECOND = "schrijver@vng.example", "eind@vng.example"


@pytest.fixture
def team(app, db, editor, settings):
    """A beheerder with every role (the `editor`), a redacteur and a second eindredacteur."""
    settings(four_eyes=True)
    accounts.create_editor(WRITER, EDITOR_PASSWORD, roles=("redacteur",))
    accounts.create_editor(SECOND, EDITOR_PASSWORD, roles=("eindredacteur",))
    subscribers(db, 3)
    return {"boss": log_in(app, editor.email), "writer": log_in(app, WRITER)}


def post(client, path: str, **fields):
    return client.post(path, data=form_tokens(client, "/beheer/") | fields)


def save(client, edition_id: int, source: str):
    path = f"/beheer/edities/{edition_id}"
    return client.post(path, data=form_tokens(client, path) | {"source": source})


def audit(action: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(_db.session.scalars(statement))


def approve(client, edition_id: int):
    """Press "Deze versie goedkeuren" on the page as it is now (its version in a hidden field)."""
    path = f"/beheer/edities/{edition_id}"
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="versie" value="([0-9a-f]+)"', page)
    seen = found.group(1) if found else ""
    return client.post(path + "/goedkeuren", data=form_tokens(client, path) | {"versie": seen})


def publish(client, edition_id: int):
    path = f"/beheer/edities/{edition_id}/versturen"
    return client.post(path, data=form_tokens(client, path))


def test_only_an_approved_version_goes_out_and_an_edit_voids_the_approval(
    app, db, team, worker, sink
):
    boss, writer = team["boss"], team["writer"]
    made = post(writer, "/beheer/edities/nieuw", source=SOURCE)
    edition_id = int(made.headers["Location"].rsplit("/", 1)[1])
    post(writer, f"/beheer/edities/{edition_id}/goedkeuring-vragen")
    assert audit("approval-requested")[0].actor == WRITER
    assert approve(writer, edition_id).status_code == 403

    refused = publish(boss, edition_id)
    assert refused.status_code == 422 and "nog niet goedgekeurd" in refused.get_data(as_text=True)
    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post(boss, f"/beheer/edities/{edition_id}/inplannen", when=when)
    assert current_edition(edition_id).state == EditionState.draft

    page = boss.get(f"/beheer/edities/{edition_id}").get_data(as_text=True)
    assert "Gaat naar <strong>3 lezers</strong>" in page and "Deze versie goedkeuren" in page
    assert approve(boss, edition_id).status_code == 303
    assert "goedgekeurd door Redactie op" in boss.get(f"/beheer/edities/{edition_id}").get_data(
        as_text=True
    )

    # the writer changes one word after the approval: it no longer holds
    assert save(writer, edition_id, SOURCE.replace("gemeenten", "Gemeenten", 1)).status_code == 303
    assert [e.actor for e in audit("approval-voided")] == [WRITER]
    assert db.session.scalar(select(Approval.voided_at)) is not None
    assert publish(boss, edition_id).status_code == 422

    assert approve(boss, edition_id).status_code == 303
    assert publish(boss, edition_id).status_code == 303
    assert current_edition(edition_id).state in (EditionState.sending, EditionState.sent)
    [published] = audit("publish")
    assert published.detail == "3 lezers, goedgekeurd (vier ogen)"


def test_who_made_the_version_cannot_approve_it(app, db, team, editor):
    boss = team["boss"]
    edition, _ = editions.create(SOURCE, editor.id)
    answer = approve(boss, edition.id)
    follow = boss.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Je hebt aan deze editie geschreven" in follow
    assert db.session.scalar(select(Approval.id)) is None
    second = log_in(app, SECOND)
    assert approve(second, edition.id).status_code == 303
    assert db.session.scalar(select(Approval.id)) is not None
    # saving the same text again changes nothing: the approval stands
    editions.update(edition.id, SOURCE)
    db.session.expire_all()
    rendered = editions.render(editions.get(edition.id))
    assert approval.current(editions.get(edition.id), rendered) is not None


def test_an_approval_is_for_the_version_the_approver_saw(app, db, team):
    """A save between opening the page and pressing the button: the press approves nothing."""
    boss, writer = team["boss"], team["writer"]
    made = post(writer, "/beheer/edities/nieuw", source=SOURCE)
    edition_id = int(made.headers["Location"].rsplit("/", 1)[1])
    path = f"/beheer/edities/{edition_id}"
    seen = re.search(r'name="versie" value="([0-9a-f]+)"', boss.get(path).get_data(True))[1]
    save(writer, edition_id, SOURCE.replace("gemeenten", "Gemeenten", 1))
    late = boss.post(path + "/goedkeuren", data=form_tokens(boss, path) | {"versie": seen})
    assert "gewijzigd sinds je haar opende" in boss.get(late.headers["Location"]).get_data(True)
    assert db.session.scalar(select(Approval.id)) is None


def test_a_scheduled_edition_changed_after_approval_goes_back_to_draft(app, db, team, editor):
    edition, _ = editions.create(SOURCE, editor.id)
    second = log_in(app, SECOND)
    approve(second, edition.id)
    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post(team["boss"], f"/beheer/edities/{edition.id}/inplannen", when=when, bevestigd="ja")
    assert current_edition(edition.id).state == EditionState.scheduled
    assert "goedgekeurd (vier ogen)" in audit("schedule")[0].detail

    save(second, edition.id, SOURCE.replace("gemeenten", "Gemeenten", 1))
    changed = current_edition(edition.id)
    assert changed.state == EditionState.draft and changed.scheduled_at is None
    assert "keur opnieuw goed" in changed.state_note
    assert [e.detail for e in audit("unschedule")] == ["goedkeuring vervallen"]


def test_the_clock_sends_only_a_still_approved_version(app, db, team, editor, worker):
    approved, _ = editions.create(SOURCE, editor.id)
    second = log_in(app, SECOND)
    approve(second, approved.id)
    me = Actor(editor.email, editor.id)
    editions.schedule(approved.id, utcnow() + timedelta(minutes=1), me)
    voided, _ = editions.create(SOURCE.replace("Jeugdzorg", "Zorg", 1), editor.id)
    approve(second, voided.id)
    editions.schedule(voided.id, utcnow() + timedelta(minutes=1), me)
    db.session.execute(
        Approval.__table__.update()
        .where(Approval.edition_id == voided.id)
        .values(voided_at=utcnow())
    )
    db.session.commit()
    started = control.start_due(utcnow() + timedelta(minutes=2), timedelta(hours=24))
    assert started == [approved.id]
    assert current_edition(voided.id).state == EditionState.draft
    assert "nog niet goedgekeurd" in current_edition(voided.id).state_note


def test_four_eyes_off_and_the_command_line_say_so_in_the_audit(
    app, db, team, editor, worker, settings
):
    edition, _ = editions.create(SOURCE, editor.id)
    result = app.test_cli_runner().invoke(args=["delivery", "publish", str(edition.id)])
    assert result.exit_code == 0, result.output
    [cli] = audit("publish")
    assert (cli.actor, cli.detail) == ("opdrachtregel", "3 lezers, via de opdrachtregel")

    settings(four_eyes=False)
    alone, _ = editions.create(SOURCE, editor.id)
    assert publish(team["boss"], alone.id).status_code == 303
    web = [e for e in audit("publish") if e.actor == editor.email]
    assert web[0].detail == "3 lezers, zonder vier-ogen (FOUR_EYES staat uit)"


def test_the_fingerprint_is_the_rendered_version_not_the_render(app, db, editor):
    edition, _ = editions.create(SOURCE, editor.id)
    first = approval.fingerprint(editions.render(edition), edition.segment)
    renders._rendered.clear()  # a fresh render, another nonce: the same fingerprint
    assert approval.fingerprint(editions.render(edition), edition.segment) == first
    assert edition.segment != '{"provincies": ["Utrecht"]}'
    other_audience = '{"provincies": ["Utrecht"]}'
    assert approval.fingerprint(editions.render(edition), other_audience) != first


def test_a_command_line_schedule_goes_out_at_its_time_unless_changed(app, db, team, editor):
    """`flask delivery publish --at` is the operator's door: the clock keeps it, as long as
    nobody changed the edition on the web (then it needs an approval like any other)."""
    kept, _ = editions.create(SOURCE, editor.id)
    changed, _ = editions.create(SOURCE, editor.id)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    when = (utcnow() + timedelta(minutes=2)).astimezone(amsterdam).strftime("%Y-%m-%d %H:%M")
    for edition in (kept, changed):
        result = app.test_cli_runner().invoke(
            args=["delivery", "publish", str(edition.id), "--at", when]
        )
        assert result.exit_code == 0, result.output
    save(log_in(app, SECOND), changed.id, SOURCE.replace("gemeenten", "Gemeenten", 1))
    assert current_edition(changed.id).state == EditionState.draft
    started = control.start_due(utcnow() + timedelta(minutes=5), timedelta(hours=24))
    assert started == [kept.id]
    [clock] = [e for e in audit("publish") if e.target == f"editie {kept.id}"]
    assert clock.actor == "planner" and clock.detail.endswith("ingepland via de opdrachtregel")

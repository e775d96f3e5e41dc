"""/beheer/logboek: beheerders filter everyone's actions by kind, person and period and page
through them in a fixed order; any other editor sees only their own actions (the readers'
dashboard no longer lists anyone's); reads through the API are one counted row per key and
hour, so they push nothing out of sight."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from newsletter.auth import accounts
from newsletter.auth.audit import CLI, Actor, record
from newsletter.auth.models import AuditEvent, Editor
from tests.factories import EDITOR_PASSWORD, subscribers
from tests.integration.test_api import call, key_with
from tests.integration.test_editor_sessions import log_in

PAGE = "/beheer/logboek"
TARGET = re.compile(r'data-label="Waarop"[^>]*>([^<]*)<')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def add(db, editor: Editor | None, action: str, target: str, at: datetime, detail: str = ""):
    db.session.add(
        AuditEvent(
            editor_id=editor.id if editor else None,
            actor=editor.email if editor else "opdrachtregel",
            action=action,
            target=target,
            detail=detail,
            occurred_at=at,
        )
    )


def targets(answer) -> list[str]:
    assert answer.status_code == 200, answer.status_code
    return TARGET.findall(answer.get_data(as_text=True))


def redacteur(db) -> Editor:
    return accounts.create_editor("schrijver@vng.example", EDITOR_PASSWORD, "Schrijver")


def test_a_beheerder_filters_by_kind_person_and_period_and_pages_through(app, db, editor):
    writer = redacteur(db)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for i in range(70):  # one export a day by the beheerder, 1 March .. 9 May
        add(db, editor, "export", f"export {i}", start + timedelta(days=i))
    for i in range(5):
        add(db, writer, "test-send", f"editie {i}", start + timedelta(days=i, hours=1))
    # 23.30 on 12 March and 0.30 on 13 March in Dutch time (UTC+1 in March)
    add(db, None, "purge", "laat op de 12e", datetime(2026, 3, 12, 22, 30, tzinfo=UTC))
    add(db, None, "purge", "vroeg op de 13e", datetime(2026, 3, 12, 23, 30, tzinfo=UTC))
    add(db, None, "purge", "om elf uur", datetime(2026, 3, 21, 10, 0, tzinfo=UTC))
    db.session.commit()
    boss = log_in(app, editor.email)

    # by kind, in pages of 50, newest first, every row once
    first = boss.get(f"{PAGE}?soort=export")
    page_one = targets(first)
    assert page_one == [f"export {i}" for i in range(69, 19, -1)]
    html = first.get_data(as_text=True)
    assert "70 regels, pagina 1 van 2" in html
    assert "lezers geëxporteerd" in html and 'href="/beheer/logboek"' in html  # in the menu
    # a new row while paging shifts nothing: the pages hold to the newest id of page one
    add(db, editor, "export", "export nieuw", start + timedelta(days=80))
    db.session.commit()
    page_two = targets(boss.get(NEXT.search(html).group(1).replace("&amp;", "&")))
    assert page_two == [f"export {i}" for i in range(19, -1, -1)]

    # by person: only the redacteur's rows, whatever their kind
    by_writer = targets(boss.get(f"{PAGE}?persoon={writer.id}"))
    assert by_writer == [f"editie {i}" for i in range(4, -1, -1)]
    assert targets(boss.get(f"{PAGE}?persoon=opdrachtregel&soort=purge"))[-1] == "laat op de 12e"

    # by period, in Dutch days (both ends included)
    period = targets(boss.get(f"{PAGE}?soort=purge&van=2026-03-01&tot=12-03-2026"))
    assert period == ["laat op de 12e"]
    assert targets(boss.get(f"{PAGE}?soort=purge&van=2026-03-13&tot=2026-03-13")) == [
        "vroeg op de 13e"
    ]
    one = boss.get(f"{PAGE}?soort=purge&van=2026-03-21").get_data(as_text=True)
    assert "21 maart 2026, 11.00 uur" in one  # Dutch date and time

    wrong = boss.get(f"{PAGE}?van=31-02-2026")
    assert wrong.status_code == 422
    assert "Van: vul een datum in als 21-03-2026" in wrong.get_data(as_text=True)
    backwards = boss.get(f"{PAGE}?van=2026-03-02&tot=2026-03-01")
    assert backwards.status_code == 422 and "ligt na" in backwards.get_data(as_text=True)
    for odd in ("pagina=-3", "pagina=abc", "stand=x", "persoon=99999999999", "persoon=%00"):
        assert boss.get(f"{PAGE}?{odd}").status_code == 200
    assert "kies er een uit de lijst" in boss.get(f"{PAGE}?soort=%00").get_data(as_text=True)


def others_and_mine(db, boss: Editor) -> Editor:
    """A beheerder's webhook and key, another redacteur's test-send, and one of the writer's."""
    writer = redacteur(db)
    other = accounts.create_editor("ander@vng.example", EDITOR_PASSWORD, "Ander")
    now = datetime.now(UTC)
    add(db, boss, "webhook-added", "webhook 1", now, "https://crm.vng.example/geheim-pad")
    add(db, boss, "api-key create", "sleutel abc", now, "Sleutel-van-de-baas")
    add(db, other, "test-send", "editie 99", now, "aan andermans adres")
    add(db, writer, "test-send", "editie 7", now, "aan mijn adres")
    db.session.commit()
    return writer


OTHERS = ("geheim-pad", "Sleutel-van-de-baas", "editie 99", "ander@vng.example")


def test_a_redacteur_sees_only_their_own_actions(app, db, editor):
    me = log_in(app, others_and_mine(db, editor).email)
    for url in (PAGE, f"{PAGE}?persoon={editor.id}", f"{PAGE}?soort=webhook-added"):
        html = me.get(url).get_data(as_text=True)
        for secret in (*OTHERS, editor.email):
            assert secret not in html, (url, secret)
    mine = me.get(PAGE)
    assert targets(mine)[-1] == "editie 7" and "Mijn acties" in mine.get_data(as_text=True)
    assert set(targets(mine)) == {"editie 7", "beheer"}  # and their own login, just now
    assert 'id="persoon"' not in mine.get_data(as_text=True)  # no one else to choose


def test_the_readers_dashboard_shows_a_redacteur_nobody_elses_actions(app, db, editor):
    me = log_in(app, others_and_mine(db, editor).email)
    dashboard = me.get("/beheer/lezers/")
    assert dashboard.status_code == 200
    for secret in (*OTHERS, editor.email):
        assert secret not in dashboard.get_data(as_text=True), secret
    assert 'href="/beheer/logboek"' in dashboard.get_data(as_text=True)


def test_many_api_reads_are_one_counted_row_and_push_nothing_out(
    app, db, client, editor, monkeypatch
):
    from newsletter.api import keys

    ten_past = datetime.now(UTC).replace(minute=10)  # all 60 reads in one hour, whenever run
    monkeypatch.setattr(keys, "utcnow", lambda: ten_past)
    people = subscribers(db, 2)
    record(CLI, "erase", "lezer 1", "op verzoek")
    db.session.commit()
    subscriber_key, writer_key = key_with("readers:read"), key_with("readers:write")
    for _ in range(60):
        assert call(client, "GET", "/api/v1/readers", subscriber_key).status_code == 200
    assert call(client, "GET", "/api/v1/readers", writer_key).status_code == 403
    done = call(client, "POST", f"/api/v1/readers/{people[0].public_id}/unsubscribe", writer_key)
    assert done.status_code < 300

    rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    reads = [r for r in rows if r.action == "api-read"]
    assert sorted(r.times for r in reads) == [1, 60]  # per key and answer: one row each
    assert len([r for r in rows if r.action == "api POST"]) == 1  # a write is a row of its own
    assert len(rows) < 10

    # another hour is another row
    busy = max(reads, key=lambda r: r.times)
    key_ref = busy.target
    later = busy.occurred_at.replace(minute=10) + timedelta(hours=1)  # 10 past the next hour
    from newsletter.auth.audit import count_read  # (new with the summaries)

    count_read(Actor(busy.actor), key_ref, 200, later)
    count_read(Actor(busy.actor), key_ref, 200, later + timedelta(minutes=5))
    db.session.commit()
    per_hour = db.session.scalars(
        select(AuditEvent.times)
        .where(AuditEvent.action == "api-read", AuditEvent.target == key_ref)
        .order_by(AuditEvent.id)
    )
    assert list(per_hour) == [60, 2]

    html = log_in(app, editor.email).get(PAGE).get_data(as_text=True)
    assert "60 keer" in html and "lezer gewist" in html  # the erasure is still on page one
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert total < 12

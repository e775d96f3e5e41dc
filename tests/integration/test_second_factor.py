"""Two-factor login (issue 11): enrolment, codes, recovery codes, wrong codes slowed down but
never locked for good, a beheerder's reset, and production refusing a login without it."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from newsletter.auth import accounts, second_factor
from newsletter.auth.audit import Actor
from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.settings import from_env
from tests.factories import EDITOR_PASSWORD
from tests.helpers import form_tokens, https_client

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

SECRET = re.compile(r'data-secret="([A-Z2-7]+)"')


def password_step(app, email: str):
    client = https_client(app)
    data = form_tokens(client, "/beheer/inloggen") | {"email": email, "password": EDITOR_PASSWORD}
    answer = client.post("/beheer/inloggen", data=data)
    assert answer.status_code == 303
    return client, answer.headers["Location"]


def enrol(client) -> tuple[str, str, list[str]]:
    """Scan the QR code (read its secret), type the app's code; the recovery codes come back."""
    page = client.get("/beheer/tweestaps").get_data(as_text=True)
    assert "<svg" in page and "QR-code voor je authenticator-app" in page
    secret = SECRET.search(page).group(1)
    typed = pyotp.TOTP(secret).now()
    answer = client.post(
        "/beheer/tweestaps", data=form_tokens(client, "/beheer/tweestaps") | {"code": typed}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", answer.get_data(True))
    return secret, typed, codes


def test_enrol_then_log_in_with_a_code_and_with_a_recovery_code_once(app, db, editor, settings):
    settings(require_second_factor=True)
    client, step = password_step(app, editor.email)
    assert step.endswith("/beheer/tweestaps")
    assert client.get("/beheer/").status_code == 302  # a right password alone opens nothing
    secret, typed, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/beheer/").status_code == 200  # enrolled: logged in
    db.session.refresh(editor)
    assert editor.totp_secret == secret
    stored = db.session.scalars(select(second_factor.RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)

    client, step = password_step(app, editor.email)
    assert step.endswith("/beheer/inloggen/code")
    assert client.get("/beheer/").status_code == 302
    # the code just typed at enrolment does not count a second time (the same string, not the
    # app's code of "now": a 30 s step may have passed since, and that new code is rightly valid)
    data = form_tokens(client, "/beheer/inloggen/code") | {"code": typed}
    answer = client.post("/beheer/inloggen/code", data=data)
    assert answer.status_code == 422 and "klopt niet" in answer.get_data(as_text=True)

    data = form_tokens(client, "/beheer/inloggen/code") | {"code": codes[0].upper()}
    assert client.post("/beheer/inloggen/code", data=data).status_code == 303
    assert client.get("/beheer/").status_code == 200
    assert second_factor.recovery_codes_left(editor) == 9

    again, _ = password_step(app, editor.email)
    data = form_tokens(again, "/beheer/inloggen/code") | {"code": codes[0]}
    assert again.post("/beheer/inloggen/code", data=data).status_code == 422  # used up
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"2fa-enrolled", "recovery-code-used", "2fa-failed", "login"} <= actions


def test_twenty_wrong_codes_are_slowed_down_and_audited_but_never_lock_for_good(
    app, db, editor, monkeypatch
):
    secret = pyotp.random_base32()
    second_factor.enrol(editor, secret, pyotp.TOTP(secret).now(), Actor(editor.email, editor.id))
    start = utcnow() + timedelta(minutes=2)  # past the step used at enrolment
    answers = []
    for attempt in range(20):
        try:
            second_factor.verify(editor, "000000", now=start + timedelta(seconds=attempt))
        except second_factor.CodeError as exc:
            answers.append(str(exc))
    assert len(answers) == 20
    assert sum("klopt niet" in a for a in answers) == 5  # five free tries, then a wait
    assert all("Te veel foute codes" in a for a in answers[5:])
    # even the right code waits while blocked: guessing gains nothing
    blocked = start + timedelta(seconds=21)
    with pytest.raises(second_factor.CodeError, match="Te veel"):
        second_factor.verify(editor, pyotp.TOTP(secret).at(blocked), now=blocked)
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "2fa-failed")).all()
    assert len(failed) == 21
    # the wait ends (at most 15 minutes): the right code works and the counter starts again
    later = start + timedelta(minutes=16)
    second_factor.verify(editor, pyotp.TOTP(secret).at(later), now=later)
    db.session.refresh(editor)
    assert editor.code_failures == 0 and editor.code_blocked_until is None


def test_the_code_page_is_rate_limited_per_client_too(app, db, editor):
    secret = pyotp.random_base32()
    second_factor.enrol(editor, secret, pyotp.TOTP(secret).now(), Actor(editor.email, editor.id))
    client, _ = password_step(app, editor.email)
    data = form_tokens(client, "/beheer/inloggen/code") | {"code": "123456"}
    statuses = [client.post("/beheer/inloggen/code", data=data).status_code for _ in range(12)]
    assert statuses[:10] == [422] * 10 and 429 in statuses[10:]


def test_production_refuses_a_login_without_a_second_factor(app, db, editor, settings):
    production = from_env(
        {
            "NEWSLETTER_ENV": "production",
            "DATABASE_URL": "postgresql://x@db/x",
            "REDIS_URL": "redis://r:6379/0",
            "SMTP_URL": "smtp://relay:25",
            "MAIL_FROM": "OVER het ravijn <nb@vng.example>",
            "BASE_URL": "https://ravijn.vng.example",
            "SECRET_KEYS": "k8Jq2vN5xW1zL7mP4rT9yB3cF6hD0gS2aE5uI8oK",
            "SUPPRESSION_KEY": "Zr4Xq8Wm2Vn6Bt0Yc3Ud7Ke1Lf5Gh9Jp2Aa4Ss6D",
            "REQUIRE_2FA": "off",  # not an option in production
        }
    )
    assert production.require_second_factor
    settings(require_second_factor=production.require_second_factor)
    client, step = password_step(app, editor.email)
    assert step.endswith("/beheer/tweestaps")
    for url in ("/beheer/", "/beheer/lezers/", "/beheer/edities/nieuw"):
        assert client.get(url).status_code == 302, url
    assert "/beheer/inloggen" in client.get("/beheer/").headers["Location"]
    assert "login" not in db.session.scalars(select(AuditEvent.action)).all()


def test_a_session_from_before_2fa_was_required_ends(app, db, editor, editor_client, settings):
    assert editor_client.get("/beheer/").status_code == 200
    settings(require_second_factor=True)
    assert editor_client.get("/beheer/").status_code == 302


def test_a_beheerder_resets_the_second_factor_on_the_page_and_the_cli(app, db, editor, settings):
    settings(require_second_factor=True)
    writer = accounts.create_editor("schrijver@vng.example", EDITOR_PASSWORD, roles=("redacteur",))
    client, _ = password_step(app, writer.email)
    enrol(client)
    assert client.get("/beheer/").status_code == 200
    boss, _ = password_step(app, editor.email)
    enrol(boss)
    page = boss.get("/beheer/redacteuren/").get_data(as_text=True)
    assert "schrijver@vng.example" in page and "Tweestapsverificatie wissen" in page
    data = form_tokens(boss, "/beheer/redacteuren/") | {"actie": "tweestaps"}
    assert boss.post(f"/beheer/redacteuren/{writer.id}/actie", data=data).status_code == 303
    assert client.get("/beheer/").status_code == 302  # every session of the writer ended
    db.session.refresh(writer)
    assert not writer.has_second_factor
    assert second_factor.recovery_codes_left(writer) == 0
    _, step = password_step(app, writer.email)
    assert step.endswith("/beheer/tweestaps")  # enrols again

    client, _ = password_step(app, writer.email)
    enrol(client)
    result = app.test_cli_runner().invoke(args=["editors", "reset-2fa", writer.email])
    assert result.exit_code == 0, result.output
    assert "gewist" in result.output
    db.session.expire_all()
    assert not accounts.by_email(writer.email).has_second_factor
    resets = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "2fa-reset").order_by(AuditEvent.id)
    ).all()
    assert [r.actor for r in resets] == [editor.email, "opdrachtregel"]


def _readable_cookie(app, client) -> str:
    """The session cookie as anyone who sees it can read it: base64 (and zlib), no key."""
    import base64
    import zlib

    raw = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    compressed = raw.startswith(".")
    payload = raw.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if compressed else data).decode()


def test_the_enrolment_secret_stays_on_the_server_not_in_the_cookie(app, db, editor, settings):
    settings(require_second_factor=True)
    client, _ = password_step(app, editor.email)
    page = client.get("/beheer/tweestaps").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    readable = _readable_cookie(app, client)
    assert "pending" in readable  # it is the session (the half-way login is in it)
    assert secret not in readable and secret.lower() not in readable.lower()
    # the same secret on a second look, so a scanned code stays good until it is proven
    again = client.get("/beheer/tweestaps").get_data(as_text=True)
    assert SECRET.search(again).group(1) == secret
    # another browser of the same editor gets a secret of its own
    other, _ = password_step(app, editor.email)
    theirs = SECRET.search(other.get("/beheer/tweestaps").get_data(as_text=True)).group(1)
    assert theirs != secret
    typed = pyotp.TOTP(secret).now()
    answer = client.post(
        "/beheer/tweestaps", data=form_tokens(client, "/beheer/tweestaps") | {"code": typed}
    )
    assert answer.status_code == 200
    db.session.refresh(editor)
    assert editor.totp_secret == secret
    assert secret not in _readable_cookie(app, client)
    from newsletter.auth.models import TotpEnrolment

    assert db.session.scalar(select(TotpEnrolment.id)) is None  # nothing waits any more

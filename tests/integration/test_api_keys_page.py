"""/beheer/api-sleutels: beheerders make API keys on a page (the secret shown once, in the
answer to the form, never cached, never in a list), revoke them with a confirmation step, and
get Dutch messages for bad input; other editors get 403, strangers the login page."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.api.models import ApiKey
from newsletter.auth import accounts
from newsletter.auth.audit import CLI
from newsletter.auth.models import AuditEvent
from tests.factories import EDITOR_PASSWORD
from tests.helpers import form_tokens, https_client
from tests.integration.test_editor_sessions import log_in

PAGE = "/beheer/api-sleutels/"
SECRET = re.compile(r"rvn_[0-9a-f]{12}_[A-Za-z0-9_\-]{20,}")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ONCE = "Kopieer deze sleutel nu; je ziet hem hierna nooit meer"


def make_on_page(client, name="CRM-koppeling", scopes=("readers:read",), days="30"):
    data = form_tokens(client, PAGE) | {
        "nieuw-name": name,
        "nieuw-scopes": list(scopes),
        "nieuw-days": days,
    }
    return client.post(PAGE, data=data)


def bearer(client, path: str, secret: str):
    return client.get(path, headers={"Authorization": f"Bearer {secret}"})


def test_a_new_key_is_shown_once_and_works_with_its_rights_only(app, db, editor):
    boss = log_in(app, editor.email)
    page = boss.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Er zijn nog geen sleutels." in html
    for scope, words in keys.SCOPES.items():  # every right as a tick-box, in words
        assert f'value="{scope}"' in html and words[1:] in html
    assert 'value="365"' in html  # a sensible default validity

    answer = make_on_page(boss, scopes=("readers:read",))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    assert ONCE in html
    [secret] = set(SECRET.findall(html))
    row = db.session.scalars(select(ApiKey)).one()
    assert secret.startswith(f"rvn_{row.prefix}_") and secret not in row.secret_hash
    assert row.name == "CRM-koppeling" and row.scopes == "readers:read"

    # the secret lives in that one answer: not in the session cookie, not in a flash message
    assert secret not in boss.get_cookie("session").value
    assert secret not in boss.get("/beheer/").get_data(as_text=True)

    api = app.test_client()
    assert bearer(api, "/api/v1/readers", secret).status_code == 200
    refused = bearer(api, "/api/v1/reach", secret)  # stats:read was not ticked
    assert refused.status_code == 403 and refused.get_json()["scope"] == "stats:read"

    made = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api-key create"))
    [event] = made.all()
    assert event.actor == editor.email and event.editor_id == editor.id
    assert secret not in f"{event.target}{event.detail}"


def test_the_list_shows_names_rights_and_dates_but_never_a_secret(app, db, editor):
    boss = log_in(app, editor.email)
    html = make_on_page(boss, "Relatiebeheer", ("readers:read", "stats:read"), "90").get_data(
        as_text=True
    )
    [secret] = set(SECRET.findall(html))
    bearer(app.test_client(), "/api/v1/reach", secret)  # used once
    old = keys.create("Oude koppeling", ["editions:read"], 30, CLI)
    keys.revoke(old.key.id, CLI)

    listed = boss.get(PAGE)
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert secret not in html and old.secret not in html
    assert not SECRET.search(html)
    db.session.expire_all()
    key = db.session.scalars(select(ApiKey).where(ApiKey.name == "Relatiebeheer")).one()
    assert f"rvn_{key.prefix}_…" in html  # the public part, to tell keys apart
    assert key.secret_hash not in html
    for words in ("lezers opvragen", "bereik per gemeente en provincie opvragen"):
        assert words in html
    assert "Ingetrokken" in html and "Werkt tot" in html and "Nog nooit" in html
    used = key.last_used_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    assert f"<dt>Laatst gebruikt</dt>\n    <dd>{used}</dd>" in html
    assert html.count("Intrekken…") == 1  # the revoked key has no button any more


def test_revoking_on_the_page_makes_the_key_fail_with_401(app, db, editor):
    made = keys.create("CRM", ["readers:read"], 30, CLI)
    api = app.test_client()
    assert bearer(api, "/api/v1/readers", made.secret).status_code == 200
    boss = log_in(app, editor.email)
    url = f"/beheer/api-sleutels/{made.key.id}/intrekken"
    assert f'href="{url}"' in boss.get(PAGE).get_data(as_text=True)

    confirm = boss.get(url)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "‘CRM’" in html and "Ja, trek deze sleutel in" in html
    assert bearer(api, "/api/v1/readers", made.secret).status_code == 200  # asking is not doing

    answer = boss.post(url, data=form_tokens(boss, url))
    assert answer.status_code == 303 and answer.headers["Location"].endswith(PAGE)
    listed = boss.get(PAGE).get_data(as_text=True)
    assert "De sleutel ‘CRM’ is ingetrokken." in listed and "Ingetrokken" in listed
    refused = bearer(api, "/api/v1/readers", made.secret)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "api-key revoke" in actions

    again = boss.post(url, data=form_tokens(boss, url), follow_redirects=True)
    assert "al ingetrokken" in again.get_data(as_text=True)
    assert boss.get("/beheer/api-sleutels/999999/intrekken").status_code == 404


def test_only_beheerders_reach_the_page(app, db, editor):
    made = keys.create("CRM", ["readers:read"], 30, CLI)
    accounts.create_editor(
        "eind@vng.example", EDITOR_PASSWORD, roles=("redacteur", "eindredacteur")
    )
    other = log_in(app, "eind@vng.example")
    url = f"/beheer/api-sleutels/{made.key.id}/intrekken"
    assert other.get(PAGE).status_code == 403
    assert other.get(url).status_code == 403
    token = form_tokens(other, "/beheer/")
    data = token | {"nieuw-name": "Stiekem", "nieuw-scopes": ["readers:write"], "nieuw-days": "9"}
    assert other.post(PAGE, data=data).status_code == 403
    assert other.post(url, data=token).status_code == 403
    assert "Koppelingen" not in other.get("/beheer/").get_data(as_text=True)
    db.session.expire_all()
    assert [k.name for k in keys.all_keys()] == ["CRM"] and made.key.revoked_at is None

    stranger = https_client(app)
    for answer in (stranger.get(PAGE), stranger.get(url)):
        assert answer.status_code == 302
        assert "/beheer/inloggen" in answer.headers["Location"]

    boss = log_in(app, editor.email)
    assert 'href="/beheer/api-sleutels/"' in boss.get("/beheer/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "scopes", "days", "message"),
    [
        ("   ", ["readers:read"], "30", "Geef de sleutel een naam"),
        ("CRM", [], "30", "Kies minstens één recht."),
        ("CRM", ["readers:read"], "veel", "Vul een heel aantal dagen in"),
        ("CRM", ["readers:read"], "", "Vul een heel aantal dagen in"),
        ("CRM", ["readers:read"], "0", "Een sleutel geldt 1 tot 730 dagen."),
        ("CRM", ["readers:read"], "731", "Een sleutel geldt 1 tot 730 dagen."),
        ("x" * 81, ["readers:read"], "30", "hoogstens 80 tekens"),
        # no tick-box sends this: keys.create refuses it, and the page says why
        ("CRM", ["readers:read", "alles"], "30", "onbekend: alles"),
    ],
)
def test_bad_input_gives_a_dutch_message_and_422(app, db, editor, name, scopes, days, message):
    boss = log_in(app, editor.email)
    answer = make_on_page(boss, name, scopes, days)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Nog niet alles is goed ingevuld" in html and message in html
    assert ONCE not in html and not SECRET.search(html)
    assert keys.all_keys() == []


def test_without_the_csrf_token_nothing_is_made_or_revoked(app, db, editor):
    made = keys.create("CRM", ["readers:read"], 30, CLI)
    boss = log_in(app, editor.email)
    data = {"nieuw-name": "Zonder token", "nieuw-scopes": ["readers:read"], "nieuw-days": "30"}
    assert boss.post(PAGE, data=data).status_code == 400
    assert boss.post(PAGE, data=data | {"csrf_token": "vervalst"}).status_code == 400
    url = f"/beheer/api-sleutels/{made.key.id}/intrekken"
    assert boss.post(url, data={}).status_code == 400
    db.session.expire_all()
    assert [k.name for k in keys.all_keys()] == ["CRM"]
    assert bearer(app.test_client(), "/api/v1/readers", made.secret).status_code == 200

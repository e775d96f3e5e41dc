"""Single sign-on (issue 31, acceptances 1 and 4): tokens that must be refused (wrong nonce,
state, audience, issuer, signature), key rotation, the provider's back-channel logout ending
the session, and password login in production limited to the break-glass account."""

from __future__ import annotations

import dataclasses
import time
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from newsletter.auth.models import AuditEvent, SsoSession
from newsletter.auth.sso.client import TOKEN_ERRORS, client
from tests.helpers import form_tokens, wait_until
from tests.oidc import CLIENT_ID, Browser

STRANGER = RSAKey.generate_key(2048, {"kid": "eerste"})  # the provider's key id, not its key


def signed(key: RSAKey, **claims: object) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def id_token_claims(provider, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "anna",
        "iat": now,
        "exp": now + 300,
        "nonce": "de-nonce-van-deze-login",
        "amr": ["pwd", "mfa"],
    }
    return claims | changes


def check(sso, token: str):
    """What the callback does with the token endpoint's answer (Authlib's ID token checks)."""
    return client(sso).parse_id_token(
        {"id_token": token, "access_token": "x"}, nonce="de-nonce-van-deze-login"
    )


def test_a_token_signed_by_the_provider_with_the_right_claims_passes(sso, oidc_provider):
    claims = check(sso, signed(oidc_provider.key, **id_token_claims(oidc_provider)))
    assert claims["sub"] == "anna"  # so the refusals below are for their one wrong claim


@pytest.mark.parametrize(
    "wrong",
    [
        {"nonce": "een-andere-nonce"},
        {"aud": "een-andere-app"},
        {"iss": "https://login.example/nep"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["nonce", "audience", "issuer", "expired"],
)
def test_a_token_with_one_wrong_claim_is_refused(sso, oidc_provider, wrong):
    with pytest.raises(TOKEN_ERRORS):
        check(sso, signed(oidc_provider.key, **id_token_claims(oidc_provider, **wrong)))


def test_a_token_signed_by_another_key_is_refused(sso, oidc_provider):
    with pytest.raises(TOKEN_ERRORS):
        check(sso, signed(STRANGER, **id_token_claims(oidc_provider)))
    newcomer = RSAKey.generate_key(2048, {"kid": "onbekend"})  # fetched again, still unknown
    with pytest.raises(TOKEN_ERRORS):
        check(sso, signed(newcomer, **id_token_claims(oidc_provider)))


def test_a_new_provider_key_is_fetched_when_a_token_names_it(sso, oidc_provider):
    check(sso, signed(oidc_provider.key, **id_token_claims(oidc_provider)))  # keys cached
    oidc_provider.rotate()  # a new signing key, published next to the old one
    assert check(sso, signed(oidc_provider.key, **id_token_claims(oidc_provider)))["sub"] == "anna"


def test_a_changed_nonce_in_the_real_flow_is_refused(client, db, sso, oidc_provider):
    start = client.get("/beheer/sso/inloggen").headers["Location"]
    parts = urlsplit(start)
    query = "&".join(
        "nonce=ingespoten" if p.startswith("nonce=") else p for p in parts.query.split("&")
    )
    with Browser(oidc_provider) as browser:
        back = urlsplit(browser.login(parts._replace(query=query).geturl(), "anna"))
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 400
    assert "niet gelukt" in answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302


def test_a_callback_with_another_state_is_refused(client, db, sso, oidc_provider):
    start = client.get("/beheer/sso/inloggen").headers["Location"]
    with Browser(oidc_provider) as browser:
        back = urlsplit(browser.login(start, "anna"))
    forged = "&".join(
        "state=van-een-ander" if p.startswith("state=") else p for p in back.query.split("&")
    )
    assert client.get(f"{back.path}?{forged}").status_code == 400
    assert client.get("/beheer/").status_code == 302


def sso_session(client, provider, account: str, browser: Browser) -> None:
    start = client.get("/beheer/sso/inloggen")
    back = urlsplit(browser.login(start.headers["Location"], account))
    assert client.get(f"{back.path}?{back.query}").status_code == 303
    assert client.get("/beheer/").status_code == 200


def ended(db) -> bool:
    db.session.rollback()  # a fresh look, as the next request has
    return db.session.scalar(select(SsoSession.ended_at)) is not None


def test_the_providers_back_channel_logout_ends_the_session(client, db, sso, oidc_provider):
    with Browser(oidc_provider) as browser:
        sso_session(client, oidc_provider, "anna", browser)
        browser.end_session()  # logged out at the provider: it posts to /beheer/sso/uitgelogd
    wait_until(lambda: ended(db), 10, lambda: f"the back-channel logout: {oidc_provider.log()}")
    assert client.get("/beheer/").status_code == 302
    logged = db.session.scalars(select(AuditEvent.action)).all()
    assert "sso-logout" in logged


def logout_token(provider, key: RSAKey | None = None, **changes: object) -> str:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "anna",
        "iat": now,
        "exp": now + 120,
        "jti": f"logout-{now}",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    } | changes
    return signed(key or provider.key, **claims)


@pytest.mark.parametrize(
    "forged",
    [
        {"key": STRANGER},
        {"aud": "een-andere-app"},
        {"iss": "https://login.example/nep"},
        {"events": {}},
        {"nonce": "een logout-token heeft geen nonce"},
        {"jti": None},
    ],
    ids=["signature", "audience", "issuer", "event", "nonce", "jti"],
)
def test_a_forged_logout_token_is_refused_and_ends_nothing(client, db, sso, oidc_provider, forged):
    with Browser(oidc_provider) as browser:
        sso_session(client, oidc_provider, "anna", browser)
    answer = client.post(
        "/beheer/sso/uitgelogd", data={"logout_token": logout_token(oidc_provider, **forged)}
    )
    assert answer.status_code == 400
    assert client.get("/beheer/").status_code == 200


def test_a_logout_token_for_the_subject_ends_all_their_sessions(client, db, sso, oidc_provider):
    with Browser(oidc_provider) as browser:
        sso_session(client, oidc_provider, "anna", browser)
    token = logout_token(oidc_provider)
    answer = client.post("/beheer/sso/uitgelogd", data={"logout_token": token})
    assert answer.status_code == 200
    assert client.get("/beheer/").status_code == 302
    # the same token again counts for nothing (it would end the sessions of a new login)
    assert client.post("/beheer/sso/uitgelogd", data={"logout_token": token}).status_code == 400


def test_production_with_sso_takes_passwords_only_from_the_break_glass_account(
    client, app, db, sso, settings
):
    from newsletter.auth import accounts, second_factor
    from newsletter.auth.audit import Actor
    from tests.factories import EDITOR_PASSWORD
    from tests.integration.test_single_sign_on import another_client

    settings(
        env="production",
        require_second_factor=True,
        sso=dataclasses.replace(sso, break_glass="nood@vng.example"),
    )
    accounts.create_editor("redactie@vng.example", EDITOR_PASSWORD, roles=("beheerder",))
    nood = accounts.create_editor("nood@vng.example", EDITOR_PASSWORD, roles=("beheerder",))
    import pyotp

    secret = pyotp.random_base32()
    codes = second_factor.enrol(nood, secret, pyotp.TOTP(secret).now(), Actor(nood.email, nood.id))
    db.session.commit()

    page = client.get("/beheer/inloggen").get_data(as_text=True)
    assert "alleen met het noodaccount" in page
    data = form_tokens(client, "/beheer/inloggen")
    refused = client.post(
        "/beheer/inloggen",
        data=data | {"email": "redactie@vng.example", "password": EDITOR_PASSWORD},
    )
    assert refused.status_code == 422
    assert "Log in met je VNG-account" in refused.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302

    glass = another_client(app)
    data = form_tokens(glass, "/beheer/inloggen")
    step = glass.post(
        "/beheer/inloggen", data=data | {"email": "nood@vng.example", "password": EDITOR_PASSWORD}
    )
    assert step.status_code == 303 and step.headers["Location"].endswith("/beheer/inloggen/code")
    assert glass.get("/beheer/").status_code == 302  # the password alone opens nothing
    code = glass.post(
        "/beheer/inloggen/code",
        data=form_tokens(glass, "/beheer/inloggen/code") | {"code": codes[0]},
    )
    assert code.status_code == 303
    assert glass.get("/beheer/").status_code == 200
    logged = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "login-refused" in logged and logged[-1] == "break-glass"


def test_the_nonce_and_pkce_verifier_stay_on_the_server(client, app, db, sso, oidc_provider):
    start = client.get("/beheer/sso/inloggen").headers["Location"]
    nonce = next(p[6:] for p in urlsplit(start).query.split("&") if p.startswith("nonce="))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    readable = str(app.session_interface.get_signing_serializer(app).loads(cookie))
    assert "_state_vng_" in readable  # the state's key is there…
    assert nonce not in readable and "code_verifier" not in readable  # …its secrets are not

"""Single sign-on (issue 31, acceptance 1) against a real OpenID Connect provider on this
machine (tests/oidc: oidc-provider): login, roles from groups at every login, no role, the
provider's second factor, and the refused login's messages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from newsletter.auth.models import AuditEvent, Editor
from tests.oidc import Browser


def sso_login(client, provider, account: str):
    """Click "Inloggen met je VNG-account", log in at the provider, come back: the answer."""
    start = client.get("/beheer/sso/inloggen")
    assert start.status_code == 302
    with Browser(provider) as browser:
        back = urlsplit(browser.login(start.headers["Location"], account))
    assert back.netloc == "ravijn.example"
    return client.get(f"{back.path}?{back.query}")


def another_client(app):
    """A second browser (https, like the `client` fixture)."""
    other = app.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    other.environ_base["HTTP_REFERER"] = "https://localhost/beheer/inloggen"
    return other


def actions(db) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(row.action, row.target, row.detail) for row in rows]


def test_the_login_page_offers_the_vng_account(client, sso):
    page = client.get("/beheer/inloggen").get_data(as_text=True)
    assert "Inloggen met je VNG-account" in page


def test_first_login_makes_the_account_with_roles_from_groups(
    client, db, sso, oidc_provider, settings
):
    settings(require_second_factor=True)  # the provider's second factor stands in for TOTP
    answer = sso_login(client, oidc_provider, "anna")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 200
    anna = db.session.scalar(select(Editor).where(Editor.email == "anna.jansen@vng.example"))
    assert (anna.name, anna.roles, anna.sso_subject) == ("Anna Jansen", "redacteur", "anna")
    assert not anna.has_second_factor
    assert client.get("/beheer/redacteuren/").status_code == 403  # a redacteur only
    done = actions(db)
    assert ("editor-created", "anna.jansen@vng.example", "via VNG-account") in done
    assert ("sso-login", "beheer", "redacteur") in done


def test_a_removed_group_takes_the_role_away_at_the_next_login(client, app, db, sso, oidc_provider):
    assert sso_login(client, oidc_provider, "bert").status_code == 303
    bert = db.session.scalar(select(Editor).where(Editor.sso_subject == "bert"))
    assert bert.roles == "eindredacteur,beheerder"
    assert client.get("/beheer/redacteuren/").status_code == 200

    people = {"bert": {"email": "bert@vng.example", "name": "Bert Bos", "groups": ["g-eind"]}}
    oidc_provider.set_accounts(people)  # IT moved Bert out of the beheerders' group
    later = another_client(app)
    assert sso_login(later, oidc_provider, "bert").status_code == 303
    db.session.refresh(bert)
    assert bert.roles == "eindredacteur"
    assert later.get("/beheer/redacteuren/").status_code == 403
    # the session from before the change ended with it
    assert client.get("/beheer/redacteuren/").status_code == 302
    assert (
        "roles-changed",
        "bert@vng.example",
        "volgens VNG-account: eindredacteur",
    ) in actions(db)


def test_without_a_mapped_role_a_page_says_whom_to_ask(client, db, sso, oidc_provider):
    answer = sso_login(client, oidc_provider, "chris")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "Je hebt nog geen toegang" in page and "servicedesk@vng.example" in page
    assert db.session.scalar(select(Editor).where(Editor.email == "chris@vng.example")) is None
    assert client.get("/beheer/").status_code == 302  # not logged in
    assert ("sso-no-role", "chris@vng.example", "") in actions(db)


def test_a_leaver_out_of_every_group_loses_all_roles(client, app, db, sso, oidc_provider):
    assert sso_login(client, oidc_provider, "anna").status_code == 303
    oidc_provider.set_accounts({"anna": {"email": "anna.jansen@vng.example", "groups": []}})
    again = another_client(app)
    assert sso_login(again, oidc_provider, "anna").status_code == 403
    anna = db.session.scalar(select(Editor).where(Editor.sso_subject == "anna"))
    db.session.refresh(anna)
    assert anna.roles == ""
    assert client.get("/beheer/").status_code == 302  # her open session ended too


def test_a_login_without_a_second_factor_is_refused(client, db, sso, oidc_provider):
    answer = sso_login(client, oidc_provider, "dirk")
    assert answer.status_code == 403
    assert "zonder tweede stap" in answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302
    assert db.session.scalar(select(Editor).where(Editor.email == "dirk@vng.example")) is None
    assert ("sso-refused", "dirk@vng.example") in [a[:2] for a in actions(db)]


def test_a_configured_acr_counts_as_the_second_factor(client, db, sso, oidc_provider, settings):
    import dataclasses

    people = {"dirk": {"email": "dirk@vng.example", "groups": ["g-redactie"], "mfa": False}}
    people["dirk"]["acr"] = "urn:vng:loa:substantieel"
    oidc_provider.set_accounts(people)
    assert sso_login(client, oidc_provider, "dirk").status_code == 403  # acr not accepted yet
    settings(sso=dataclasses.replace(sso, acr_values=("urn:vng:loa:substantieel",)))
    again = another_client(client.application)
    assert sso_login(again, oidc_provider, "dirk").status_code == 303


def test_a_disabled_editor_cannot_come_back_through_sso(client, app, db, sso, oidc_provider):
    from newsletter.auth import accounts

    assert sso_login(client, oidc_provider, "anna").status_code == 303
    accounts.create_editor("baas@vng.example", "een lang en goed wachtwoord", roles=("beheerder",))
    accounts.disable("anna.jansen@vng.example")
    assert client.get("/beheer/").status_code == 302
    again = another_client(app)
    answer = sso_login(again, oidc_provider, "anna")
    assert answer.status_code == 403 and "uitgeschakeld" in answer.get_data(as_text=True)


def test_an_sso_account_cannot_log_in_with_a_password(client, db, sso, oidc_provider):
    from newsletter.auth import accounts
    from tests.helpers import form_tokens

    assert sso_login(client, oidc_provider, "anna").status_code == 303
    accounts.reset_password("anna.jansen@vng.example", "een lang en goed wachtwoord")
    other = another_client(client.application)
    data = form_tokens(other, "/beheer/inloggen") | {
        "email": "anna.jansen@vng.example",
        "password": "een lang en goed wachtwoord",
    }
    assert other.post("/beheer/inloggen", data=data).status_code == 422


def test_an_api_key_stops_when_its_maker_loses_the_role_at_the_provider(
    client, app, db, sso, oidc_provider
):
    from newsletter.api import keys
    from newsletter.auth.audit import Actor

    assert sso_login(client, oidc_provider, "bert").status_code == 303
    bert = db.session.scalar(select(Editor).where(Editor.sso_subject == "bert"))
    made = keys.create("CRM", [next(iter(keys.SCOPES))], 30, Actor(bert.email, bert.id))
    assert keys.authenticate(made.secret) is not None
    oidc_provider.set_accounts({"bert": {"email": "bert@vng.example", "groups": ["g-eind"]}})
    assert sso_login(another_client(app), oidc_provider, "bert").status_code == 303
    assert keys.authenticate(made.secret) is None


def test_doctor_checks_the_issuers_discovery_document(app, db, sink, sso, settings):
    import dataclasses

    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert f"sso: ok ({sso.issuer})" in result.output
    from newsletter.dev.sink import free_port

    settings(sso=dataclasses.replace(sso, issuer=f"http://127.0.0.1:{free_port()}"))
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "sso: FAILED" in result.output and "openid-configuration" in result.output


def test_a_beheerder_can_still_end_an_sso_persons_sessions(client, db, sso, oidc_provider):
    from newsletter.auth import accounts

    assert sso_login(client, oidc_provider, "anna").status_code == 303
    assert client.get("/beheer/").status_code == 200
    accounts.log_out_everywhere("anna.jansen@vng.example")
    assert client.get("/beheer/").status_code == 302


def test_an_sso_session_never_outlives_the_maximum(
    client, db, sso, oidc_provider, settings, monkeypatch
):
    import time

    from newsletter.auth import sessions

    settings(session_idle_minutes=100_000, session_max_hours=12)
    assert sso_login(client, oidc_provider, "anna").status_code == 303
    started = time.time()
    monkeypatch.setattr(sessions, "now", lambda: started + 11 * 3600)
    assert client.get("/beheer/").status_code == 200
    monkeypatch.setattr(sessions, "now", lambda: started + 12 * 3600 + 1)
    assert client.get("/beheer/").status_code == 302


def test_a_new_address_at_the_provider_follows_at_the_next_login(
    client, app, db, sso, oidc_provider
):
    assert sso_login(client, oidc_provider, "anna").status_code == 303
    oidc_provider.set_accounts(
        {"anna": {"email": "anna.devries@vng.example", "groups": ["g-redactie"]}}
    )
    assert sso_login(another_client(app), oidc_provider, "anna").status_code == 303
    anna = db.session.scalar(select(Editor).where(Editor.sso_subject == "anna"))
    db.session.refresh(anna)
    assert anna.email == "anna.devries@vng.example"
    assert ("sso-address", "anna.jansen@vng.example", "nu anna.devries@vng.example") in actions(db)


def test_the_editors_page_says_an_sso_persons_roles_come_from_vng(
    client, app, db, sso, oidc_provider
):
    assert sso_login(client, oidc_provider, "bert").status_code == 303  # a beheerder
    assert sso_login(another_client(app), oidc_provider, "anna").status_code == 303
    page = client.get("/beheer/redacteuren/").get_data(as_text=True)
    assert "Met VNG-account" in page and "komen uit de groepen bij VNG" in page
    assert "Rollen opslaan" not in page and "Stuur een wachtwoordlink" not in page


def test_roles_of_an_sso_person_are_not_set_here(client, db, sso, oidc_provider):
    from newsletter.auth import accounts

    assert sso_login(client, oidc_provider, "anna").status_code == 303
    with pytest.raises(accounts.AccountError, match="komen uit de groepen bij VNG"):
        accounts.set_roles("anna.jansen@vng.example", ("beheerder",))


def test_an_unreachable_provider_gets_a_dutch_page_not_an_error(client, db, sso, settings):
    import dataclasses

    from newsletter.dev.sink import free_port

    settings(sso=dataclasses.replace(sso, issuer=f"http://127.0.0.1:{free_port()}"))
    answer = client.get("/beheer/sso/inloggen")
    assert answer.status_code == 503
    assert "De inlogdienst van VNG antwoordt nu niet" in answer.get_data(as_text=True)

"""Editor accounts (issue 11, in part): sessions the server controls, roles, the editors' CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from newsletter.auth import accounts, sessions
from newsletter.auth.models import AuditEvent
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from tests.factories import EDITOR_PASSWORD, SOURCE, put_in_state, subscribers
from tests.helpers import CSRF, form_tokens

REDACTEUR = "schrijver@vng.example"


def log_in(app, email: str, **environ: str):
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", **environ})
    client.environ_base["HTTP_REFERER"] = "https://localhost/beheer/inloggen"
    data = form_tokens(client, "/beheer/inloggen") | {"email": email, "password": EDITOR_PASSWORD}
    assert client.post("/beheer/inloggen", data=data).status_code == 303
    return client


def cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, value: str, **environ: str) -> int:
    """A fresh client that sends an old session cookie: the status of /beheer/."""
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", **environ})
    client.set_cookie("session", value, domain="localhost", secure=True)
    return client.get("/beheer/").status_code


@pytest.mark.parametrize(
    "ending",
    ["logout", "everywhere", "disable", "password"],
)
def test_an_old_session_cookie_opens_nothing_after(app, db, editor, ending):
    client = log_in(app, editor.email)
    stolen = cookie(client)
    assert replay(app, stolen) == 200
    if ending == "logout":
        client.post("/beheer/uitloggen", data=form_tokens(client, "/beheer/"))
    elif ending == "everywhere":
        accounts.log_out_everywhere(editor.email)
    elif ending == "disable":
        accounts.create_editor("tweede@vng.example", EDITOR_PASSWORD + "!", roles=("beheerder",))
        accounts.disable(editor.email)
    else:
        accounts.reset_password(editor.email, "een ander lang wachtwoord")
    assert replay(app, stolen) == 302  # to the login page


def test_idle_and_absolute_timeouts_with_a_test_clock(app, db, editor, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(sessions, "now", lambda: clock[0])
    client = log_in(app, editor.email)
    clock[0] += 29 * 60
    assert client.get("/beheer/").status_code == 200  # active: the idle clock starts again
    clock[0] += 29 * 60
    assert client.get("/beheer/").status_code == 200
    clock[0] += 31 * 60
    assert client.get("/beheer/").status_code == 302  # 31 minutes without a request

    client = log_in(app, editor.email)
    for _ in range(12 * 2 + 1):  # busy all day, a request every half hour minus a minute
        clock[0] += 29 * 60
        status = client.get("/beheer/").status_code
    assert status == 302  # 12 hours after logging in, whatever happened in between


def test_login_gives_a_new_session_and_csrf_token_and_binds_to_no_header(app, db, editor):
    client = app.test_client()
    client.environ_base.update(
        {"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/beheer/inloggen"}
    )
    page = client.get("/beheer/inloggen").get_data(as_text=True)
    before_token, before_cookie = CSRF.search(page).group(1), cookie(client)
    data = {"csrf_token": before_token, "email": editor.email, "password": EDITOR_PASSWORD}
    assert client.post("/beheer/inloggen", data=data).status_code == 303
    after = CSRF.search(client.get("/beheer/edities/nieuw").get_data(as_text=True)).group(1)
    assert after != before_token and cookie(client) != before_cookie
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_USER_AGENT": "Ander/1.0"}
    assert replay(app, cookie(client), **other) == 200


def test_roles_decide_what_an_editor_may_do(app, db, editor, worker, sink):
    accounts.create_editor(REDACTEUR, EDITOR_PASSWORD, roles=("redacteur",))
    subscribers(db, 1)
    edition, _ = editions.create(SOURCE)
    writer = log_in(app, REDACTEUR)
    assert writer.get(f"/beheer/edities/{edition.id}").status_code == 200
    forbidden = [
        f"/beheer/edities/{edition.id}/versturen",
        "/beheer/lezers/lezers.csv",
        "/beheer/lezers/importeren",
    ]
    for url in forbidden:
        answer = writer.get(url)
        assert answer.status_code == 403, url
        assert "Geen toegang" in answer.get_data(as_text=True)
    token = form_tokens(writer, f"/beheer/edities/{edition.id}")
    for url in (f"/beheer/edities/{edition.id}/versturen", "/beheer/lezers/wissen"):
        assert writer.post(url, data=token | {"email": "x@y.example"}).status_code == 403
    boss = log_in(app, editor.email)  # all roles: publishes
    assert boss.get(f"/beheer/edities/{edition.id}/versturen").status_code == 200
    # what is planned to go out is changed only by who may plan it
    put_in_state(db, edition, EditionState.scheduled)
    token = form_tokens(writer, f"/beheer/edities/{edition.id}")
    answer = writer.post(f"/beheer/edities/{edition.id}", data=token | {"source": SOURCE})
    assert answer.status_code == 403


def test_the_editors_cli_and_never_an_account_without_a_beheerder(app, db):
    def run(*args: str, stdin: str | None = None):
        return app.test_cli_runner().invoke(args=["editors", *args], input=stdin)

    made = run(
        "create",
        "baas@vng.example",
        "--roles",
        "beheerder",
        "--password-stdin",
        stdin="een heel goed wachtwoord\n",
    )
    assert made.exit_code == 0 and "(beheerder)" in made.output
    weak = run("create", "zwak@vng.example", "--password-stdin", stdin="welkom123456\n")
    assert weak.exit_code == 1 and "te makkelijk" in weak.output
    bad = run("set-roles", "baas@vng.example", "koning")
    assert bad.exit_code == 2 and "Onbekende rol: koning" in bad.output
    last = run("disable", "baas@vng.example")
    assert last.exit_code == 1 and "geen beheerder meer" in last.output
    assert run("set-roles", "baas@vng.example", "redacteur").exit_code == 1
    assert "baas@vng.example" in run("list").output
    later = run(
        "create", "later@vng.example", "--password-stdin", stdin="nog een goed wachtwoord\n"
    )
    assert later.exit_code == 0 and "(redacteur)" in later.output  # least privilege after the first
    assert (
        run(
            "reset-password",
            "baas@vng.example",
            "--password-stdin",
            stdin="nog een goed wachtwoord\n",
        ).exit_code
        == 0
    )
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"editor-created", "sessions-ended"} <= actions


def test_failed_logins_are_audited_without_what_was_typed(app, db, editor):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.environ_base["HTTP_REFERER"] = "https://localhost/beheer/inloggen"
    data = form_tokens(client, "/beheer/inloggen") | {
        "email": "indringer@x.example",
        "password": "raden raden raden",
    }
    assert client.post("/beheer/inloggen", data=data).status_code == 422
    [failed] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login-failed"))
    assert "indringer" not in failed.target + failed.actor + failed.detail

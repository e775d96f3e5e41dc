"""Single sign-on where it can go wrong (issue 31's follow-ups), against the real provider
(tests/oidc): two first logins of one person at the same moment, "Uitloggen" ending the
provider's session too (RP-initiated logout), and callbacks that are garbled, refused by the
provider, or meet a provider that is down or does not answer: a Dutch page, never a 500."""

from __future__ import annotations

import signal
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from newsletter.auth.models import AuditEvent, Editor
from newsletter.auth.sso import client as sso_client
from newsletter.auth.sso import login
from tests.helpers import form_tokens
from tests.integration.test_single_sign_on import another_client
from tests.oidc import Browser


def to_provider(client, browser: Browser, account: str) -> str:
    """Click the button and log in at the provider: the callback path the browser comes back
    with (not yet called)."""
    start = client.get("/beheer/sso/inloggen")
    assert start.status_code == 302, start.get_data(as_text=True)
    back = urlsplit(browser.login(start.headers["Location"], account))
    assert back.netloc == "ravijn.example"
    return f"{back.path}?{back.query}"


def logged_in(client, browser: Browser, account: str) -> None:
    answer = client.get(to_provider(client, browser, account))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 200


def test_two_first_logins_at_the_same_moment_make_one_account(app, db, sso, oidc_provider):
    """Both callbacks look for the account before either made it (the barrier holds the first
    until the second has looked too): the second insert meets the unique key."""
    first, second = another_client(app), another_client(app)
    with Browser(oidc_provider) as browser:  # one person, two tabs
        paths = [to_provider(first, browser, "anna"), to_provider(second, browser, "anna")]
    both_looked = threading.Barrier(2, timeout=10)
    real_find = login._find

    def find(person, settings):
        found = real_find(person, settings)
        if found is None and not both_looked.broken and both_looked.n_waiting < 2:
            both_looked.wait()
        return found

    answers: dict[int, object] = {}

    def call_back(which: int, tab) -> None:
        try:
            answers[which] = tab.get(paths[which]).status_code
        except Exception as exc:  # the test reports it below
            answers[which] = exc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(login, "_find", find)
        threads = [
            threading.Thread(target=call_back, args=(i, t)) for i, t in enumerate((first, second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a callback hung"
    assert not both_looked.broken, "the two callbacks did not meet: nothing was raced"
    assert answers == {0: 303, 1: 303}
    assert first.get("/beheer/").status_code == 200
    assert second.get("/beheer/").status_code == 200
    db.session.rollback()
    made = db.session.scalars(select(Editor).where(Editor.sso_subject == "anna")).all()
    assert len(made) == 1 and made[0].roles == "redacteur"
    created = select(func.count()).where(AuditEvent.action == "editor-created")
    assert db.session.scalar(created) == 1


def test_logging_out_ends_the_session_at_the_provider_too(client, app, db, sso, oidc_provider):
    with Browser(oidc_provider) as browser:
        logged_in(client, browser, "anna")
        assert browser.prompts == 1
        # while the provider's session lasts, a new login does not ask again (so the check
        # after the logout below can fail)
        logged_in(another_client(app), browser, "anna")
        assert browser.prompts == 1

        out = client.post("/beheer/uitloggen", data=form_tokens(client, "/beheer/"))
        assert out.status_code == 303
        there = urlsplit(out.headers["Location"])
        assert f"{there.scheme}://{there.netloc}" == oidc_provider.issuer
        asked = parse_qs(there.query)
        assert asked["post_logout_redirect_uri"] == ["https://ravijn.example/beheer/inloggen"]
        assert asked["id_token_hint"][0].count(".") == 2  # the login's ID token
        assert client.get("/beheer/").status_code == 302  # ended here at once

        back = browser.end_session(out.headers["Location"])  # "yes, sign me out" there
        assert back == "https://ravijn.example/beheer/inloggen"
        assert "Je bent uitgelogd." in client.get("/beheer/inloggen").get_data(as_text=True)

        logged_in(another_client(app), browser, "anna")
        assert browser.prompts == 2  # the provider asked for the account again


def test_logging_out_after_a_password_login_stays_here(client, db, sso, editor):
    from tests.factories import EDITOR_PASSWORD

    data = form_tokens(client, "/beheer/inloggen")
    logged = client.post(
        "/beheer/inloggen", data=data | {"email": editor.email, "password": EDITOR_PASSWORD}
    )
    assert logged.status_code == 303
    out = client.post("/beheer/uitloggen", data=form_tokens(client, "/beheer/"))
    assert out.status_code == 303 and out.headers["Location"].endswith("/beheer/inloggen")
    assert client.get("/beheer/").status_code == 302


class Paused:
    """The provider's process stopped (SIGSTOP): it takes connections and answers nothing, as
    a provider that hangs does. It goes on (SIGCONT) when the block ends."""

    def __init__(self, provider) -> None:
        self.provider = provider

    def __enter__(self) -> Paused:
        self.provider.process.send_signal(signal.SIGSTOP)
        return self

    def __exit__(self, *exc: object) -> None:
        self.provider.process.send_signal(signal.SIGCONT)


def within(seconds: float, call):
    """call() in a thread; fails when it has not answered after `seconds` (a hung request)."""
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"no answer within {seconds} s: the provider call has no timeout"
    return done[0]


@pytest.fixture
def short_timeout(monkeypatch):
    """New clients (no discovery document cached yet), giving up on the provider after 1 s."""
    monkeypatch.setattr(sso_client, "TIMEOUT", 1)
    monkeypatch.setattr(sso_client, "_clients", {})


def test_a_provider_that_does_not_answer_discovery_gets_a_dutch_page(
    client, db, sso, oidc_provider, short_timeout
):
    with Paused(oidc_provider):
        answer = within(15, lambda: client.get("/beheer/sso/inloggen"))
    assert answer.status_code == 503
    assert "De inlogdienst van VNG antwoordt nu niet" in answer.get_data(as_text=True)


def test_a_token_endpoint_that_does_not_answer_gets_a_dutch_page(
    client, db, sso, oidc_provider, short_timeout
):
    with Browser(oidc_provider) as browser:
        path = to_provider(client, browser, "anna")
    with Paused(oidc_provider):
        answer = within(15, lambda: client.get(path))
    assert answer.status_code == 503
    assert "De inlogdienst van VNG antwoordt nu niet" in answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302


def test_logging_out_while_the_provider_is_down_ends_the_session_here(
    client, app, db, sso, oidc_provider, short_timeout
):
    with Browser(oidc_provider) as browser:
        logged_in(client, browser, "anna")
    sso_client._clients.clear()  # a node that has not read the discovery document yet
    data = form_tokens(client, "/beheer/")
    with Paused(oidc_provider):
        out = within(15, lambda: client.post("/beheer/uitloggen", data=data))
    assert out.status_code == 303 and out.headers["Location"].endswith("/beheer/inloggen")
    page = client.get("/beheer/inloggen").get_data(as_text=True)
    assert "De inlogdienst van VNG antwoordt nu niet" in page
    assert client.get("/beheer/").status_code == 302


def test_a_back_channel_logout_the_keys_cannot_be_fetched_for_is_503_not_500(
    client, db, sso, oidc_provider, short_timeout
):
    with Paused(oidc_provider):
        answer = within(
            15, lambda: client.post("/beheer/sso/uitgelogd", data={"logout_token": "a.b.c"})
        )
    assert answer.status_code == 503
    assert answer.get_json() == {"error": "temporarily_unavailable"}


@pytest.mark.parametrize("token", ["", "geen-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30."], ids=str)
def test_a_garbled_logout_token_is_400(client, db, sso, oidc_provider, token):
    answer = client.post("/beheer/sso/uitgelogd", data={"logout_token": token})
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["", "code=abc", "state=onbekend", "state=onbekend&code=abc", "state=&code=", "state=%ff%fe"],
    ids=["nothing", "code only", "state only", "unknown state", "empty", "garbled"],
)
def test_a_garbled_callback_gets_a_dutch_page(client, db, sso, oidc_provider, query):
    client.get("/beheer/sso/inloggen")  # a login under way: its state is in the session
    answer = client.get(f"/beheer/sso/terug?{query}")
    assert answer.status_code == 400
    assert "Inloggen met je VNG-account is niet gelukt" in answer.get_data(as_text=True)


def test_a_made_up_code_with_the_real_state_gets_a_dutch_page(client, db, sso, oidc_provider):
    with Browser(oidc_provider) as browser:
        path = urlsplit(to_provider(client, browser, "anna"))
    query = {k: v[0] for k, v in parse_qs(path.query).items()}
    answer = client.get(path.path, query_string=query | {"code": "verzonnen"})
    assert answer.status_code == 400
    assert "niet gelukt" in answer.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302


def test_cancelling_at_the_provider_gets_a_dutch_page(client, db, sso, oidc_provider):
    start = client.get("/beheer/sso/inloggen")
    with Browser(oidc_provider) as browser:
        back = urlsplit(browser.login(start.headers["Location"], "anna", cancel=True))
    assert parse_qs(back.query)["error"] == ["access_denied"]  # the provider's own answer
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "Je VNG-account gaf geen toegang, of je hebt het inloggen afgebroken" in page
    assert "servicedesk@vng.example" in page
    assert client.get("/beheer/").status_code == 302


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        ("access_denied", 403, "Je VNG-account gaf geen toegang"),
        ("temporarily_unavailable", 503, "De inlogdienst van VNG antwoordt nu niet"),
        ("login_required", 400, "Inloggen met je VNG-account is niet gelukt"),
        ("<script>x</script>" * 50, 400, "Inloggen met je VNG-account is niet gelukt"),
    ],
    ids=["access_denied", "temporarily_unavailable", "login_required", "garbled"],
)
def test_an_error_from_the_provider_gets_a_dutch_page(client, db, sso, error, status, says):
    start = urlsplit(client.get("/beheer/sso/inloggen").headers["Location"])
    state = parse_qs(start.query)["state"][0]
    answer = client.get(
        "/beheer/sso/terug",
        query_string={"error": error, "error_description": "nee", "state": state},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == status
    assert says in page and "<script>x" not in page
    assert client.get("/beheer/").status_code == 302

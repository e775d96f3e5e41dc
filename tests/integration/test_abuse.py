"""Hostile input and floods: never a 500, never a row changed by a rejected request."""

from __future__ import annotations

import time
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from newsletter.models import ConsentEvent, Subscriber
from newsletter.subscribers.tokens import Purpose, Signer
from tests.factories import make_subscriber
from tests.helpers import form_tokens

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "x\r\nBcc: victim@example.org",
    "<script>alert(1)</script>",
    "'; DROP TABLE subscriber; --",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
    '=HYPERLINK("http://x")',
    "\u202e\u0000\ufeff",
    "😀" * 50,
    "a" * 10_000,
    "é" * 5_000,
    "anna@utrecht.example\n",
    "anna@@utrecht.example",
    "anna@utrecht.example,bob@x.example",
    "\udcff",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    # long input past every limit: a random piece repeated (drawing 10,000 characters one by
    # one costs Hypothesis more time than the request it feeds)
    st.text(min_size=25, max_size=50, alphabet=st.characters(codec="utf-8")).map(lambda t: t * 200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
hostile_email = st.one_of(hostile_text, st.emails().map(lambda e: e + "\r\n"), st.emails())
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
# paused_worker: Dramatiq's consumer threads call `random` in the background, which Hypothesis
# refuses while it draws; the session's worker takes a break during these tests.


def snapshot(db) -> tuple:
    db.session.expire_all()
    subscribers = db.session.execute(
        select(
            Subscriber.id,
            Subscriber.state,
            Subscriber.name,
            Subscriber.gemeente_code,
            Subscriber.role,
            Subscriber.confirm_nonce,
            Subscriber.updated_at,
        )
    ).all()
    events = db.session.scalar(select(func.count()).select_from(ConsentEvent))
    return tuple(sorted(subscribers)), events


def clean(value: str) -> str:
    # a browser cannot send a lone surrogate; werkzeug's client cannot encode it either
    return value.encode("utf-8", "replace").decode("utf-8")


@settings(max_examples=450, deadline=None, suppress_health_check=SUPPRESS)
@given(
    name=hostile_text,
    email=hostile_email,
    gemeente=hostile_text,
    role=hostile_text,
    consent=st.sampled_from(["y", "", "n", "\x00"]),
)
def test_hostile_signup_form(client, db, paused_worker, name, email, gemeente, role, consent):
    data = form_tokens(client, "/aanmelden") | {
        "name": clean(name),
        "email": clean(email),
        "gemeente": clean(gemeente),
        "role": clean(role),
        "consent": consent,
    }
    before = snapshot(db)
    response = client.post("/aanmelden", data=data)
    assert response.status_code < 500
    if response.status_code != 303:
        assert snapshot(db) == before
        assert response.status_code in (400, 413, 422)


@settings(max_examples=350, deadline=None, suppress_health_check=SUPPRESS)
@given(
    token=st.one_of(hostile_text, st.sampled_from(["forged", "expired", "other-purpose"])),
    door=st.sampled_from(["bevestigen", "voorkeuren", "afmelden"]),
    method=st.sampled_from(["GET", "POST", "ONECLICK"]),
)
def test_hostile_token_urls(app, client, db, paused_worker, token, door, method):
    signer = Signer(app.config["SETTINGS"].secret_keys)
    if token == "forged":
        token = Signer(("someone-elses-key-" + "z" * 20,)).dumps(Purpose.preferences, "x")
    elif token == "expired":
        token = signer.dumps(Purpose.confirm, ["x", "y"])
    elif token == "other-purpose":
        token = signer.dumps(Purpose.form_time, int(time.time()))
    path = f"/{door}/" + quote(clean(token), safe="")
    before = snapshot(db)
    if method == "GET":
        response = client.get(path)
    elif method == "POST":
        response = client.post(path, data=form_tokens(client, "/aanmelden"))
    else:
        response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code < 500
    assert snapshot(db) == before


@settings(max_examples=250, deadline=None, suppress_health_check=SUPPRESS)
@given(name=hostile_text, gemeente=hostile_text, role=hostile_text)
def test_hostile_preferences(app, client, db, paused_worker, name, gemeente, role):
    from newsletter.subscribers.models import Role, SubscriberState

    sub = db.session.scalar(select(Subscriber).where(Subscriber.email_key == "p@x.example"))
    if sub is None:
        sub = make_subscriber(
            db,
            "p@x.example",
            name="P",
            gemeente_code="GM0363",
            role=Role.griffier,
            state=SubscriberState.active,
        )
        db.session.commit()
    path = "/voorkeuren/" + Signer(app.config["SETTINGS"].secret_keys).dumps(
        Purpose.preferences, sub.public_id
    )
    data = form_tokens(client, path) | {
        "name": clean(name),
        "gemeente": clean(gemeente),
        "role": clean(role),
    }
    before = snapshot(db)
    response = client.post(path, data=data)
    assert response.status_code < 500
    if response.status_code != 200:
        assert snapshot(db) == before


def test_a_thousand_signups_for_one_address(client, signup_form, worker, sink, db):
    """Acceptance: 1,000 POSTs for one address, at most one mail; known = unknown answers."""
    data = signup_form(email="target@x.example")
    answers = {client.post("/aanmelden", data=data).data for _ in range(1000)}
    unknown = client.post("/aanmelden", data=signup_form(email="someone-new@x.example"))
    answers.add(unknown.data)
    assert len(answers) == 1
    worker.join()
    to_target = [r for r in sink.wait_for(2, timeout=5) if r.recipients == ["target@x.example"]]
    assert len(to_target) == 1
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 2

"""What the API writes (issue 15): readers made with proof of consent or as pending with a
re-permission mail, changed and unsubscribed with the same trail as the pages; an erased
address is refused; drafts from Markdown; scheduling under the four-eyes rule; the archive."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.subscribers.models import ConsentEvent, Subscriber
from tests.factories import SOURCE
from tests.helpers import form_tokens
from tests.integration.test_journey import kinds, sign_up_and_confirm

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

NEW = {
    "email": "Piet.Bakker@Utrecht.example",
    "name": "Piet Bakker",
    "gemeente_code": "GM0344",
    "role": "wethouder",
    "consent": {"date": "2026-11-02", "source": "aanmeldlijst VNG-congres"},
}


def key(*scopes: str) -> dict[str, str]:
    secret = keys.create("CRM", list(scopes or keys.SCOPES), 30, CLI).secret
    return {"Authorization": f"Bearer {secret}"}


def sources(db, subscriber_id: int) -> list[str]:
    rows = db.session.scalars(
        select(ConsentEvent.source)
        .where(ConsentEvent.subscriber_id == subscriber_id)
        .order_by(ConsentEvent.id)
    )
    return [s.value for s in rows]


def test_created_changed_and_unsubscribed_leaves_the_pages_trail(
    client, signup_form, worker, sink, db
):
    # through the pages: sign up, confirm, change details, unsubscribe
    by_pages = sign_up_and_confirm(client, signup_form, sink, db)
    from newsletter.subscribers.links import manage_url, unsubscribe_url

    prefs = urlsplit(manage_url(by_pages.public_id, by_pages.email)).path
    client.post(prefs, data=form_tokens(client, prefs) | {"name": "Anna", "gemeente": "Utrecht",
                                                          "role": "burgemeester"})  # fmt: skip
    unsub = urlsplit(unsubscribe_url(by_pages.public_id)).path
    client.post(unsub, data=form_tokens(client, unsub))

    # through the API: create with proof, change the role, unsubscribe
    headers = key()
    made = client.post("/api/v1/readers", json=NEW, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    reader = made.get_json()
    assert (reader["state"], reader["email"]) == ("active", "Piet.Bakker@utrecht.example")
    changed = client.patch(
        f"/api/v1/readers/{reader['id']}", json={"role": "burgemeester"}, headers=headers
    )
    assert changed.status_code == 200 and changed.get_json()["role"] == "burgemeester"
    gone = client.post(f"/api/v1/readers/{reader['id']}/unsubscribe", headers=headers)
    assert gone.get_json()["state"] == "unsubscribed"

    by_api = db.session.scalar(select(Subscriber).where(Subscriber.public_id == reader["id"]))
    assert kinds(db, by_api.id) == kinds(db, by_pages.id) == [
        "requested", "confirmed", "preferences_changed", "unsubscribed",
    ]  # fmt: skip
    assert set(sources(db, by_api.id)) == {"api"}
    proof = db.session.scalars(
        select(ConsentEvent.detail)
        .where(ConsentEvent.subscriber_id == by_api.id)
        .order_by(ConsentEvent.id)
    ).first()
    assert proof == "bewijs: aanmeldlijst VNG-congres, 2026-11-02"
    goodbyes = [m.message()["Subject"] for m in sink.wait_for(2)]
    assert goodbyes == ["U bent afgemeld voor OVER het ravijn"] * 2  # the same goodbye

    # erased: a later create is refused, whatever proof it brings
    assert client.delete(f"/api/v1/readers/{reader['id']}", headers=headers).status_code == 200
    again = client.post("/api/v1/readers", json=NEW, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert "gewist" in again.get_json()["detail"]
    assert db.session.scalar(select(Subscriber).where(Subscriber.name == "Piet Bakker")) is None


def test_without_proof_the_reader_waits_for_the_re_permission_mail(client, worker, sink, db):
    made = client.post("/api/v1/readers", json=NEW | {"consent": None}, headers=key())
    assert made.status_code == 201 and made.get_json()["state"] == "pending"
    [mail] = sink.wait_for(1)
    assert mail.message()["Subject"] == "Wilt u OVER het ravijn ontvangen? Graag uw bevestiging"
    assert mail.message()["To"] == "Piet.Bakker@utrecht.example"
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.name == "Piet Bakker"))
    assert kinds(db, subscriber.id) == ["requested"]


def test_a_known_address_is_refused_with_its_id_and_nothing_changes(client, db):
    headers = key()
    first = client.post("/api/v1/readers", json=NEW, headers=headers).get_json()
    twice = client.post(
        "/api/v1/readers", json=NEW | {"email": "piet.bakker@utrecht.example", "name": "X"},
        headers=headers,
    )  # fmt: skip
    assert twice.status_code == 409 and twice.get_json()["reader_id"] == first["id"]
    assert client.get(f"/api/v1/readers/{first['id']}", headers=headers).get_json()["name"] == (
        "Piet Bakker"
    )


def test_every_wrong_field_is_named_at_once_in_dutch_and_nothing_is_stored(client, db):
    headers = key()
    bad = {
        "email": "geen adres",
        "name": "a\tb",
        "gemeente_code": "GM9999",
        "role": "koning",
        "consent": {"date": "2999-01-01", "source": ""},
        "extra": 1,
    }
    answer = client.post("/api/v1/readers", json=bad, headers=headers)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert fields == {"email", "name", "gemeente_code", "role", "consent.date",
                      "consent.source", "extra"}  # fmt: skip
    for body in (b"[1, 2]", b"{", b"null", b'"x"'):
        sent = client.post("/api/v1/readers", data=body, headers=headers,
                           content_type="application/json")  # fmt: skip
        assert sent.status_code == 422, body
    patched = client.patch("/api/v1/readers/onbekend", json={"role": "raadslid"}, headers=headers)
    assert patched.status_code == 404
    assert db.session.query(Subscriber).count() == 0
    first = client.post("/api/v1/readers", json=NEW, headers=headers).get_json()
    empty = client.patch(f"/api/v1/readers/{first['id']}", json={}, headers=headers)
    assert empty.status_code == 422 and empty.get_json()["errors"][0]["field"] == "body"


def test_a_draft_from_markdown_with_its_problems_then_four_eyes_on_scheduling(
    client, db, settings, editor
):
    headers = key("editions:write", "editions:read")
    draft = client.post(
        "/api/v1/editions",
        json={"title": "Ravijn", "body": "## Kop\n\nTekst",
              "audience": {"provincies": ["Atlantis"]}},
        headers=headers,
    )  # fmt: skip
    assert draft.status_code == 201, draft.get_data(as_text=True)
    made = draft.get_json()
    assert made["state"] == "draft" and made["problems"]
    assert any("Atlantis" in p["message"] for p in made["problems"])
    refused = client.post(f"/api/v1/editions/{made['id']}/schedule",
                          json={"at": "2099-01-15T09:00:00+01:00"}, headers=headers)  # fmt: skip
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == "De doelgroep klopt niet: Onbekende provincie: Atlantis."

    settings(four_eyes=True)
    good = client.post(
        "/api/v1/editions",
        json={"title": "Goed", "body": SOURCE.split("---", 2)[2]},
        headers=headers,
    ).get_json()
    unapproved = client.post(f"/api/v1/editions/{good['id']}/schedule",
                             json={"at": "2099-01-15T09:00:00+01:00"}, headers=headers)  # fmt: skip
    assert unapproved.status_code == 409 and "goedgekeurd" in unapproved.get_json()["detail"]
    settings(four_eyes=False)
    planned = client.post(f"/api/v1/editions/{good['id']}/schedule",
                          json={"at": "2099-01-15T09:00:00+01:00"}, headers=headers)  # fmt: skip
    assert planned.status_code == 200 and planned.get_json()["state"] == "scheduled"
    assert client.get("/api/v1/archive", headers=headers).get_json() == {"editions": []}


def test_odd_input_gets_a_dutch_422_or_413_never_a_500(client, db):
    headers = key()
    nested = b"[" * 60_000 + b"]" * 60_000
    cases = [
        ("GET", "/api/v1/readers?province=%00", None),
        ("GET", "/api/v1/readers?gemeente=%00", None),
        ("GET", "/api/v1/readers?gemeente=Utrecht", None),
        ("GET", "/api/v1/readers?province=" + "x" * 61, None),
        ("GET", "/api/v1/readers/%00", None),
        ("PATCH", "/api/v1/readers/%00", {"role": "raadslid"}),
        ("DELETE", "/api/v1/readers/%00", None),
        ("POST", "/api/v1/readers/%00/unsubscribe", None),
        ("POST", "/api/v1/editions", {"title": "x", "body": "a\u0000b"}),
        ("POST", "/api/v1/editions", {"title": "x", "body": "\ud800"}),
        ("POST", "/api/v1/readers", NEW | {"name": "Piet \ud800"}),
        ("POST", "/api/v1/readers", NEW | {"name": "Piet\u0085"}),
        ("POST", "/api/v1/readers", NEW | {"name": "Piet via www.piet.nl"}),
        ("POST", "/api/v1/readers", NEW | {"consent": {"date": 20261102, "source": 7}}),
        ("POST", "/api/v1/editions", {"title": "x", "body": "y", "audience": []}),
        ("POST", "/api/v1/editions", nested),
    ]
    for method, path, body in cases:
        kw = {"data": body, "content_type": "application/json"} if isinstance(body, bytes) else (
            {"json": body} if body is not None else {})  # fmt: skip
        answer = client.open(path, method=method, headers=headers, **kw)
        assert answer.status_code in (404, 422), (method, path, answer.status_code)
        assert answer.mimetype == "application/problem+json"
    too_big = client.post("/api/v1/readers", json=NEW | {"name": "x" * 70_000}, headers=headers)
    assert too_big.status_code == 413 and too_big.mimetype == "application/problem+json"
    long_draft = client.post("/api/v1/editions", headers=headers,
                             json={"title": "Lang", "body": "Tekst. " * 25_000})  # fmt: skip
    assert long_draft.status_code == 201  # a draft may be as long as on the workspace page
    assert db.session.query(Subscriber).count() == 0

"""The JSON API (issue 15, in part): keys with scopes, shown once and stored hashed; every
operation in the OpenAPI document answers with the right scope and refuses the wrong one;
errors are problem+json; a browser session counts for nothing; what the API does to a reader
leaves the same trail as the pages."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from newsletter.api import keys
from newsletter.api.models import ApiKey
from newsletter.auth.audit import CLI
from newsletter.subscribers.models import ConsentEvent, ConsentKind, ConsentSource, Subscriber
from tests.factories import SOURCE, subscribers

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

ALL = sorted(keys.SCOPES)


def key_with(*scopes: str) -> str:
    return keys.create("CRM-koppeling", list(scopes), 30, CLI).secret


def call(client, method: str, path: str, secret: str | None = None, **kw):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.open(path, method=method, headers=headers, **kw)


def test_the_document_is_valid_openapi_3_1_and_public(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)  # openapi-spec-validator picks 3.1 from the document
    assert spec["openapi"] == "3.1.0"
    assert "Aanroepen" in client.get("/api/v1/docs").get_data(as_text=True)


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield path, method.upper(), op


def _fill(path: str, reader_id: str, edition_id: int) -> str:
    return path.replace("{reader_id}", reader_id).replace("{edition_id}", str(edition_id))


def test_every_operation_answers_the_right_scope_and_refuses_the_wrong_one(client, db, editor):
    from newsletter.editions import services as editions

    people = subscribers(db, 2)  # the second one is erased by DELETE
    edition, _ = editions.create(SOURCE, editor.id)
    spec = client.get("/api/v1/openapi.json").get_json()
    seen = 0
    for path, method, op in _operations(spec):
        scope = op["x-scope"]
        target = people[1 if method == "DELETE" else 0].public_id
        url = "/api/v1" + _fill(path, target, edition.id)
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        sent = {"json": body["example"]} if body else {}
        wrong = call(client, method, url, key_with(*[s for s in ALL if s != scope]), **sent)
        assert wrong.status_code == 403, (method, path)
        assert wrong.mimetype == "application/problem+json"
        assert wrong.get_json()["scope"] == scope
        right = call(client, method, url, key_with(scope), **sent)
        assert 200 <= right.status_code < 300, (method, path, right.get_data(as_text=True))
        status = str(right.status_code)
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        jsonschema.validate(right.get_json(), schema)
        seen += 1
    assert seen == 13


def test_no_key_a_bad_key_or_a_browser_session_gets_401(client, db, editor_client):
    for headers in ({}, {"Authorization": "Bearer rvn_000000000000_nee"}, {"Authorization": "x"}):
        response = editor_client.get("/api/v1/readers", headers=headers)  # logged-in cookie
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_keys_are_shown_once_stored_hashed_and_can_be_revoked_or_expire(client, db):
    made = keys.create("CRM", ["readers:read"], 30, CLI)
    row = db.session.get(ApiKey, made.key.id)
    assert made.secret.startswith(f"rvn_{row.prefix}_")
    assert made.secret not in (row.secret_hash, row.prefix) and len(row.secret_hash) == 64
    assert call(client, "GET", "/api/v1/readers", made.secret).status_code == 200
    assert keys.revoke(row.id, CLI)
    assert call(client, "GET", "/api/v1/readers", made.secret).status_code == 401
    old = keys.create("Oud", ["readers:read"], 1, CLI)
    old.key.expires_at = old.key.created_at  # expired
    db.session.commit()
    assert call(client, "GET", "/api/v1/readers", old.secret).status_code == 401
    for bad in ({"name": " ", "scopes": ["readers:read"]}, {"name": "x", "scopes": ["alles"]}):
        with pytest.raises(keys.KeyRefused):
            keys.create(bad["name"], bad["scopes"], 30, CLI)


def test_guessed_keys_spend_the_networks_rate_not_a_real_keys(app, client, db, settings):
    from newsletter.api import access

    real = keys.create("CRM", ["readers:read"], 30, CLI)
    guessed = f"rvn_{real.key.prefix}_geraden"
    with app.test_request_context(headers={"Authorization": f"Bearer {guessed}"}):
        assert access._rate_key().startswith("net:")
    with app.test_request_context(headers={"Authorization": f"Bearer {real.secret}"}):
        assert access._rate_key() == f"key:{real.key.id}"


def test_every_use_is_audited_by_the_keys_name_never_the_key(client, db):
    from newsletter.auth.models import AuditEvent

    secret = key_with("readers:read")
    call(client, "GET", "/api/v1/readers", secret)
    uses = db.session.query(AuditEvent).filter(AuditEvent.action == "api-read").all()
    assert [u.actor for u in uses] == ["api: CRM-koppeling"]
    assert all(secret not in f"{u.actor}{u.target}{u.detail}" for u in uses)


def test_listing_filters_pages_and_says_what_is_wrong_per_field(client, db):
    subscribers(db, 5, gemeente_code="GM0344")  # Utrecht
    subscribers(db, 2, prefix="ander", gemeente_code="GM0363")  # Amsterdam
    secret = key_with("readers:read")
    got, cursor = [], None
    while True:
        url = "/api/v1/readers?province=Utrecht&status=active&limit=2"
        page = call(client, "GET", url + (f"&cursor={cursor}" if cursor else ""), secret)
        got += [r["email"] for r in page.get_json()["readers"]]
        cursor = page.get_json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(got) == sorted(f"lezer{i}@gemeente.example" for i in range(5))
    bad = call(client, "GET", "/api/v1/readers?status=weg&limit=0&cursor=%%%", secret)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {e["field"] for e in bad.get_json()["errors"]} == {"status", "limit", "cursor"}
    for odd in (
        "limit=²",
        "limit=1" + "0" * 30,
        "cursor=" + "z" * 400,
        "changed_since=0001-01-01T00:00:00%2B01:00",
        "changed_since=gisteren",
        "status=" + "x" * 5000,
    ):
        answer = call(client, "GET", f"/api/v1/readers?{odd}", secret)
        assert answer.status_code == 422, (odd, answer.status_code)
    editions_key = key_with("editions:read")
    for path in ("/api/v1/editions/99999999999", "/api/v1/editions/0", "/api/v1/editions/x"):
        assert call(client, "GET", path, editions_key).status_code == 404
    missing = call(client, "GET", "/api/v1/readers/bestaat-niet", secret)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert call(client, "GET", "/api/v1/nergens", secret).mimetype == "application/problem+json"


def test_unsubscribe_and_erase_leave_the_same_trail_as_the_pages(client, db, worker, sink):
    [reader] = subscribers(db, 1)
    secret = key_with("readers:write", "readers:read")
    answer = call(client, "POST", f"/api/v1/readers/{reader.public_id}/unsubscribe", secret)
    assert answer.status_code == 200 and answer.get_json()["state"] == "unsubscribed"
    events = db.session.query(ConsentEvent).filter_by(subscriber_id=reader.id).all()
    assert [(e.kind, e.source) for e in events][-1] == (ConsentKind.unsubscribed, ConsentSource.api)
    again = call(client, "POST", f"/api/v1/readers/{reader.public_id}/unsubscribe", secret)
    assert again.status_code == 200  # idempotent, as the link is
    assert len(db.session.query(ConsentEvent).filter_by(subscriber_id=reader.id).all()) == len(
        events
    )
    assert call(client, "DELETE", f"/api/v1/readers/{reader.public_id}", secret).status_code == 200
    assert db.session.query(Subscriber).filter_by(id=reader.id).count() == 0
    assert call(client, "DELETE", f"/api/v1/readers/{reader.public_id}", secret).status_code == 404


def test_no_csrf_token_is_asked_and_no_cookie_is_set(client, db):
    [reader] = subscribers(db, 1)
    answer = call(
        client, "POST", f"/api/v1/readers/{reader.public_id}/unsubscribe", key_with("readers:write")
    )
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert re.search(r"no-store", answer.headers["Cache-Control"])


def test_cli_makes_lists_and_revokes_keys_in_dutch(app, client, db):
    cli = app.test_cli_runner()
    made = cli.invoke(
        args=["api-keys", "create", "--name", "CRM", "--scope", "readers:read", "--days", "10"]
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("rvn_") and "niet nog eens getoond" in made.stderr
    assert call(client, "GET", "/api/v1/readers", secret).status_code == 200
    listed = cli.invoke(args=["api-keys", "list"])
    assert "CRM" in listed.output and secret not in listed.output
    key_id = listed.output.split("\t", 1)[0]
    assert cli.invoke(args=["api-keys", "revoke", key_id]).exit_code == 0
    assert call(client, "GET", "/api/v1/readers", secret).status_code == 401
    for bad in (
        ["api-keys", "create", "--name", "x", "--scope", "alles"],
        ["api-keys", "create", "--name", "x", "--scope", "readers:read", "--days", "0"],
        ["api-keys", "revoke", "999"],
    ):
        result = cli.invoke(args=bad)
        assert result.exit_code != 0 and "Traceback" not in result.output

"""What HTTP and RFC 3339 ask of every answer of the API, whatever the operation: the methods
that work on a 405, who calls before what they sent (401/403 before 415/422), 415 for a body
that is not JSON, when to retry on a 429, date-times in either case, and no empty or null
value where the document asks for text."""

from __future__ import annotations

import pytest

from newsletter.api import access, keys
from newsletter.auth.audit import CLI
from tests.factories import SOURCE


def bearer(*scopes: str) -> dict[str, str]:
    secret = keys.create("CRM", list(scopes or keys.SCOPES), 30, CLI).secret
    return {"Authorization": f"Bearer {secret}"}


def test_a_405_names_the_methods_that_work(client, db):
    response = client.put("/api/v1/readers", headers=bearer())
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    ("method", "path", "sent"),
    [
        ("GET", "/api/v1/readers?province=a%00b", {}),
        ("POST", "/api/v1/readers", {"data": "geen json", "content_type": "text/plain"}),
        ("POST", "/api/v1/readers", {"json": {"email": "x"}}),
    ],
)
def test_who_calls_is_checked_before_what_they_sent(client, db, method, path, sent):
    assert client.open(path, method=method, **sent).status_code == 401
    wrong_scope = bearer("stats:read")
    assert client.open(path, method=method, headers=wrong_scope, **sent).status_code == 403
    assert client.open(path, method=method, headers=bearer(), **sent).status_code in (415, 422)


def test_a_body_that_is_not_json_gets_415_with_the_type_it_takes(client, db):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = client.post(
            "/api/v1/readers", data=b'{"email": "a@b.nl"}', content_type=content_type,
            headers=bearer(),
        )  # fmt: skip
        assert response.status_code == 415, content_type
        assert response.mimetype == "application/problem+json"
        assert response.headers["Accept-Post"] == "application/json"
        assert "Content-Type: application/json" in response.get_json()["detail"]


def test_a_429_says_when_to_try_again(client, db):
    """Without a key the calls count against the network, with the same rate as a key's."""
    answers = [client.get("/api/v1/reach").status_code for _ in range(601)]
    assert answers == [401] * 600 + [429]
    refused = client.get("/api/v1/reach")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert access.RATE == "600 per minute"  # what the 600 above rest on


@pytest.mark.parametrize(
    "at", ["2099-01-15t09:00:00+01:00", "2099-01-15T08:00:00z", "2099-01-15t08:00:00.5Z"]
)
def test_rfc_3339_date_times_are_read_in_either_case(client, db, editor, at):
    from newsletter.editions import services as editions

    since = {"changed_since": at}
    listed = client.get("/api/v1/readers", query_string=since, headers=bearer())
    assert listed.status_code == 200, listed.get_json()
    edition, _ = editions.create(SOURCE, editor.id)
    scheduled = client.post(
        f"/api/v1/editions/{edition.id}/schedule", json={"at": at}, headers=bearer()
    )
    assert scheduled.status_code != 422, scheduled.get_json()  # 200, or 409 under four eyes


def test_a_year_outside_the_range_is_named_as_such(client, db):
    response = client.get("/api/v1/readers?changed_since=0008-01-01T00:00:00Z", headers=bearer())
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "changed_since", "message": "changed_since ligt tussen de jaren 1970 en 9000"}
    ]


def test_date_times_that_are_not_rfc_3339_are_refused(client, db):
    for at in ("2026-12-01 09:00:00+01:00", "20261201T090000+0100", "2026-12-01T09:00:00"):
        since = {"changed_since": at}
        response = client.get("/api/v1/readers", query_string=since, headers=bearer())
        assert response.status_code == 422, at


@pytest.mark.parametrize("query", ["gemeente=", "province=", "cursor="])
def test_an_empty_filter_is_refused_in_dutch(client, db, query):
    response = client.get(f"/api/v1/readers?{query}", headers=bearer())
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["field"] == query.rstrip("=")
    assert error["message"].startswith(error["field"] + " ")  # a Dutch sentence about it


@pytest.mark.parametrize("name", ["preheader", "theme"])
def test_null_for_an_optional_text_is_refused(client, db, name):
    body = {"title": "Het ravijn", "body": "## Kop\n\nTekst.", name: None}
    response = client.post("/api/v1/editions", json=body, headers=bearer())
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": name, "message": f"{name} is een tekst die niet leeg is"}
    ]


@pytest.mark.parametrize(
    "email",
    ["j.jansen@utrecht.nl", "a@b.nl\n", " a@b.nl", "a@x--y.nl", "1@m.voorbeeld.test", "a@b.c"],
)
def test_the_server_takes_an_address_exactly_when_the_document_does(client, db, email):
    """jsonschema-rs, as Schemathesis validates: Python's `re` lets `$` pass a final new line."""
    import jsonschema_rs

    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/readers"]["post"]["requestBody"]["content"]["application/json"]
    body = {"email": email, "name": "Jan Jansen", "gemeente_code": "GM0344", "role": "wethouder"}
    rooted = schema["schema"] | {"components": document["components"]}  # for its $refs
    valid = jsonschema_rs.validator_for(rooted, validate_formats=True).is_valid(body)
    response = client.post("/api/v1/readers", json=body, headers=bearer())
    assert response.status_code in (201, 422)
    assert (response.status_code == 201) == valid, response.get_json()

"""An API key acts as the editor who made it: it works only while they are enabled and still a
beheerder (who alone makes keys), and the audit names them. A key made on the command line is
the operator's and belongs to nobody."""

from __future__ import annotations

from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth import accounts
from newsletter.auth.audit import CLI, READ
from newsletter.auth.models import AuditEvent
from tests.factories import EDITOR_PASSWORD
from tests.integration.test_api_keys_page import PAGE, SECRET, make_on_page
from tests.integration.test_editor_sessions import log_in

OTHER = "beheer2@vng.example"


def status(client, secret: str) -> int:
    return client.get("/api/v1/readers", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_key_stops_at_once_when_its_maker_is_disabled_or_no_longer_beheerder(app, db, editor):
    accounts.create_editor(OTHER, EDITOR_PASSWORD, roles=("beheerder",))
    made = make_on_page(log_in(app, editor.email), scopes=("readers:read",))
    [secret] = set(SECRET.findall(made.get_data(as_text=True)))
    operators = keys.create("Systeem", ["readers:read"], 30, CLI).secret
    api = app.test_client()
    assert status(api, secret) == 200

    accounts.disable(editor.email)
    refused = api.get("/api/v1/readers", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json" and refused.get_json()["status"] == 401
    assert status(api, operators) == 200  # nobody's key: the operator revokes it
    page = log_in(app, OTHER).get(PAGE).get_data(as_text=True)
    assert f"Werkt niet meer</strong>: {editor.email} is uitgeschakeld" in page
    assert page.count("Werkt niet meer") == 1 and "op de opdrachtregel" in page

    accounts.enable(editor.email)
    assert status(api, secret) == 200
    accounts.set_roles(editor.email, ("redacteur", "eindredacteur"))
    assert status(api, secret) == 401

    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == READ)).all()
    mine = [c for c in reads if c.editor_id == editor.id]  # counted per key and hour
    assert sum(c.times for c in mine) == 2 and all(editor.email in c.actor for c in mine)

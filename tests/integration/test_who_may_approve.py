"""Who may approve an edition (four-eyes): never a person who wrote or last changed any version
of it, by whatever door the text came in (the page, an API key they made, a copy, an import on
the command line), whatever roles they hold; nobody while the version's person is unknown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth import accounts
from newsletter.auth.audit import CLI
from newsletter.auth.models import AuditEvent
from newsletter.editions import approval
from newsletter.editions import services as editions
from newsletter.editions.models import Approval, Edition
from tests.factories import EDITOR_PASSWORD, SOURCE, subscribers
from tests.helpers import form_tokens
from tests.integration.test_api_keys_page import SECRET, make_on_page
from tests.integration.test_editor_sessions import log_in
from tests.integration.test_four_eyes import post, save

SECOND, WRITER = "tweede@vng.example", "schrijver@vng.example"
BODY = SOURCE.split("---", 2)[2]
LATER = {"at": "2099-01-15T09:00:00+01:00"}


@pytest.fixture
def team(app, db, editor, settings):
    """`editor` holds all three roles; a second eindredacteur; a redacteur."""
    settings(four_eyes=True)
    assert editor.role_list == ["redacteur", "eindredacteur", "beheerder"]
    accounts.create_editor(SECOND, EDITOR_PASSWORD, roles=("eindredacteur",))
    accounts.create_editor(WRITER, EDITOR_PASSWORD, roles=("redacteur",))
    subscribers(db, 3)
    return {
        "all": log_in(app, editor.email),
        "second": log_in(app, SECOND),
        "writer": log_in(app, WRITER),
    }


def approved(db, edition_id: int) -> bool:
    found = select(Approval.id).where(
        Approval.edition_id == edition_id, Approval.voided_at.is_(None)
    )
    return db.session.scalar(found) is not None


def approve(client, edition_id: int):
    """Press "Deze versie goedkeuren" for the version as it is, whether the page offers the
    button or not (the rule must hold at the door, not only on the page)."""
    edition = editions.get(edition_id)
    seen = approval.fingerprint(editions.render(edition), edition.segment)
    path = f"/beheer/edities/{edition_id}"
    return client.post(f"{path}/goedkeuren", data=form_tokens(client, path) | {"versie": seen})


def new_on_page(client, source: str = SOURCE) -> int:
    made = post(client, "/beheer/edities/nieuw", source=source)
    return int(made.headers["Location"].rsplit("/", 1)[1])


def copy_on_page(client, edition_id: int) -> int:
    made = post(client, f"/beheer/edities/{edition_id}/kopie")
    return int(made.headers["Location"].rsplit("/", 1)[1])


def import_file(app, tmp_path, *options: str) -> int:
    path = tmp_path / "editie.md"
    path.write_text(SOURCE, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["editions", "import", str(path), *options])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def test_whoever_wrote_a_version_never_approves_it_by_any_door(app, db, team, editor, tmp_path):
    mine, second, writer = team["all"], team["second"], team["writer"]
    made = make_on_page(mine, name="Eigen koppeling", scopes=("editions:write",))
    [secret] = set(SECRET.findall(made.get_data(as_text=True)))
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}

    drafted = api.post("/api/v1/editions", json={"title": "Via de API", "body": BODY},
                       headers=bearer)  # fmt: skip
    assert drafted.status_code == 201, drafted.get_data(as_text=True)
    by_api = drafted.get_json()["id"]
    by_others = new_on_page(writer)
    assert save(mine, by_others, SOURCE.replace("gemeenten", "Gemeenten", 1)).status_code == 303
    copied_from_me = copy_on_page(writer, new_on_page(mine, SOURCE.replace("Jeugdzorg", "Zorg")))
    my_copy = copy_on_page(mine, new_on_page(writer, SOURCE.replace("Jeugdzorg", "Hulp")))
    imported = import_file(app, tmp_path, "--as", editor.email)

    doors = {
        "API draft": by_api,
        "last change on the page": by_others,
        "copy of my text": copied_from_me,
        "my copy": my_copy,
        "import --as": imported,
    }
    for door, edition_id in doors.items():
        page = mine.get(f"/beheer/edities/{edition_id}").get_data(as_text=True)
        assert "Deze versie goedkeuren" not in page, door
        assert approval.WROTE_IT in page, door
        approve(mine, edition_id)
        assert not approved(db, edition_id), door
        refused = api.post(f"/api/v1/editions/{edition_id}/schedule", json=LATER, headers=bearer)
        assert refused.status_code == 409, door
        assert "nog niet goedgekeurd" in refused.get_json()["detail"], door

    for door, edition_id in doors.items():
        approve(second, edition_id)
        assert approved(db, edition_id), door
    planned = api.post(f"/api/v1/editions/{by_api}/schedule", json=LATER, headers=bearer)
    assert planned.status_code == 200 and planned.get_json()["state"] == "scheduled"

    # the key acts as its maker: the draft's author, and the audit's person
    assert db.session.get(Edition, by_api).created_by_id == editor.id
    scheduled = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule")).one()
    assert scheduled.editor_id == editor.id and editor.email in scheduled.actor
    imports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "edition-import"))
    assert [(e.editor_id, e.target) for e in imports] == [(editor.id, f"editie {imported}")]


def test_a_version_nobody_is_known_for_is_approved_by_nobody(app, db, team, tmp_path):
    """An import without --as, and a draft through a key made on the command line (the
    operator's, no person's): neither eindredacteur may approve it until an editor saved it."""
    imported = import_file(app, tmp_path)
    secret = keys.create("Systeem", ["editions:write"], 30, CLI).secret
    drafted = app.test_client().post(
        "/api/v1/editions",
        json={"title": "Van een systeem", "body": BODY},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert drafted.status_code == 201, drafted.get_data(as_text=True)
    for edition_id in (imported, drafted.get_json()["id"]):
        for who in ("all", "second"):
            page = team[who].get(f"/beheer/edities/{edition_id}").get_data(as_text=True)
            assert "Deze versie goedkeuren" not in page
            assert "niet bekend wie haar maakte" in page
            approve(team[who], edition_id)
            assert not approved(db, edition_id)

        # the redacteur saves it as it is: now a person answers for it, and another approves
        assert save(team["writer"], edition_id, SOURCE).status_code == 303
        approve(team["second"], edition_id)
        assert approved(db, edition_id)


def test_the_import_refuses_an_unknown_or_disabled_writer(app, db, team, tmp_path):
    path = tmp_path / "editie.md"
    path.write_text(SOURCE, encoding="utf-8")
    accounts.disable(WRITER)
    for email in ("niemand@vng.example", WRITER):
        result = app.test_cli_runner().invoke(args=["editions", "import", str(path), "--as", email])
        assert result.exit_code == 2 and "--as" in result.output
        assert re.search(r"geen redacteur|uitgeschakeld", result.output)
    assert db.session.scalar(select(Edition.id)) is None

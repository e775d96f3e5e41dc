"""The sign-up form, the API, the import and an editor's correction refuse the same names,
through the one rule of subscribers/names.py (docs/architecture.md#one-writer-per-state)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.subscribers.imports import checks
from newsletter.subscribers.models import Subscriber
from tests.factories import make_subscriber
from tests.helpers import form_tokens
from tests.unit.test_names import BAD


def _api_key() -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.create('CRM', list(keys.SCOPES), 30, CLI).secret}"}


@pytest.mark.parametrize("name", BAD[:3] + BAD[-1:])
def test_every_way_in_refuses_the_same_name(
    app, db, client, editor_client, signup_form, tmp_path, name
):
    form = client.post("/aanmelden", data=signup_form(name=name))
    assert form.status_code == 422 and "een naam is" in form.get_data(as_text=True).lower()

    body = {
        "email": "piet@utrecht.example",
        "name": name,
        "gemeente_code": "GM0344",
        "role": "wethouder",
        "consent": {"date": "2026-11-02", "source": "aanmeldlijst"},
    }
    api = client.post("/api/v1/readers", json=body, headers=_api_key())
    assert api.status_code == 422 and "name" in api.get_data(as_text=True)

    csv = tmp_path / "lezers.csv"
    csv.write_text(f"naam;email;gemeente;functie\n{name};a@x.example;Utrecht;raadslid\n")
    [(line, text)] = checks.check(csv).problems
    assert line == 2 and text.startswith("naam: ")

    anna = make_subscriber(db, "anna@gemeente.example", name="Anna")
    path = f"/beheer/lezers/{anna.id}"
    data = form_tokens(editor_client, path) | {
        "name": name,
        "gemeente": "Utrecht",
        "role": "raadslid",
    }
    assert editor_client.post(path, data=data).status_code == 422
    assert db.session.scalar(select(Subscriber.name).where(Subscriber.id == anna.id)) == "Anna"


def test_a_good_name_passes_the_import(app, db, tmp_path):
    csv = tmp_path / "lezers.csv"
    csv.write_text("naam;email;gemeente;functie\ndrs. A. de Vries;a@x.example;Utrecht;raadslid\n")
    assert not checks.check(csv).problems

"""Import and export for Dutch Excel (issue 12): files as Excel writes them (semicolons,
DD-MM-JJJJ, Windows-1252 or UTF-8 with a BOM) import; the export opens in it (';', BOM); a bad
row reports all its problems at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.database import utcnow
from newsletter.subscribers.models import Subscriber, SubscriberState
from tests.factories import make_subscriber

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize("name", ["excel-nl-cp1252.csv", "excel-nl-utf8-bom.csv"])
def test_a_file_saved_by_dutch_excel_imports(app, db, worker, name):
    result = app.test_cli_runner().invoke(args=["subscribers", "import", str(FIXTURES / name)])
    assert result.exit_code == 0, result.output + result.stderr
    found = {s.email: s for s in db.session.scalars(select(Subscriber))}
    assert set(found) == {"anna@utrecht.example", "bert@arnhem.example", "carla@gemeente.example"}
    assert found["anna@utrecht.example"].name == "Anna de Vriës"
    assert found["anna@utrecht.example"].state == SubscriberState.active
    assert found["bert@arnhem.example"].state == SubscriberState.active  # 1-2-2026 is a date
    assert found["carla@gemeente.example"].state == SubscriberState.pending  # no proof: asked


def test_a_bad_row_reports_all_its_problems_at_once(app, db, tmp_path):
    bad = tmp_path / "fout.csv"
    bad.write_bytes(
        "naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron\r\n"
        ";geen-adres;Atlantis;keizer;32-01-2026;\r\n".encode("cp1252")
    )
    result = app.test_cli_runner().invoke(args=["subscribers", "import", str(bad)])
    assert result.exit_code == 1
    [line] = [text for text in result.stderr.splitlines() if "fout.csv:2:" in text]
    for problem in (
        "naam ontbreekt",
        "geen geldig e-mailadres",
        "Atlantis",
        "keizer",
        "geen datum",
        "zonder toestemming_bron",
    ):
        assert problem in line, problem


def test_the_export_opens_in_dutch_excel(app, db, editor_client):
    make_subscriber(
        db,
        "anna@utrecht.example",
        name="Anna; de Vriës",
        state=SubscriberState.active,
        gemeente_code="GM0344",
        confirmed_at=utcnow(),
    )
    db.session.commit()
    answer = editor_client.get("/beheer/lezers/lezers.csv")
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8, accents intact
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["naam", "e-mailadres", "gemeente"]
    assert rows[1][0] == "Anna; de Vriës" and rows[1][2] == "Utrecht"
    comma = editor_client.get("/beheer/lezers/lezers.csv?scheiding=komma").get_data(as_text=True)
    assert comma.lstrip("\ufeff").startswith("naam,")
    example = editor_client.get("/beheer/lezers/voorbeeld.csv").get_data()
    (Path(app.config["SETTINGS"].instance_path) / "voorbeeld.csv").write_bytes(example)
    result = app.test_cli_runner().invoke(
        args=[
            "subscribers",
            "import",
            "--dry-run",
            str(Path(app.config["SETTINGS"].instance_path) / "voorbeeld.csv"),
        ]
    )
    assert result.exit_code == 0, result.stderr  # the example file itself imports

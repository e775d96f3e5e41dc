"""Import, export, erasure, retention and the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from newsletter.auth.models import AuditEvent
from newsletter.blobs.models import Blob
from newsletter.database import utcnow
from newsletter.delivery import figures
from newsletter.subscribers import lifecycle
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentSource,
    Subscriber,
    SubscriberState,
    Suppression,
)
from tests.factories import make_sent_edition, make_subscriber
from tests.helpers import form_tokens, wait_until

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

HEADER = "naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron\n"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def count(db, model) -> int:
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.commit()
    return n


def test_import_with_and_without_proof_and_dry_run(app, db, tmp_path, worker, sink):
    file = tmp_path / "lijst.csv"
    file.write_text(
        HEADER
        + "Anna de Vries;anna@utrecht.example;Utrecht;Wethouder;2025-03-01;congres VNG 2025\n"
        + "Bert Súdwest;BERT@sudwest.example;sudwest fryslan;raadslid;;\n"
        + "Anna opnieuw;Anna@Utrecht.example;GM0344;griffier;;\n",
        encoding="utf-8-sig",
    )
    dry = run(app, "subscribers", "import", str(file), "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert "Proef (niets opgeslagen): 1 actief" in dry.output and "1 dubbel" in dry.output
    assert count(db, Subscriber) == 0

    done = run(app, "subscribers", "import", str(file))
    assert done.exit_code == 0, done.stderr
    assert "1 actief met bewijs" in done.output and "1 krijgen een verzoek" in done.output
    anna = db.session.scalar(
        select(Subscriber).where(Subscriber.email_key == "anna@utrecht.example")
    )
    bert = db.session.scalar(
        select(Subscriber).where(Subscriber.email_key == "bert@sudwest.example")
    )
    assert anna.state == SubscriberState.active and anna.name == "Anna de Vries"
    assert bert.state == SubscriberState.pending and bert.gemeente_code == "GM1900"
    [mail] = sink.wait_for(1)
    assert mail.recipients == ["BERT@sudwest.example"]
    assert "Wilt u OVER het ravijn ontvangen" in mail.message()["Subject"]
    proof = db.session.scalar(select(ConsentEvent).where(ConsentEvent.subscriber_id == anna.id))
    assert proof.source.value == "import" and "congres VNG 2025" in proof.detail
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert audit.actor == "opdrachtregel" and "1 actief" in audit.detail


def test_hostile_csv_gives_a_report_and_imports_nothing(app, db, tmp_path):
    bad = tmp_path / "slecht.csv"
    rows = [
        "Goed;goed@x.example;Utrecht;wethouder;;",
        '=HYPERLINK("http://kwaad");kwaad@x.example;Utrecht;wethouder;;',
        "Geen adres;niet-een-adres;Utrecht;wethouder;;",
        "Onbekend;o@x.example;Atlantis;wethouder;;",
        "Rol;r@x.example;Utrecht;keizer;;",
        "Datum;d@x.example;Utrecht;raadslid;gisteren;beurs",
    ]
    bad.write_bytes((HEADER + "\n".join(rows) + "\n").encode("cp1252"))
    result = run(app, "subscribers", "import", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    for line, words in (
        (4, "geen geldig e-mailadres"),
        (5, "Atlantis"),
        (6, "keizer"),
        (7, "geen datum"),
    ):
        assert f"slecht.csv:{line}: " in result.stderr and words in result.stderr
    assert "Niets geïmporteerd" in result.stderr
    assert count(db, Subscriber) == 0

    missing = tmp_path / "kolommen.csv"
    missing.write_text("naam,email\nA,a@x.example\n")
    result = run(app, "subscribers", "import", str(missing))
    assert result.exit_code == 1 and "Kolommen ontbreken: gemeente, functie" in result.stderr

    latin = tmp_path / "latin.csv"  # Excel's Windows-1252, a BOM-less comma file
    latin.write_bytes(
        "naam,email,gemeente,functie\nJosé Müller,j@x.example,Súdwest-Fryslân,raadslid\n".encode(
            "cp1252"
        )
    )
    result = run(app, "subscribers", "import", str(latin))
    assert result.exit_code == 0, result.stderr
    assert db.session.scalar(select(Subscriber.name)) == "José Müller"


def test_ten_thousand_duplicates_merge_into_one(app, db, tmp_path):
    file = tmp_path / "dubbel.csv"
    file.write_text(HEADER + "Ed;ed@x.example;Utrecht;raadslid;2025-01-01;lijst\n" * 10_001)
    result = run(app, "subscribers", "import", str(file))
    assert result.exit_code == 0, result.stderr
    assert "10000 dubbel" in result.output
    assert count(db, Subscriber) == 1


def test_export_escapes_formulas(app, db, tmp_path):
    make_subscriber(
        db,
        "f@x.example",
        name='=HYPERLINK("http://kwaad","klik")',
        state=SubscriberState.active,
        gemeente_code="GM0344",
        confirmed_at=utcnow(),
    )
    make_subscriber(db, "p@x.example", name="Niet actief", state=SubscriberState.pending)
    db.session.commit()
    out = tmp_path / "lezers.csv"
    assert run(app, "subscribers", "export", str(out)).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "naam" and len(rows) == 2
    assert rows[1][0].startswith("'=") and rows[1][2] == "Utrecht"


def test_erasure_leaves_no_personal_data_and_blocks_reimport(app, db, tmp_path):

    subscriber = make_subscriber(
        db,
        "Wis.Mij@Gemeente.example",
        name="Wis Mij",
        state=SubscriberState.active,
        gemeente_code="GM0344",
        confirmed_at=utcnow(),
    )
    db.session.commit()
    lifecycle.unsubscribe(subscriber.public_id, ConsentSource.one_click)
    exported = json.loads(
        run(app, "subscribers", "export-person", "wis.mij@gemeente.example").output
    )
    assert exported["naam"] == "Wis Mij" and len(exported["toestemmingen"]) >= 1
    public_id = subscriber.public_id

    result = run(app, "subscribers", "erase", "WIS.MIJ@gemeente.example", "--yes")
    assert result.exit_code == 0 and "Gewist" in result.output
    needles = ["wis.mij", "Wis Mij", "Wis.Mij", public_id]
    engine = db.engine
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                for value in row:
                    assert not any(n.lower() in str(value).lower() for n in needles), (table, row)
    assert count(db, Suppression) == 1
    file = tmp_path / "terug.csv"
    file.write_text(HEADER + "Wis Mij;wis.mij@gemeente.example;Utrecht;raadslid;2025-01-01;lijst\n")
    result = run(app, "subscribers", "import", str(file))
    assert "1 geweigerd" in result.output and count(db, Subscriber) == 0
    assert (
        "Over dit adres"
        in run(app, "subscribers", "erase", "wis.mij@gemeente.example", "--yes").output
    )


def test_expired_pending_signups_are_purged(app, db):
    old = make_subscriber(db, "oud@x.example", state=SubscriberState.pending)
    old.created_at = old.confirmation_sent_at = utcnow() - timedelta(days=4)
    make_subscriber(
        db, "nieuw@x.example", state=SubscriberState.pending, confirmation_sent_at=utcnow()
    )
    db.session.commit()
    assert lifecycle.purge_expired(utcnow(), 72 * 3600) == 1
    assert [s.email for s in db.session.scalars(select(Subscriber))] == ["nieuw@x.example"]


def wait_for_job(app, db, answer) -> str:
    """Follow an upload's redirect to its job page until the worker has finished it."""
    from newsletter.subscribers.models import ImportJob

    assert answer.status_code == 303, answer.status_code
    job_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def finished() -> str | None:
        db.session.expire_all()
        job = db.session.get(ImportJob, job_id)
        db.session.commit()
        return job.state if job.state in ("done", "failed") else None

    return wait_until(finished, 20, f"import job {job_id} to finish")


def test_dashboard_pages_import_export_and_erase(app, db, editor_client, editor, worker):
    from newsletter.subscribers.admin.views import BUCKETS, bucket

    assert [bucket(n) for n in (0, 1, 3, 7, 10, 500)] == [0, 1, 2, 3, 4, 4]
    assert len(BUCKETS) == 5
    client = editor_client
    make_subscriber(
        db,
        "k@x.example",
        name="Kaart",
        state=SubscriberState.active,
        gemeente_code="GM0344",
        confirmed_at=utcnow(),
    )
    db.session.commit()
    page = client.get("/beheer/lezers/").get_data(as_text=True)
    assert "1 van de 342 gemeenten bereikt" in page and page.count("<path ") == 342
    assert 'aria-label="Utrecht: 1 lezer"' in page
    narrowed = client.get("/beheer/lezers/?functie=wethouder&provincie=Utrecht")
    assert "Alleen wethouders in Utrecht." in narrowed.get_data(as_text=True)
    hostile = client.get("/beheer/lezers/?functie=<script>&provincie=Atlantis")
    assert hostile.status_code == 200 and "Alle lezers." in hostile.get_data(as_text=True)

    upload = {"csrf_token": form_tokens(client, "/beheer/lezers/importeren")["csrf_token"]}
    body = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    answer = client.post(
        "/beheer/lezers/importeren",
        data=upload | {"file": (io.BytesIO(body), "lijst.csv")},
        content_type="multipart/form-data",
    )
    assert wait_for_job(app, db, answer) == "done"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Geïmporteerd: 1 actief" in page and 'value="' in page
    status = client.get(answer.headers["Location"] + ".json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and not status["running"]
    assert not db.session.scalars(select(Blob)).first()  # the file (personal data) is gone
    bad = (HEADER + "Fout;geen-adres;Arnhem;raadslid;;\n").encode()
    answer = client.post(
        "/beheer/lezers/importeren",
        data=upload | {"file": (io.BytesIO(bad), "fout.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert wait_for_job(app, db, answer) == "done"
    assert "Regel 2: " in client.get(answer.headers["Location"]).get_data(as_text=True)
    none = client.post("/beheer/lezers/importeren", data=upload, content_type="multipart/form-data")
    assert none.status_code == 422

    export = client.get("/beheer/lezers/lezers.csv")
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert "nieuw@x.example" in export.get_data(as_text=True)

    token = form_tokens(client, "/beheer/lezers/")["csrf_token"]
    person = client.post(
        "/beheer/lezers/inzage", data={"csrf_token": token, "inzage-email": "k@x.example"}
    )
    assert person.is_json and person.get_json()["naam"] == "Kaart"
    kept = client.post(
        "/beheer/lezers/wissen", data={"csrf_token": token, "wissen-email": "k@x.example"}
    )
    assert kept.status_code == 303 and count(db, Subscriber) == 2  # no tick: nothing erased
    client.post(
        "/beheer/lezers/wissen",
        data={"csrf_token": token, "wissen-email": "k@x.example", "wissen-sure": "y"},
    )
    assert count(db, Subscriber) == 1
    log = client.get("/beheer/logboek").get_data(as_text=True)
    # in Dutch, as the page says it (the database keeps the code)
    for action in ("lezers geïmporteerd", "lezers geëxporteerd", "lezer gewist"):
        assert f">{action}</td>" in log
    assert "k@x.example" not in log.split("<table")[1]  # the log names no reader


def test_stats_per_edition_and_per_week(app, db):
    from newsletter.delivery.models import Delivery
    from newsletter.subscribers import stats
    from newsletter.subscribers.models import ConsentKind, ConsentSource, Role

    now = utcnow()
    people = [
        make_subscriber(db, f"s{i}@x.example", state=SubscriberState.active) for i in range(4)
    ]
    edition = make_sent_edition(db, "Week 48", published_at=now - timedelta(days=2))
    db.session.add(edition)
    db.session.flush()
    for person, state, error in zip(
        people,
        ["sent", "sent", "failed", "failed"],
        [None, None, "550 5.1.1 onbekend", "451 later"],
        strict=True,
    ):
        db.session.add(
            Delivery(
                edition_id=edition.id, subscriber_id=person.id, batch_no=1, state=state, error=error
            )
        )
    db.session.add(
        ConsentEvent(
            subscriber_id=people[0].id,
            kind=ConsentKind.unsubscribed,
            source=ConsentSource.one_click,
            occurred_at=now - timedelta(days=1),
        )
    )
    db.session.add(
        ConsentEvent(
            subscriber_id=people[1].id,
            kind=ConsentKind.requested,
            source=ConsentSource.form,
            occurred_at=now,
        )
    )
    db.session.commit()
    [shown] = figures.editions()
    assert (
        shown.recipients,
        shown.sent,
        shown.failed,
        shown.bounced,
        shown.unsubscribed_7d,
    ) == (4, 2, 2, 1, 1)
    this_week = stats.weeks()[-1]
    assert this_week.signups == 1
    assert sum(w.unsubscribes for w in stats.weeks()) == 1
    people[1].role, people[1].gemeente_code = Role.wethouder, "GM0344"
    db.session.commit()
    assert stats.weeks(role=Role.wethouder)[-1].signups == 1
    assert stats.weeks(role=Role.raadslid)[-1].signups == 0
    assert stats.weeks(province="Utrecht")[-1].signups == 1
    assert stats.weeks(province="Gelderland")[-1].signups == 0

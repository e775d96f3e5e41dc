"""Migration 0023: this node's instance/media and instance/imports move into the table blob.
Images keep their names (the URLs in sent mails); a waiting import keeps its file, now in the
database; every import file leaves the disk (personal data)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from PIL import Image

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations" / "versions" / "20261207_0023_blobs.py"
)
RECORDED = "ab" * 16 + ".jpg"
UNRECORDED = "cd" * 16 + ".png"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 10), (0, 89, 122)).save(out, "PNG")
    return out.getvalue()


def _upgrade(instance: Path, monkeypatch) -> sa.Connection:
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    spec = importlib.util.spec_from_file_location("blobs_0023", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    connection = sa.create_engine("sqlite://").connect()
    connection.exec_driver_sql(
        "CREATE TABLE media_image (name VARCHAR(40) PRIMARY KEY, width INTEGER NOT NULL, "
        "height INTEGER NOT NULL, original_width INTEGER NOT NULL, original_height INTEGER "
        "NOT NULL, original_bytes INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, "
        "created_at DATETIME NOT NULL)"
    )
    connection.exec_driver_sql(
        "CREATE TABLE import_job (id INTEGER PRIMARY KEY, stored_as VARCHAR(200) NOT NULL, "
        "state VARCHAR(16) NOT NULL)"
    )
    connection.execute(
        sa.text(
            "INSERT INTO media_image VALUES (:name, 1200, 900, 4000, 3000, 9, 3, "
            "'2026-12-01 10:00:00')"
        ),
        {"name": RECORDED},
    )
    connection.exec_driver_sql(
        "INSERT INTO import_job VALUES (1, 'wacht.csv', 'queued'), (2, 'klaar.csv', 'done')"
    )
    with Operations.context(MigrationContext.configure(connection)):
        module.upgrade()
    return connection


def test_images_move_in_under_their_own_names(tmp_path, monkeypatch):
    media = tmp_path / "media"
    media.mkdir()
    (media / RECORDED).write_bytes(b"\xff\xd8\xffverwerkt")
    (media / UNRECORDED).write_bytes(_png())
    (media / "notities.txt").write_bytes(b"geen afbeelding")
    connection = _upgrade(tmp_path, monkeypatch)
    rows = connection.exec_driver_sql(
        "SELECT name, sha256, processed, width, height FROM media_image ORDER BY name"
    ).all()
    assert [tuple(row) for row in rows] == [
        (RECORDED, hashlib.sha256(b"\xff\xd8\xffverwerkt").hexdigest(), 1, 1200, 900),
        (UNRECORDED, hashlib.sha256(_png()).hexdigest(), 0, 30, 10),
    ]
    stored = dict(connection.exec_driver_sql("SELECT sha256, data FROM blob").all())
    assert stored == {row[1]: (media / row[0]).read_bytes() for row in rows}
    assert (media / RECORDED).exists()  # kept until the operator has checked (docs)


def test_a_waiting_import_keeps_its_file_and_every_file_leaves_the_disk(tmp_path, monkeypatch):
    imports = tmp_path / "imports"
    imports.mkdir()
    (imports / "wacht.csv").write_bytes(b"naam;e-mailadres\nAnna;anna@x.example\n")
    (imports / "klaar.csv").write_bytes(b"naam;e-mailadres\nBert;bert@x.example\n")
    connection = _upgrade(tmp_path, monkeypatch)
    jobs = dict(connection.exec_driver_sql("SELECT id, file_sha256 FROM import_job").all())
    assert jobs == {
        1: hashlib.sha256(b"naam;e-mailadres\nAnna;anna@x.example\n").hexdigest(),
        2: None,
    }
    assert connection.exec_driver_sql("SELECT count(*) FROM blob").scalar() == 1
    assert list(imports.iterdir()) == []


def test_without_folders_only_the_schema_changes(tmp_path, monkeypatch):
    connection = _upgrade(tmp_path, monkeypatch)
    assert connection.exec_driver_sql("SELECT count(*) FROM blob").scalar() == 0

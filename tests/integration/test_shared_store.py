"""Images and import files live in the database (table blob), not on a node's disk: stored once
per content, served with a year of immutable caching, 404 for what is not there; an import's
file is gone when its job ends, however it ends (issue 28, findings 1 and 2)."""

from __future__ import annotations

import io
import json
import threading

import pytest
import redis
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from newsletter.blobs import store
from newsletter.blobs.models import Blob
from newsletter.editions.models import MediaImage
from newsletter.subscribers.imports import uploads
from newsletter.subscribers.models import ImportJob, Subscriber
from tests.helpers import form_tokens, wait_until
from tests.images import webp_photo
from tests.integration.test_image_uploads import upload
from tests.integration.test_readers import HEADER, wait_for_job

#: ON CONFLICT and substr() on bytes: PostgreSQL and SQLite alike
pytestmark = pytest.mark.dialect


def blobs(db) -> int:
    count = db.session.scalar(select(func.count()).select_from(Blob))
    db.session.commit()
    return count


def png(size: tuple[int, int] = (40, 20), colour=(0, 89, 122)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def path_of(url: str) -> str:
    return url.split("ravijn.example", 1)[1]


def test_the_same_image_twice_is_one_blob_and_one_name(editor_client, db):
    first = upload(editor_client, webp_photo(), "foto.webp")
    again = upload(editor_client, webp_photo(), "kopie.webp")
    assert first["url"] == again["url"]
    assert blobs(db) == 1
    assert db.session.scalar(select(func.count()).select_from(MediaImage)) == 1
    assert store.put(b"twee keer") == store.put(b"twee keer")
    db.session.commit()
    assert blobs(db) == 2


def test_an_image_is_served_from_the_database_with_immutable_caching(editor_client, db):
    answer = upload(editor_client, png(), "logo.png")
    name = answer["url"].rsplit("/", 1)[1]
    sha256 = db.session.get(MediaImage, name).sha256
    served = editor_client.get(path_of(answer["url"]))
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["ETag"] == f'"{sha256}"'
    assert store.address(served.data) == sha256
    assert served.headers["Content-Security-Policy"] == "default-src 'none'"
    again = editor_client.get(path_of(answer["url"]), headers={"If-None-Match": f'"{sha256}"'})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == f'"{sha256}"'
    other = editor_client.get(path_of(answer["url"]), headers={"If-None-Match": '"anders"'})
    assert other.status_code == 200 and other.data == served.data


@pytest.mark.parametrize("name", ["ab" * 16 + ".png", "../../etc/passwd", "x.png", "ab" * 16])
def test_an_unknown_image_is_a_404(client, db, name):
    response = client.get(f"/media/{name}")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")  # a later upload may come


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"naam;e-mailadres\n", "Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding."),
        (png()[:60], "De afbeelding is beschadigd"),
        (b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024), "groter dan 5 MB"),
    ],
)
def test_a_bad_image_gets_a_dutch_answer_and_stores_nothing(editor_client, db, data, message):
    fields = form_tokens(editor_client, "/beheer/") | {"image": (io.BytesIO(data), "a.png")}
    # built here, so that the body the test client spools to a file (over 500 kB) is closed
    builder = EnvironBuilder(
        "/beheer/afbeeldingen",
        base_url="https://localhost",
        method="POST",
        data=fields,
        headers={"X-Requested-With": "fetch", "Referer": "https://localhost/beheer/"},
    )
    environ = builder.get_environ()
    try:
        answer = editor_client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert answer.status_code == 422
    assert message in answer.json["error"]
    assert blobs(db) == 0


def post_import(client, body: bytes, dry_run: bool = False):
    token = form_tokens(client, "/beheer/lezers/importeren")["csrf_token"]
    fields = {"csrf_token": token, "file": (io.BytesIO(body), "lijst.csv")}
    if dry_run:
        fields["dry_run"] = "y"
    return client.post("/beheer/lezers/importeren", data=fields, content_type="multipart/form-data")


def test_an_import_file_is_deleted_when_its_job_is_done_or_failed(app, db, editor_client, worker):
    good = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    assert wait_for_job(app, db, post_import(editor_client, good)) == "done"
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1
    assert blobs(db) == 0
    job = db.session.scalars(select(ImportJob)).one()
    assert job.file_sha256 is None
    for bad, reason in (
        (b"wie;waar\nAnna;Ede\n", "Kolommen ontbreken: naam, e-mailadres"),
        (b"", "Het bestand is leeg."),
    ):
        answer = post_import(editor_client, bad)
        assert wait_for_job(app, db, answer) == "failed"
        page = editor_client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "Mislukt" in page and reason in page
        assert blobs(db) == 0


def test_an_upload_without_a_file_is_refused_in_dutch(editor_client, db):
    token = form_tokens(editor_client, "/beheer/lezers/importeren")["csrf_token"]
    answer = editor_client.post(
        "/beheer/lezers/importeren",
        data={"csrf_token": token},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "Kies eerst een CSV-bestand." in answer.get_data(as_text=True)


def test_a_file_two_waiting_jobs_share_stays_until_the_second_ends(
    app, db, editor_client, paused_worker
):
    body = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    first, second = (post_import(editor_client, body, dry_run=True) for _ in range(2))
    ids = [int(a.headers["Location"].rsplit("/", 1)[1]) for a in (first, second)]
    assert blobs(db) == 1
    uploads.run(ids[0])
    assert blobs(db) == 1  # the second job still needs it
    uploads.run(ids[1])
    assert blobs(db) == 0
    assert [db.session.get(ImportJob, i).state for i in ids] == ["done", "done"]


def test_a_job_whose_file_is_gone_fails_in_dutch_instead_of_waiting_forever(
    app, db, editor_client, paused_worker
):
    body = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    answer = post_import(editor_client, body)
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    job = db.session.get(ImportJob, job_id)
    sha256, job.file_sha256 = job.file_sha256, None  # as a node's disk was, before 0023
    db.session.flush()
    store.release(sha256)
    db.session.commit()
    uploads.run(job_id)
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.state == "failed" and job.finished_at is not None
    assert json.loads(job.report)["error"] == uploads.MISSING
    shown = editor_client.get(f"/beheer/lezers/importeren/{job_id}.json").get_json()
    assert (shown["state_label"], shown["running"]) == ("Mislukt", False)


def test_a_job_that_breaks_before_it_starts_fails_and_drops_its_file(
    app, db, editor_client, paused_worker, caplog
):
    """Redis gone when the job starts (count_rows and the progress bar come first): the job
    says "Mislukt", not "In de wachtrij" for ever, and its file is deleted."""
    body = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    answer = post_import(editor_client, body)
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    working = app.extensions["redis"]
    app.extensions["redis"] = redis.Redis(port=1, socket_connect_timeout=1)  # nothing listens
    try:
        uploads.run(job_id)
    finally:
        app.extensions["redis"] = working
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.state == "failed"
    assert json.loads(job.report)["error"] == (
        "Er ging iets mis bij het importeren; er is niets opgeslagen."
    )
    assert blobs(db) == 0
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_a_release_racing_a_new_reference_keeps_the_blob(app, db, editor):
    """Job 1 ends (its file released) while job 2 uploads the same file: the release waits
    for the upload's lock, and the foreign key then keeps the blob for job 2."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race")
    data = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()
    sha256 = store.put(data)
    job = {"actor": "redactie", "stored_as": sha256, "file_sha256": sha256, "dry_run": True}
    first = ImportJob(filename="a.csv", **job)
    db.session.add(first)
    db.session.commit()
    locked, commit, released = threading.Event(), threading.Event(), {}

    def upload_again() -> None:
        with app.app_context():
            store.put(data)  # locks the row
            db.session.add(ImportJob(filename="b.csv", **job))
            db.session.flush()
            locked.set()
            commit.wait(30)
            db.session.commit()
            db.session.remove()

    def end_first() -> None:
        with app.app_context():
            db.session.get(ImportJob, first.id).file_sha256 = None
            db.session.flush()
            released["gone"] = store.release(sha256)
            db.session.commit()
            db.session.remove()

    uploader = threading.Thread(target=upload_again)
    uploader.start()
    assert locked.wait(30)
    ender = threading.Thread(target=end_first)
    ender.start()
    wait_until(waiting_for_a_lock, 30, "the release to wait for the upload's lock")
    commit.set()
    uploader.join(30)
    ender.join(30)
    assert released == {"gone": False}
    assert blobs(db) == 1


def waiting_for_a_lock() -> bool:
    from newsletter.extensions import db as _db

    with _db.engine.connect() as connection:
        return bool(
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).scalar()
        )

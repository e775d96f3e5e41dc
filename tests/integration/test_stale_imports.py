"""An import whose worker stopped (killed, its machine gone) does not stay "Bezig": the clock's
reconcile ends it as "Mislukt", with a Dutch report and its file deleted, once it has not
beaten for ten minutes by the database's clock (issue 28, "left alone": a killed worker's job
waited for Dramatiq to redeliver its message, and for ever if Redis had lost it)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from newsletter.blobs import store
from newsletter.blobs.models import Blob
from newsletter.database import database_now
from newsletter.subscribers.imports import stale, uploads
from newsletter.subscribers.models import ImportJob, ImportState, Subscriber
from tests.integration.test_readers import HEADER
from tests.integration.test_shared_store import post_import
from workers.actors import _reconcile

pytestmark = pytest.mark.dialect  # the heartbeat is PostgreSQL's; the rule holds on SQLite too

BODY = (HEADER + "Nieuw;nieuw@x.example;Arnhem;raadslid;2025-01-01;beurs\n").encode()


def running(db, name: str, silent_for: timedelta | None, started_ago=timedelta(0)) -> int:
    """A job a worker started and stopped beating `silent_for` ago (None: never beat)."""
    now = database_now(db.session)
    sha256 = store.put(BODY + name.encode())
    job = ImportJob(
        actor="redactie",
        filename=name,
        stored_as=sha256,
        file_sha256=sha256,
        dry_run=False,
        state=ImportState.running,
        created_at=now - started_ago,
        heartbeat_at=None if silent_for is None else now - silent_for,
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def test_the_reconcile_ends_an_import_whose_worker_stopped(app, db, editor_client):
    stopped = running(db, "gestopt.csv", timedelta(minutes=11))
    alive = running(db, "bezig.csv", timedelta(minutes=2), started_ago=timedelta(minutes=50))
    # started by a release without heartbeats: judged by the worker's time limit
    old_alive = running(db, "oud.csv", None, started_ago=timedelta(minutes=30))
    old_stopped = running(db, "oud-gestopt.csv", None, started_ago=timedelta(minutes=75))

    _reconcile()  # the clock's tick

    db.session.expire_all()
    states = {i: db.session.get(ImportJob, i).state for i in (stopped, alive, old_alive)}
    states[old_stopped] = db.session.get(ImportJob, old_stopped).state
    assert states == {
        stopped: "failed",
        alive: "running",
        old_alive: "running",
        old_stopped: "failed",
    }
    job = db.session.get(ImportJob, stopped)
    assert json.loads(job.report)["error"] == stale.STOPPED
    assert job.file_sha256 is None and job.finished_at is not None
    # the files of personal data of the ended jobs are gone; the others' stay
    assert db.session.scalar(select(func.count()).select_from(Blob)) == 2
    page = editor_client.get(f"/beheer/lezers/importeren/{stopped}").get_data(as_text=True)
    assert "Mislukt" in page and "Er is niets opgeslagen. Upload het bestand opnieuw." in page
    shown = editor_client.get(f"/beheer/lezers/importeren/{alive}.json").get_json()
    assert (shown["state_label"], shown["running"]) == ("Bezig", True)


def test_an_ended_job_redelivered_later_is_not_imported_again(app, db, editor_client):
    """Dramatiq may still bring the killed worker's message back: the job stays as it ended."""
    job_id = running(db, "gestopt.csv", timedelta(minutes=11))
    assert uploads.end_stale(database_now(db.session)) == [job_id]
    uploads.run(job_id)
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).state == "failed"
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_an_import_beats_while_it_runs(app, db, editor_client, paused_worker, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer, the import: no heartbeat beside it (one machine)")
    monkeypatch.setattr(stale, "BEAT_SECONDS", 0)  # every chunk
    beats = []
    real_beat = stale.beat
    monkeypatch.setattr(stale, "beat", lambda job_id: beats.append(job_id) or real_beat(job_id))
    rows = "".join(
        f"Lid {i};lid{i}@x.example;Arnhem;raadslid;2025-01-01;beurs\n" for i in range(2500)
    )
    answer = post_import(editor_client, (HEADER + rows).encode())
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    uploads.run(job_id)
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.state == "done" and job.heartbeat_at is not None
    assert len(beats) >= 4  # checked in 1,000s, then imported in 1,000s
    # written by the database's clock, in a transaction beside the import's
    assert abs(database_now(db.session) - job.heartbeat_at) < timedelta(minutes=1)

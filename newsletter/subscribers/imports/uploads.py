"""Imports from the upload page run in a worker: the page shows a live progress bar.

The upload is stored in the database (a blob, so any worker on any machine reads it), an
ImportJob row is committed with it, and the `import_subscribers` message (the job's id) is queued
after that commit. The worker checks the file, then imports it all or nothing, writing progress
to Redis; the report lands on the job, and the file is deleted whether it worked or not.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from newsletter import jobs
from newsletter.auth.audit import Actor
from newsletter.blobs import store
from newsletter.database import database_now, utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers.imports import checks, stale, transaction
from newsletter.subscribers.models import ImportJob, ImportState

log = logging.getLogger(__name__)
MISSING = "Het bestand van deze import is er niet meer. Upload het opnieuw."
#: the words the import page uses for each state
STATE_LABELS = {
    ImportState.queued: "In de wachtrij",
    ImportState.running: "Bezig",
    ImportState.done: "Klaar",
    ImportState.failed: "Mislukt",
}
WAITING = (ImportState.queued, ImportState.running)


def _progress_key(job_id: int) -> str:
    return f"ravijn:import:{job_id}"


def start(upload: FileStorage, dry_run: bool, actor: Actor) -> ImportJob:
    """The file goes into the database with its job, in one transaction: any worker reads it."""
    sha256 = store.put(upload.read())
    job = ImportJob(
        editor_id=actor.editor_id,
        actor=actor.label,
        filename=(upload.filename or "upload.csv")[:200],
        stored_as=sha256,
        file_sha256=sha256,
        dry_run=dry_run,
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(jobs.IMPORT_SUBSCRIBERS, job.id)
    db.session.commit()
    return job


def get(job_id: int) -> ImportJob | None:
    return db.session.get(ImportJob, job_id)


def run(job_id: int) -> None:
    """Check, then import all or nothing. However it ends (a bad file, a bug, the time limit)
    the job is "done" or "failed" with a Dutch report, and its file is deleted."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.state not in WAITING:
        return
    key = _progress_key(job_id)
    report: dict[str, object] = {}
    try:
        _import(job, key, report)
    except BaseException as exc:  # the import rolled back: say so, never leave it waiting
        db.session.rollback()
        report["error"] = _reason(job_id, exc)
        _finish(job_id, ImportState.failed, report)
        if not isinstance(exc, Exception):
            raise  # the worker's own interrupts (time limit, shutdown) go on up
        return
    _finish(job_id, ImportState.done, report)


def _import(job: ImportJob, key: str, report: dict[str, object]) -> None:
    data = store.read(job.file_sha256) if job.file_sha256 else None
    if data is None:
        raise checks.ImportFileError(MISSING)
    redis = current_app.extensions["redis"]
    total = checks.count_rows(data)
    redis.hset(key, mapping={"total": total * 2, "done": 0})  # two passes over the rows
    redis.expire(key, 86400)
    job.state = ImportState.running
    job.heartbeat_at = database_now(db.session)
    actor, dry_run, filename = Actor(job.actor, job.editor_id), job.dry_run, job.stored_as
    db.session.commit()
    heartbeat = stale.Heartbeat(job.id)

    def advance(rows: int) -> None:
        redis.hincrby(key, "done", rows)
        heartbeat()

    checked = checks.check(data, progress=advance)
    report["checked"] = {
        "rows": checked.rows,
        "encoding": checked.encoding,
        "problems": checked.problems,
        "problem_count": checked.problem_count,
        "duplicates": checked.duplicates,
    }
    redis.hset(key, "done", total)
    if not checked.problem_count:
        result = transaction.apply(
            data, checked.encoding, actor, name=filename, dry_run=dry_run, progress=advance
        )
        report["result"] = result.summary(dry_run)


def _reason(job_id: int, exc: BaseException) -> str:
    if isinstance(exc, checks.ImportFileError):
        return str(exc)
    log.error("import %s failed", job_id, exc_info=exc)
    return "Er ging iets mis bij het importeren; er is niets opgeslagen."


def _finish(job_id: int, state: ImportState, report: dict[str, object]) -> None:
    """The end state and report, and the file gone (it holds personal data), in one commit."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    sha256, job.file_sha256 = job.file_sha256, None
    job.state = state
    job.report = json.dumps(report)
    job.finished_at = utcnow()
    db.session.flush()
    if sha256 is not None:
        store.release(sha256)
    db.session.commit()  # `status` shows a finished job full, whatever Redis holds


def end_stale(now: datetime) -> list[int]:
    """The clock's reconcile: running jobs whose worker stopped beating (`now`: the database's
    time) end as "Mislukt", their file deleted; returns their ids."""
    ended = []
    while True:
        job_id = db.session.scalar(
            select(ImportJob.id).where(stale.stale(now)).limit(1).with_for_update(skip_locked=True)
        )
        if job_id is None:
            db.session.commit()
            return ended
        log.warning("import %s: no heartbeat for %s s, ended", job_id, stale.STALE_SECONDS)
        _finish(job_id, ImportState.failed, {"error": stale.STOPPED})  # commits: lock released
        ended.append(job_id)


def status(job: ImportJob) -> dict[str, object]:
    values = current_app.extensions["redis"].hgetall(_progress_key(job.id))
    total = int(values.get(b"total", 0)) or 1
    done = min(int(values.get(b"done", 0)), total)
    if job.state not in WAITING:
        done = total
    return {
        "state": job.state,
        "state_label": STATE_LABELS[job.state],
        "running": job.state in WAITING,
        "total": total,
        "done": done,
        "percent": int(100 * done / total),
    }


def report(job: ImportJob) -> dict[str, object]:
    return json.loads(job.report) if job.report else {}

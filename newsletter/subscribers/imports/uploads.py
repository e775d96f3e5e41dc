"""Imports from the upload page run in a worker: the page shows a live progress bar.

The upload is stored under instance/imports, an ImportJob row is committed, and the
`import_subscribers` message (the job's id) is queued after that commit. The worker checks the
file, then imports it all or nothing, writing progress to Redis; the report lands on the job.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from newsletter import jobs
from newsletter.auth.audit import Actor
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers.imports import checks, transaction
from newsletter.subscribers.models import ImportJob

log = logging.getLogger(__name__)
STATE_LABELS = {
    "queued": "In de wachtrij",
    "running": "Bezig",
    "done": "Klaar",
    "failed": "Mislukt",
}


def folder() -> Path:
    path = Path(current_app.config["SETTINGS"].instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_key(job_id: int) -> str:
    return f"ravijn:import:{job_id}"


def start(upload: FileStorage, dry_run: bool, actor: Actor) -> ImportJob:
    stored = f"{secrets.token_hex(16)}.csv"
    upload.save(folder() / stored)
    job = ImportJob(
        editor_id=actor.editor_id,
        actor=actor.label,
        filename=(upload.filename or "upload.csv")[:200],
        stored_as=stored,
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
    job = db.session.get(ImportJob, job_id)
    if job is None or job.state not in ("queued", "running"):
        return
    path = folder() / job.stored_as
    redis = current_app.extensions["redis"]
    key = _progress_key(job_id)
    total = checks.count_rows(path)
    redis.hset(key, mapping={"total": total * 2, "done": 0})  # two passes over the rows
    redis.expire(key, 86400)
    job.state = "running"
    db.session.commit()

    def advance(rows: int) -> None:
        redis.hincrby(key, "done", rows)

    report: dict[str, object] = {}
    try:
        checked = checks.check(path, progress=advance)
        report["checked"] = {
            "rows": checked.rows,
            "encoding": checked.encoding,
            "problems": checked.problems,
            "problem_count": checked.problem_count,
            "duplicates": checked.duplicates,
        }
        redis.hset(key, "done", total)
        if not checked.problem_count:
            actor = Actor(job.actor, job.editor_id)
            result = transaction.apply(
                path, checked.encoding, actor, dry_run=job.dry_run, progress=advance
            )
            report["result"] = result.summary(job.dry_run)
        job = db.session.get(ImportJob, job_id)
        job.state = "done"
    except Exception as exc:  # the import rolled back: say so, never leave it "running"
        db.session.rollback()
        if not isinstance(exc, checks.ImportFileError):
            log.exception("import %s failed", job_id)
        job = db.session.get(ImportJob, job_id)
        report["error"] = (
            str(exc)
            if isinstance(exc, checks.ImportFileError)
            else "Er ging iets mis bij het importeren; er is niets opgeslagen."
        )
        job.state = "failed"
    finally:
        path.unlink(missing_ok=True)  # the upload holds personal data: gone once read
    redis.hset(key, "done", total * 2)
    job.report = json.dumps(report)
    job.finished_at = utcnow()
    db.session.commit()


def status(job: ImportJob) -> dict[str, object]:
    values = current_app.extensions["redis"].hgetall(_progress_key(job.id))
    total = int(values.get(b"total", 0)) or 1
    done = min(int(values.get(b"done", 0)), total)
    if job.state in ("done", "failed"):
        done = total
    return {
        "state": job.state,
        "state_label": STATE_LABELS[job.state],
        "running": job.state in ("queued", "running"),
        "total": total,
        "done": done,
        "percent": int(100 * done / total),
    }


def report(job: ImportJob) -> dict[str, object]:
    return json.loads(job.report) if job.report else {}

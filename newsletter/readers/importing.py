"""The second pass of an import: write it, in one transaction, chunk by chunk (Core inserts,
so the session does not grow with the file). A dry run does the same and rolls back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update

from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.readers import suppression
from newsletter.readers.audit import Actor, record
from newsletter.readers.importer import Row, rows
from newsletter.subscriptions.consent import CONSENT_VERSION, consent_sha256
from newsletter.subscriptions.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Status,
    Subscriber,
)

CHUNK = 1000


@dataclass
class Result:
    active: int = 0  # new, with proof of consent
    repermission: int = 0  # new, asked to confirm first
    merged: int = 0  # known and still subscribed: details updated
    left_alone: int = 0  # known but unsubscribed or bounced: never subscribed again here
    suppressed: int = 0  # erased earlier: refused
    duplicates: int = 0  # the same address again in this file

    def summary(self, dry_run: bool) -> str:
        """The one Dutch sentence that the command line and the job page both show."""
        return ("Proef (niets opgeslagen): " if dry_run else "Geïmporteerd: ") + (
            f"{self.active} actief met bewijs van toestemming, {self.repermission} krijgen "
            f"een verzoek om te bevestigen, {self.merged} samengevoegd met bestaande lezers, "
            f"{self.left_alone} afgemeld en zo gelaten, {self.suppressed} geweigerd (gewist), "
            f"{self.duplicates} dubbel in het bestand."
        )


def apply(
    path: Path,
    encoding: str,
    actor: Actor | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Result:
    result, seen, chunk = Result(), set(), []
    try:
        for row in rows(path, encoding):
            if not isinstance(row, Row):
                raise ValueError(f"line {row[0]} is invalid; run the check first")
            if row.email.key in seen:
                result.duplicates += 1
                continue
            seen.add(row.email.key)
            chunk.append(row)
            if len(chunk) >= CHUNK:
                _write(chunk, result)
                if progress:
                    progress(len(chunk))
                chunk = []
        _write(chunk, result)
        if dry_run:
            db.session.rollback()
            return result
        record(
            actor,
            "import",
            path.name[:80],
            f"{result.active} actief, {result.repermission} herbevestiging, "
            f"{result.merged} samengevoegd, {result.suppressed} geweigerd",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()  # all or nothing
        raise
    return result


def _write(chunk: list[Row], result: Result) -> None:
    if not chunk:
        return
    hashes = {suppression.address_hash(r.email.key): r for r in chunk}
    refused = suppression.suppressed_hashes(list(hashes))
    result.suppressed += len(refused)
    chunk = [r for h, r in hashes.items() if h not in refused]
    known = dict(
        db.session.execute(
            select(Subscriber.email_key, Subscriber.status).where(
                Subscriber.email_key.in_([r.email.key for r in chunk])
            )
        ).all()
    )
    fresh = [r for r in chunk if r.email.key not in known]
    for row in chunk:
        status = known.get(row.email.key)
        if status in (Status.active, Status.pending):
            db.session.execute(
                update(Subscriber)
                .where(Subscriber.email_key == row.email.key)
                .values(name=row.name, gemeente_code=row.gemeente_code, role=row.role)
            )
            result.merged += 1
        elif status is not None:
            result.left_alone += 1
    if fresh:
        _insert(fresh, result)


def _insert(fresh: list[Row], result: Result) -> None:
    now = utcnow()
    db.session.execute(
        insert(Subscriber.__table__),  # Core: one multi-row INSERT per chunk, no ORM objects
        [
            {
                "email": r.email.address,
                "email_key": r.email.key,
                "name": r.name,
                "gemeente_code": r.gemeente_code,
                "role": r.role,
                "status": Status.active if r.consent_at else Status.pending,
                "confirmed_at": r.consent_at,
                "confirmation_sent_at": None if r.consent_at else now,
            }
            for r in fresh
        ],
    )
    ids = dict(
        db.session.execute(
            select(Subscriber.email_key, Subscriber.id).where(
                Subscriber.email_key.in_([r.email.key for r in fresh])
            )
        ).all()
    )
    events = []
    for r in fresh:
        proof = f"bewijs: {r.consent_source}, {r.consent_at:%Y-%m-%d}" if r.consent_at else None
        events.append(
            {
                "subscriber_id": ids[r.email.key],
                "kind": ConsentKind.confirmed if proof else ConsentKind.requested,
                "source": ConsentSource.import_,
                "consent_version": CONSENT_VERSION,
                "consent_sha256": consent_sha256(),
                "detail": proof or "import zonder bewijs: herbevestiging gevraagd",
            }
        )
        if proof:
            result.active += 1
        else:
            result.repermission += 1
            enqueue_after_commit("send_repermission", ids[r.email.key])
    db.session.execute(insert(ConsentEvent.__table__), events)

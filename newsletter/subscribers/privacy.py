"""AVG rights: erasure (through the lifecycle), access exports, the CSV of active subscribers.

Erasure deletes the reader and their consent events; ledger rows keep only the edition's counts
(subscriber set to NULL). What stays is a keyed hash on the suppression list and an audit line
without the address.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from newsletter.auth.audit import Actor, record
from newsletter.extensions import db
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.models import ROLE_LABELS, ConsentEvent, Subscriber, SubscriberState

EXPORT_COLUMNS = ["naam", "e-mailadres", "gemeente", "provincie", "functie", "bevestigd op"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SubscriberError(ValueError):
    """Dutch, shown to the editor or on the command line."""


def find(email: str) -> Subscriber | None:
    try:
        key = normalise_email(email).key
    except InvalidEmail as exc:
        raise SubscriberError(str(exc)) from None
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == key))


def erase(email: str, actor: Actor | None = None) -> bool:
    """Delete everything about this address; False when we hold nothing about it."""
    subscriber = find(email)
    if subscriber is None:
        return False
    lifecycle.erase(subscriber, actor)
    return True


def erase_by_public_id(public_id: str, actor: Actor | None = None) -> bool:
    """The same erasure, for a reader named by its public id (the API's handle)."""
    if len(public_id) > 32:
        return False
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == public_id))
    if subscriber is None:
        return False
    lifecycle.erase(subscriber, actor)
    return True


def _stamp(value: object) -> str | None:
    return value.isoformat() if value else None  # type: ignore[attr-defined]


def person_export(email: str, actor: Actor | None = None) -> dict[str, object] | None:
    """Everything we hold about one reader (an access request under the AVG); audited, with
    the subscriber's number, not the address."""
    subscriber = find(email)
    if subscriber is None:
        return None
    record(actor, "inzage", f"lezer {subscriber.id}")
    db.session.commit()
    events = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.subscriber_id == subscriber.id)
        .order_by(ConsentEvent.id)
    )
    return {
        "naam": subscriber.name,
        "e-mailadres": subscriber.email,
        "gemeente": subscriber.gemeente.display_name if subscriber.gemeente else None,
        "functie": ROLE_LABELS[subscriber.role],
        "status": subscriber.state.value,
        "aangemeld_op": _stamp(subscriber.created_at),
        "bevestigd_op": _stamp(subscriber.confirmed_at),
        "afgemeld_op": _stamp(subscriber.unsubscribed_at),
        "toestemmingen": [
            {
                "soort": e.kind.value,
                "via": e.source.value,
                "op": _stamp(e.occurred_at),
                "tekstversie": e.consent_version,
                "tekst_sha256": e.consent_sha256,
                "netwerk": e.ip_prefix,
                "toelichting": e.detail,
            }
            for e in events
        ],
    }


def safe_cell(value: object) -> str:
    """A spreadsheet must not run what a reader typed: =HYPERLINK(…) becomes text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_active(actor: Actor | None, target: str, delimiter: str = ";") -> Iterator[str]:
    """The export is in the audit log before its first row leaves."""
    record(actor, "export", target[:80])
    db.session.commit()
    return active_csv(delimiter)


def active_csv(delimiter: str = ";") -> Iterator[str]:
    """The CSV of active readers, streamed row by row (bounded memory for any list size).
    Semicolons and a BOM by default: what Excel in Dutch opens as columns, accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(EXPORT_COLUMNS)
    yield "\ufeff" + flush()  # BOM: Excel then reads UTF-8
    query = (
        select(Subscriber)
        .where(Subscriber.state == SubscriberState.active)
        .order_by(Subscriber.id)
        .execution_options(yield_per=1000)
    )
    for subscriber in db.session.scalars(query):
        gemeente = subscriber.gemeente
        writer.writerow(
            [
                safe_cell(subscriber.name),
                safe_cell(subscriber.email),
                safe_cell(gemeente.display_name if gemeente else ""),
                safe_cell(gemeente.province if gemeente else ""),
                ROLE_LABELS[subscriber.role],
                subscriber.confirmed_at.date().isoformat() if subscriber.confirmed_at else "",
            ]
        )
        yield flush()


def note_viewed(actor: Actor, subscriber_id: int) -> None:
    """A beheerder opened a reader's page: personal data was seen, so it is in the audit."""
    record(actor, "reader-viewed", f"lezer {subscriber_id}")
    db.session.commit()

"""State changes of a send: publish, pause, resume, cancel, done. Each is one guarded UPDATE
through `editions.states.change_state`, so two editors (or an editor and the clock) can never
start or finish the same send twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from newsletter import jobs
from newsletter.auth.audit import CLOCK, Actor, record
from newsletter.database import utcnow
from newsletter.delivery import ledger
from newsletter.editions import notices, states
from newsletter.editions import services as editions
from newsletter.editions.models import Edition, EditionState
from newsletter.editions.services import EditionError
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.mail import relays
from newsletter.webhooks import events as webhook_events

log = logging.getLogger(__name__)


def publish(
    edition_id: int,
    actor: Actor | None = None,
    expected: frozenset[EditionState] = frozenset({EditionState.draft, EditionState.scheduled}),
) -> Edition:
    """Freeze the audience now and start sending (the fan-out is queued after the commit).
    The clock passes `expected={scheduled}`: an edition unplanned meanwhile stays a draft."""
    edition = editions.get(edition_id)
    sendable = states.check_sendable(edition, actor)
    recipients, how = sendable.recipients, sendable.how
    editor_id = actor.editor_id if actor else None
    now = utcnow()
    if not states.change_state(
        edition_id,
        expected,
        EditionState.sending,
        unchanged_since=edition.updated_at,  # the version checked above is the one that goes
        published_at=now,
        published_by_id=editor_id,
        snapshot_at=now,
        state_note=None,
    ):
        db.session.rollback()
        raise EditionError(
            "Deze editie is net gewijzigd of al verzonden. Bekijk haar opnieuw en verstuur dan."
        )
    record(actor, "publish", f"editie {edition_id}", f"{recipients} lezers, {how}")
    enqueue_after_commit(jobs.FAN_OUT, edition_id)
    db.session.commit()
    db.session.refresh(edition)
    return edition


def pause(edition_id: int, note: str | None = None, actor: Actor | None = None) -> bool:
    changed = states.change_state(
        edition_id, {EditionState.sending}, EditionState.paused, state_note=note
    )
    if changed:
        record(actor, "pause", f"editie {edition_id}", note or "")
    db.session.commit()
    if changed:
        log.warning("edition %s paused: %s", edition_id, note or "by an editor")
    return changed


def resume(edition_id: int, actor: Actor | None = None) -> bool:
    """Paused → sending; the caller then runs the reconciler for it to queue what is left.
    The relays' circuits are forgotten: whoever resumes expects the send to try at once."""
    changed = states.change_state(
        edition_id, {EditionState.paused}, EditionState.sending, state_note=None
    )
    if changed:
        record(actor, "resume", f"editie {edition_id}")
    db.session.commit()
    if changed:
        relays.reset(current_app.config["SETTINGS"].relays)
    return changed


def cancel(edition_id: int, actor: Actor | None = None) -> bool:
    """The rest stays unsent; rows already handed to the relay stay as they are."""
    changed = states.change_state(
        edition_id,
        {EditionState.sending, EditionState.paused},
        EditionState.cancelled,
        state_note="Geannuleerd; wie nog niets had gekregen, krijgt deze editie niet.",
    )
    if changed:
        record(actor, "cancel", f"editie {edition_id}")
    db.session.commit()
    return changed


def complete_if_done(edition_id: int) -> bool:
    """Sending → sent once the snapshot is whole and no row is pending.

    Checking first and then changing is safe: once the snapshot is done no row becomes pending
    again, and the guarded transition lets only one caller finish the send.
    """
    snapshot_done = db.session.scalar(select(Edition.snapshot_done).where(Edition.id == edition_id))
    if not snapshot_done or ledger.has_pending(edition_id):
        db.session.commit()
        return False
    # the archive serves this web version from now on, stored in the same step
    web_version = editions.render(editions.get(edition_id), personal=False).web
    changed = states.change_state(
        edition_id,
        {EditionState.sending},
        EditionState.sent,
        sent_at=utcnow(),
        archive_html=web_version,
    )
    if changed:
        edition = editions.get(edition_id)
        db.session.refresh(edition)
        webhook_events.emit("edition.sent", {"edition": {
            "id": edition.id, "title": edition.title, "sent_at": edition.sent_at.isoformat(),
            "recipients": edition.recipient_count, "url": editions.web_url(edition.id),
        }})  # fmt: skip
    db.session.commit()
    return changed


def start_due(now: datetime, max_delay: timedelta) -> list[int]:
    """Scheduled editions whose time has come. The rule after downtime: up to `max_delay`
    late, it goes out at once; later than that, it goes back to draft with a note, and an
    editor decides (old news sent a day late does more harm than good)."""
    started = []
    due = db.session.scalars(
        select(Edition).where(Edition.state == EditionState.scheduled, Edition.scheduled_at <= now)
    ).all()
    for edition in due:
        if now - edition.scheduled_at > max_delay:
            _back_to_draft(edition, "het geplande moment is gemist (de dienst lag stil). "
                           "Plan opnieuw in of verstuur nu.")  # fmt: skip
            continue
        try:
            publish(edition.id, CLOCK, frozenset({EditionState.scheduled}))
            started.append(edition.id)
        except EditionError as exc:
            db.session.rollback()
            _back_to_draft(edition, f"op het geplande moment: {exc}")
    return started


def _back_to_draft(edition: Edition, why: str) -> None:
    """A planned edition the clock did not send goes back to draft with a note; the
    eindredacteuren hear of it only when this call changed it (not when an editor
    unplanned it meanwhile, or another clock got there first)."""
    if states.change_state(
        edition.id,
        {EditionState.scheduled},
        EditionState.draft,
        unchanged_since=edition.updated_at,
        state_note=f"Niet verzonden: {why}"[:300],
    ):
        enqueue_after_commit(jobs.SEND_EDITOR_NOTICE, notices.SCHEDULE_MISSED, edition.id)
    db.session.commit()

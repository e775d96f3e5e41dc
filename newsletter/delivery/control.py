"""State changes of a send: publish, pause, resume, cancel, done. Each is one guarded UPDATE
through `editions.transition`, so two editors (or an editor and the clock) can never start or
finish the same send twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from newsletter.auth.audit import CLOCK, Actor, record
from newsletter.database import utcnow
from newsletter.delivery import ledger
from newsletter.editions import approval, notices
from newsletter.editions import services as editions
from newsletter.editions.models import Edition, EditionState
from newsletter.editions.services import EditionError, transition
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.mail import relays
from newsletter.subscribers import segments
from newsletter.webhooks import outbox

log = logging.getLogger(__name__)


def check_publishable(edition: Edition, actor: Actor | None = None) -> int:
    """The number of recipients it would go to now; EditionError when it may not go out
    (for `actor`: the four-eyes rule, see editions/approval.py)."""
    if edition.state not in (EditionState.draft, EditionState.scheduled):
        raise EditionError("Deze editie is al verzonden of wordt verzonden.")
    rendered = editions.render(edition)
    if not rendered.ok:
        raise EditionError("Los eerst de fouten op; daarna kun je de editie versturen.")
    approval.required(edition, rendered, actor)
    try:
        recipients = segments.count(segments.resolve(edition.segment))
    except segments.SegmentError as exc:
        raise EditionError(str(exc)) from None
    if recipients == 0:
        raise EditionError("Er zijn (nog) geen aangemelde lezers in de doelgroep van deze editie.")
    return recipients


def publish(edition_id: int, actor: Actor | None = None) -> Edition:
    """Freeze the audience now and start sending (the fan-out is queued after the commit)."""
    edition = editions.get(edition_id)
    recipients = check_publishable(edition, actor)
    how = approval.required(edition, editions.render(edition), actor)
    editor_id = actor.editor_id if actor else None
    now = utcnow()
    if not transition(
        edition_id,
        {EditionState.draft, EditionState.scheduled},
        unchanged_since=edition.updated_at,  # the version checked above is the one that goes
        state=EditionState.sending,
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
    enqueue_after_commit("fan_out", edition_id)
    db.session.commit()
    db.session.refresh(edition)
    return edition


def pause(edition_id: int, note: str | None = None, actor: Actor | None = None) -> bool:
    changed = transition(
        edition_id, {EditionState.sending}, state=EditionState.paused, state_note=note
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
    changed = transition(
        edition_id, {EditionState.paused}, state=EditionState.sending, state_note=None
    )
    if changed:
        record(actor, "resume", f"editie {edition_id}")
    db.session.commit()
    if changed:
        relays.reset(current_app.config["SETTINGS"].relays)
    return changed


def cancel(edition_id: int, actor: Actor | None = None) -> bool:
    """The rest stays unsent; rows already handed to the relay stay as they are."""
    changed = transition(
        edition_id,
        {EditionState.sending, EditionState.paused},
        state=EditionState.cancelled,
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
    changed = transition(
        edition_id,
        {EditionState.sending},
        state=EditionState.sent,
        sent_at=utcnow(),
        archive_html=web_version,
    )
    if changed:
        edition = editions.get(edition_id)
        db.session.refresh(edition)
        outbox.emit("edition.sent", {"edition": {
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
            transition(
                edition.id,
                {EditionState.scheduled},
                state=EditionState.draft,
                state_note="Niet verzonden: het geplande moment is gemist (de dienst lag stil). "
                "Plan opnieuw in of verstuur nu.",
            )
            enqueue_after_commit("send_editor_notice", notices.SCHEDULE_MISSED, edition.id)
            db.session.commit()
            continue
        try:
            publish(edition.id, CLOCK)
            started.append(edition.id)
        except EditionError as exc:
            db.session.rollback()
            transition(
                edition.id,
                {EditionState.scheduled},
                state=EditionState.draft,
                state_note=f"Niet verzonden op het geplande moment: {exc}",
            )
            enqueue_after_commit("send_editor_notice", notices.SCHEDULE_MISSED, edition.id)
            db.session.commit()
    return started

"""Sending one delivery: claim it, post it signed, note the answer, and plan the next try.

A delivery is claimed with a guarded UPDATE that moves its next attempt a few minutes ahead,
so two messages for it (a redelivery, the clock's sweep) never post it twice at once; the
transaction is closed before the HTTP call. When the retries run out (about a day with the
default waits) the delivery fails, and a receiver that has not answered well since that
delivery was made is switched off; the beheerders get a mail.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from newsletter.auth.audit import AUTOMATIC, record
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.webhooks import signing, targets
from newsletter.webhooks.models import Webhook, WebhookDelivery

CLAIM = timedelta(minutes=2)  # longer than one attempt can take (10 s time-out)
LOST_AFTER = timedelta(seconds=60)  # a due delivery nobody claimed: its message was lost
KEEP = timedelta(days=7)  # finished deliveries stay visible this long (they hold personal data)
USER_AGENT = "OVER-het-ravijn-webhooks/1"


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == "pending",
            (WebhookDelivery.next_attempt_at.is_(None))
            | (WebhookDelivery.next_attempt_at <= now + timedelta(seconds=2)),
        )
        .values(next_attempt_at=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def deliver(delivery_id: int) -> str | None:
    """Try once; returns the note (None: nothing to do now)."""
    if not _claim(delivery_id):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    hook = delivery.webhook if delivery else None
    if delivery is None or hook is None:
        return None
    settings = current_app.config["SETTINGS"]
    status, note = None, ""
    if not hook.enabled:
        note = "ontvanger staat uit"
    else:
        try:
            target = targets.check(hook.url, allow_private=settings.webhook_allow_private,
                                   production=settings.is_production)  # fmt: skip
        except targets.TargetRefused as exc:
            note = str(exc)
        else:
            body = delivery.payload.encode()
            stamp = int(time.time())
            db.session.commit()  # no transaction stays open during the call
            status, note = targets.post(target, body, {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "webhook-id": delivery.message_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": signing.sign(hook.secret, delivery.message_id, stamp, body),
            })  # fmt: skip
    _note(delivery, hook, status is not None and 200 <= status < 300, note)
    return note


def _note(delivery: WebhookDelivery, hook: Webhook, ok: bool, note: str) -> None:
    now = utcnow()
    delivery.attempts += 1
    delivery.last_status = hook.last_status = note[:120]
    hook.last_attempt_at = now
    if ok:
        delivery.state, delivery.finished_at, delivery.next_attempt_at = "delivered", now, None
        hook.last_success_at = now
        db.session.commit()
        return
    waits = current_app.config["SETTINGS"].webhook_retry_seconds
    if hook.enabled and delivery.attempts <= len(waits):
        wait = waits[delivery.attempts - 1]
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        enqueue_after_commit("deliver_webhook", delivery.id, delay=wait)
    else:
        delivery.state, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
        if hook.enabled and (
            hook.last_success_at is None or hook.last_success_at < delivery.created_at
        ):
            _switch_off(hook, f"geen goed antwoord sinds {delivery.created_at:%d-%m-%Y %H:%M} UTC")
    db.session.commit()


def _switch_off(hook: Webhook, why: str) -> None:
    hook.enabled, hook.disabled_reason = False, why[:300]
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.state == "pending")
        .values(state="failed", finished_at=utcnow(), last_status="ontvanger uitgezet")
        .execution_options(synchronize_session=False)
    )
    record(AUTOMATIC, "webhook-disabled", f"webhook {hook.id}", why)
    enqueue_after_commit("send_webhook_notice", hook.id)


def sweep() -> int:
    """The clock's part: deliveries whose message went missing are queued again; finished ones
    older than a week are removed. Returns how many were queued."""
    now = utcnow()
    lost = db.session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.state == "pending",
            (
                WebhookDelivery.next_attempt_at.is_(None)
                & (WebhookDelivery.created_at < now - LOST_AFTER)
            )
            | (WebhookDelivery.next_attempt_at < now - LOST_AFTER),
        )
        .limit(1000)
    ).all()
    for delivery_id in lost:
        enqueue_after_commit("deliver_webhook", delivery_id)
    db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.state != "pending", WebhookDelivery.finished_at < now - KEEP
        )
    )
    db.session.commit()
    return len(lost)

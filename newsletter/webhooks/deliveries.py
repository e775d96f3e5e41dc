"""Sending one delivery: claim it, post it signed, note the answer, and plan the next try.

The claim is a guarded UPDATE that counts the attempt and moves the next one a few minutes
ahead, so two messages for one delivery (a redelivery, the clock's sweep) never post it twice
at once, and an attempt that never reports back (a worker killed mid-call) still counts. No
transaction is open during the HTTP call. When a receiver seems down (no answer, 5xx, 429) it
rests until that delivery's next try, and its other deliveries wait for that too: a dead
receiver costs a few calls per round (one per free thread), not one per event. When the
retries run out (about a day with the default waits) the delivery fails, and a receiver that
has not answered well since that delivery was made is switched off; the beheerders get one
mail.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from newsletter import jobs
from newsletter.auth.audit import AUTOMATIC, record
from newsletter.database import database_now
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.webhooks import signing, targets
from newsletter.webhooks.events import CLAIM_SECONDS
from newsletter.webhooks.models import Webhook, WebhookDelivery
from newsletter.webhooks.models import WebhookDeliveryState as W

log = logging.getLogger(__name__)
CLAIM = timedelta(seconds=CLAIM_SECONDS)  # longer than one attempt (the actor stops at 60 s)
LOST_AFTER = timedelta(seconds=60)  # a due delivery nobody claimed: its message was lost
KEEP = timedelta(days=7)  # finished deliveries stay visible this long (they hold personal data)
USER_AGENT = "OVER-het-ravijn-webhooks/1"


def _claim(delivery_id: int) -> bool:
    now = database_now(db.session)
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == W.pending,
            (WebhookDelivery.next_attempt_at.is_(None))
            | (WebhookDelivery.next_attempt_at <= now + timedelta(seconds=2)),
        )
        .values(next_attempt_at=now + CLAIM, attempts=WebhookDelivery.attempts + 1)
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
        db.session.commit()
        return None
    waits = current_app.config["SETTINGS"].webhook_retry_seconds
    now = database_now(db.session)
    if hook.enabled and hook.paused_until and hook.paused_until > now + timedelta(seconds=2):
        return _postpone(delivery, hook)
    if not hook.enabled or delivery.attempts > len(waits) + 1:
        note = "ontvanger staat uit" if not hook.enabled else "geen antwoord gemeld"
        _note(delivery_id, False, note)
        return note
    url, secret, message_id = hook.url, hook.secret, delivery.message_id
    body = delivery.payload.encode()
    db.session.commit()  # nothing is read from here until the answer: no open transaction
    ok, down, note = _post(url, secret, message_id, body)
    _note(delivery_id, ok, note, down=down)
    return note


def _post(url: str, secret: str, message_id: str, body: bytes) -> tuple[bool, bool, str]:
    """(delivered, the receiver seems down: no answer, 5xx or 429, the note)."""
    settings = current_app.config["SETTINGS"]
    try:
        target = targets.check(url, allow_private=settings.webhook_allow_private,
                               production=settings.is_production)  # fmt: skip
    except targets.TargetRefused as exc:
        return False, False, str(exc)
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signing.sign(secret, message_id, stamp, body),
    }
    try:
        status, note = targets.post(target, body, headers)
    except Exception:  # whatever the receiver does, the attempt is noted
        log.exception("webhook post failed")
        return False, True, "geen verbinding"
    down = status is None or status >= 500 or status == 429
    return status is not None and 200 <= status < 300, down, note


def _postpone(delivery: WebhookDelivery, hook: Webhook) -> None:
    """The receiver rests: this delivery waits until then, and the claim's count is undone."""
    delivery.attempts -= 1
    delivery.next_attempt_at = hook.paused_until
    wait = (hook.paused_until - database_now(db.session)).total_seconds()  # type: ignore[operator]
    enqueue_after_commit(jobs.DELIVER_WEBHOOK, delivery.id, delay=max(wait, 0.1))
    db.session.commit()


def _note(delivery_id: int, ok: bool, note: str, *, down: bool = False) -> None:
    """The outcome. Only a receiver that seems down (no answer, 5xx, 429) rests; a 4xx for one
    payload delays that delivery alone."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # erased in the meantime: nothing to note
        db.session.commit()
        return
    hook = delivery.webhook
    now = database_now(db.session)
    delivery.last_status = hook.last_status = note[:120]
    hook.last_attempt_at = now
    if ok:
        delivery.state, delivery.finished_at, delivery.next_attempt_at = W.delivered, now, None
        hook.last_success_at, hook.paused_until = now, None
        db.session.commit()
        return
    waits = current_app.config["SETTINGS"].webhook_retry_seconds
    if hook.enabled and delivery.attempts <= len(waits):
        wait = waits[delivery.attempts - 1]
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        if down:
            hook.paused_until = max(hook.paused_until or now, delivery.next_attempt_at)
        enqueue_after_commit(jobs.DELIVER_WEBHOOK, delivery.id, delay=wait)
    else:
        delivery.state, delivery.finished_at, delivery.next_attempt_at = W.failed, now, None
        if hook.last_success_at is None or hook.last_success_at < delivery.created_at:
            _switch_off(
                hook.id, f"geen goed antwoord sinds {delivery.created_at:%d-%m-%Y %H:%M} UTC"
            )
    db.session.commit()


def _switch_off(hook_id: int, why: str) -> None:
    """Once: a guarded UPDATE, so two deliveries giving up together send one mail."""
    switched = db.session.execute(
        update(Webhook)
        .where(Webhook.id == hook_id, Webhook.enabled)
        .values(enabled=False, disabled_reason=why[:300], paused_until=None)
        .execution_options(synchronize_session=False)
    )
    if switched.rowcount != 1:
        return
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook_id, WebhookDelivery.state == W.pending)
        .values(
            state=W.failed, finished_at=database_now(db.session), last_status="ontvanger uitgezet"
        )
        .execution_options(synchronize_session=False)
    )
    record(AUTOMATIC, "webhook-disabled", f"webhook {hook_id}", why)
    enqueue_after_commit(jobs.SEND_WEBHOOK_NOTICE, hook_id)


def sweep() -> int:
    """The clock's part: deliveries whose message went missing (or whose claim ran out) are
    queued again, once per minute at most; finished ones older than a week are removed.
    Returns how many were queued."""
    now = database_now(db.session)
    stale = (
        WebhookDelivery.next_attempt_at.is_(None) & (WebhookDelivery.created_at < now - LOST_AFTER)
    ) | (WebhookDelivery.next_attempt_at < now - LOST_AFTER)
    lost = db.session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.state == W.pending, stale).limit(1000)
    ).all()
    if lost:  # the same test again: a row claimed in between keeps its claim
        lost = db.session.scalars(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(lost), WebhookDelivery.state == W.pending, stale)
            .values(next_attempt_at=now)  # due now; the next sweep waits another minute
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        ).all()
    for delivery_id in lost:
        enqueue_after_commit(jobs.DELIVER_WEBHOOK, delivery_id)
    db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.state != W.pending, WebhookDelivery.finished_at < now - KEEP
        )
    )
    db.session.commit()
    return len(lost)

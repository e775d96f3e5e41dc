"""Registering receivers, switching them on and off, and what the page shows of them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from newsletter.auth.audit import Actor, record
from newsletter.extensions import db
from newsletter.webhooks import signing, targets
from newsletter.webhooks.events import EVENTS
from newsletter.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryState

MAX_HOOKS = 20


class WebhookRefused(ValueError):
    """A registration we cannot make; the message says why, in Dutch."""


@dataclass(frozen=True)
class Registered:
    hook: Webhook
    secret: str  # shown once on the page that answers the registration


def register(url: str, events: list[str], actor: Actor) -> Registered:
    settings = current_app.config["SETTINGS"]
    chosen = [e for e in EVENTS if e in events]
    if not chosen or len(chosen) != len(set(events)):
        raise WebhookRefused("Kies een of meer gebeurtenissen uit de lijst.")
    try:
        targets.check(url, allow_private=settings.webhook_allow_private,
                      production=settings.is_production)  # fmt: skip
    except targets.TargetRefused as exc:
        raise WebhookRefused(str(exc)) from None
    if db.session.scalar(select(Webhook.id).where(Webhook.url == url.strip())) is not None:
        raise WebhookRefused("Er is al een webhook naar dit adres.")
    if db.session.scalar(select(func.count()).select_from(Webhook)) >= MAX_HOOKS:
        raise WebhookRefused(f"Er zijn al {MAX_HOOKS} webhooks; verwijder er eerst een.")
    secret = signing.new_secret()
    hook = Webhook(url=url.strip(), events=" ".join(chosen), secret=secret,
                   created_by=actor.editor_id)  # fmt: skip
    db.session.add(hook)
    db.session.flush()
    record(actor, "webhook-added", f"webhook {hook.id}", f"{url.strip()[:200]}: {' '.join(chosen)}")
    db.session.commit()
    return Registered(hook, secret)


def switch(hook: Webhook, on: bool, actor: Actor) -> None:
    hook.enabled, hook.paused_until = on, None
    hook.disabled_reason = None if on else "uitgezet door een beheerder"
    record(actor, "webhook-enabled" if on else "webhook-disabled", f"webhook {hook.id}")
    db.session.commit()


def remove(hook: Webhook, actor: Actor) -> None:
    record(actor, "webhook-removed", f"webhook {hook.id}", hook.url[:200])
    db.session.delete(hook)
    db.session.commit()


@dataclass(frozen=True)
class Shown:
    hook: Webhook
    pending: int
    delivered: int
    failed: int


#: the order of Shown's counts
SHOWN_STATES = (
    WebhookDeliveryState.pending,
    WebhookDeliveryState.delivered,
    WebhookDeliveryState.failed,
)


def overview() -> list[Shown]:
    counts: dict[tuple[int, WebhookDeliveryState], int] = {
        (hook_id, state): n
        for hook_id, state, n in db.session.execute(
            select(WebhookDelivery.webhook_id, WebhookDelivery.state, func.count()).group_by(
                WebhookDelivery.webhook_id, WebhookDelivery.state
            )
        )
    }
    hooks = db.session.scalars(select(Webhook).order_by(Webhook.id)).all()
    return [Shown(h, *(counts.get((h.id, state), 0) for state in SHOWN_STATES)) for h in hooks]

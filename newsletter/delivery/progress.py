"""How far a send is: counts from the ledger, rate over the last minute, time left."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

import redis
from flask import current_app

from newsletter.database import utcnow
from newsletter.delivery import ledger, limits
from newsletter.delivery.ledger import DeliveryState
from newsletter.editions.models import STATE_LABELS, Edition
from newsletter.extensions import db
from newsletter.formatting import duration, number

RATE_WINDOW = 60


@dataclass(frozen=True)
class Progress:
    edition_id: int
    state: str
    state_label: str
    note: str | None
    total: int
    snapshot_done: bool
    sent: int
    failed: int
    skipped: int
    pending: int
    rate: float  # messages per second over the last minute
    eta_seconds: int | None
    relay: str | None = None  # host:port the batches go to now
    relay_is_fallback: bool = False  # not the first relay in SMTP_URL: that one is down

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def listing(self) -> bool:
        """The audience is still being written to the ledger: counts are not final yet."""
        return not self.snapshot_done and self.state in ("sending", "paused")

    def texts(self) -> dict[str, str]:
        """The figures as the page shows them, in Dutch (1.234; 19,4 per seconde; 3 minuten)."""
        making = "lijst wordt gemaakt…"
        return {
            "total_text": making if self.listing else number(self.total),
            "pending_text": making if self.listing else number(self.pending),
            "sent_text": number(self.sent),
            "failed_text": number(self.failed),
            "skipped_text": number(self.skipped),
            "rate_text": f"{number(self.rate, 1)} per seconde" if self.rate else "–",
            "eta_text": duration(self.eta_seconds) if self.eta_seconds is not None else "–",
            "relay_text": self.relay_text(),
        }

    def relay_text(self) -> str:
        if not self.relay or self.state not in ("sending", "paused"):
            return "–"
        if self.relay_is_fallback:
            return f"{self.relay} (reserve: de eerste mailserver is nu niet bereikbaar)"
        return self.relay

    def as_dict(self) -> dict[str, object]:
        running = self.state in ("sending", "paused")  # the page keeps polling while so
        return (
            asdict(self)
            | self.texts()
            | {"done": self.done, "percent": self.percent, "running": running}
        )


def progress(edition: Edition) -> Progress:
    counts = ledger.counts(edition.id)
    now = utcnow()
    started = edition.published_at or now
    window = min(RATE_WINDOW, max(1.0, (now - started).total_seconds()))
    since = now - timedelta(seconds=window)
    recent = ledger.sent_since(edition.id, since)
    db.session.commit()
    sent, failed = counts.get(DeliveryState.sent, 0), counts.get(DeliveryState.failed, 0)
    skipped, pending = counts.get(DeliveryState.skipped, 0), counts.get(DeliveryState.pending, 0)
    rate = (recent or 0) / window
    return Progress(
        edition_id=edition.id,
        state=edition.state.value,
        state_label=STATE_LABELS[edition.state],
        note=edition.state_note,
        total=sent + failed + skipped + pending,
        snapshot_done=edition.snapshot_done,
        sent=sent,
        failed=failed,
        skipped=skipped,
        pending=pending,
        rate=round(rate, 1),
        eta_seconds=int(pending / rate) if rate and pending else None,
        **_relay(edition.id),
    )


def _relay(edition_id: int) -> dict[str, object]:
    try:
        label = limits.relay_of(edition_id)
    except redis.RedisError:
        return {}
    first = current_app.config["SETTINGS"].smtp_url.label
    return {"relay": label, "relay_is_fallback": bool(label) and label != first}

"""What the relay and the mailbox providers report back: bounces and complaints."""

from __future__ import annotations

from newsletter.extensions import db
from newsletter.subscribers.lifecycle.core import (
    S,
    add_event,
    change_state,
)
from newsletter.subscribers.models import (
    ConsentKind,
    ConsentSource,
    new_public_id,
)


def bounce(subscriber_id: int, source: ConsentSource, detail: str) -> bool:
    """A hard bounce: an active subscriber is not mailed again until they confirm anew.

    Someone who left stays "unsubscribed"; True when this call changed the state.
    """
    changed = change_state(subscriber_id, [S.active], state=S.bounced)
    if changed:
        add_event(subscriber_id, ConsentKind.bounced, source, detail=detail[:200])
    db.session.commit()
    return changed


def refused_by_relay(subscriber_id: int, code: str) -> bool:
    """A 5xx at RCPT while sending: the address itself is bad."""
    return bounce(subscriber_id, ConsentSource.relay, f"{code} bij RCPT")


def bounce_reported(subscriber_id: int, status: str) -> bool:
    """A DSN that answers our own message reports a hard bounce."""
    return bounce(subscriber_id, ConsentSource.bounce_report, f"DSN {status}")


def complain(subscriber_id: int, detail: str) -> bool:
    """A spam complaint stops all mail at once, whatever the state was."""
    changed = change_state(
        subscriber_id,
        [s for s in S if s != S.complained],
        state=S.complained,
        confirm_nonce=new_public_id(),
    )
    if changed:
        add_event(
            subscriber_id, ConsentKind.complained, ConsentSource.complaint_report, detail=detail
        )
    db.session.commit()
    return changed

"""The one writer of a ledger row's state, in the shape of editions/states.py and
subscribers/lifecycle/core.py: `TRANSITIONS`, and `change_state`, one guarded UPDATE conditional
on the state it expects. A row is written pending by the snapshot; the batch marks it sent,
failed or skipped after the relay's answer (`marks.Marks`, the hot path: the same transition
in one statement of its own, checked against this table); a bounce report fails a sent one.
See docs/architecture.md#one-writer-per-state.
"""

from __future__ import annotations

from newsletter.database import StateWriter
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.extensions import db

S = DeliveryState

#: from → the states it may go to; a write that keeps the state needs no entry
TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    S.pending: frozenset({S.sent, S.failed, S.skipped}),
    S.sent: frozenset({S.failed}),  # a bounce report after the relay took it
    S.failed: frozenset(),
    S.skipped: frozenset(),
}
#: what a batch marks a claimed (pending) row with
MARKED = TRANSITIONS[S.pending]


#: one guarded UPDATE (the caller commits): `change_state(row_id, expected, state, where=…)`
change_state = StateWriter(Delivery, TRANSITIONS, lambda: db.session)

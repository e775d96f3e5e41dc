"""The one writer of an edition's state, and the one answer to "may this edition go out?".

Every change of `Edition.state` is one guarded UPDATE in `change_state`, conditional on the
state the caller expects: of two editors, or an editor and the clock, racing for the same
edition, one wins and the other changes nothing and is told so. `TRANSITIONS` is the whole
life of an edition; `check_sendable` is used by the page, the API, the CLI and the clock.
See docs/architecture.md#one-writer-per-state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from newsletter.auth.audit import Actor
from newsletter.database import StateWriter, utcnow
from newsletter.editions import approval
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE, Edition, EditionState
from newsletter.editions.renders import render
from newsletter.extensions import db
from newsletter.rendering.edition import RenderedEdition
from newsletter.subscribers import segments

S = EditionState

#: from → the states it may go to; a write that keeps the state needs no entry
TRANSITIONS: dict[EditionState, frozenset[EditionState]] = {
    S.draft: frozenset({S.scheduled, S.sending}),
    S.scheduled: frozenset({S.draft, S.sending}),
    S.sending: frozenset({S.paused, S.cancelled, S.sent}),
    S.paused: frozenset({S.sending, S.cancelled}),
    S.sent: frozenset(),
    S.cancelled: frozenset(),
}

_write = StateWriter(Edition, TRANSITIONS, lambda: db.session, stamp="updated_at")
NOT_EDITABLE = "Deze editie is al verzonden of wordt verzonden en kan niet meer veranderen."


def change_state(
    edition_id: int,
    expected: Iterable[EditionState],
    state: EditionState | None = None,
    *,
    unchanged_since: datetime | None = None,
    **values: object,
) -> bool:
    """One guarded UPDATE (the caller commits): only while the edition is in one of the
    `expected` states, and with `unchanged_since` only if nobody saved it after that moment.
    Without `state` it writes other columns under the same guard (a draft's save). True when
    the row changed; False when another writer came first."""
    guard = [Edition.updated_at == unchanged_since] if unchanged_since is not None else []
    return _write(edition_id, expected, state, where=guard, **values)


def state_of(edition_id: int) -> EditionState | None:
    state = db.session.scalar(select(Edition.state).where(Edition.id == edition_id))
    db.session.commit()  # end the read transaction: the next look must see fresh data
    return state


@dataclass(frozen=True)
class Sendable:
    recipients: int  # readers in the audience now
    how: str  # how four-eyes was met, for the audit
    rendered: RenderedEdition


def check_sendable(
    edition: Edition,
    actor: Actor | None,
    *,
    when: datetime | None = None,
) -> Sendable:
    """May this edition go out now (or, with `when`, be planned for then)? EditionError in
    Dutch when not: not a draft or planned edition, a moment in the past, errors in the text,
    an audience that does not exist (or, to send now, is empty), or four eyes not met
    (editions/approval.py)."""
    if edition.state not in EDITABLE:
        raise EditionError(NOT_EDITABLE)
    if when is not None and when <= utcnow():
        raise EditionError("Kies een moment in de toekomst.")
    doing = "inplannen" if when is not None else "versturen"
    rendered = render(edition)
    if not rendered.ok:
        raise EditionError(f"Los eerst de fouten op; daarna kun je de editie {doing}.")
    problems = segments.problems(rendered.front.segment)
    if problems:
        raise EditionError(f"De doelgroep klopt niet: {problems[0]}")
    how = approval.required(edition, rendered, actor)
    try:
        recipients = segments.count(segments.resolve(edition.segment))
    except segments.SegmentError as exc:
        raise EditionError(str(exc)) from None
    if recipients == 0 and when is None:  # a planned edition may still find its readers
        raise EditionError("Er zijn (nog) geen aangemelde lezers in de doelgroep van deze editie.")
    return Sendable(recipients, how, rendered)

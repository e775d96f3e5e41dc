"""Editions: save drafts, render, test-send, schedule. Business rules live here, and every
change of an edition's state goes through `transition()` (delivery's publish, pause, … too)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update as sql_update

from newsletter.database import utcnow
from newsletter.editions.models import EDITABLE, Edition, EditionState
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.rendering.edition import RenderedEdition, personalise, render_edition
from newsletter.rendering.problems import Problem
from newsletter.urls import external_url


class EditionError(Exception):
    """A rule said no; the message is Dutch and shown to the editor."""


@dataclass(frozen=True)
class Preview:
    rendered: RenderedEdition
    errors: list[Problem]
    warnings: list[Problem]
    text: str  # the text part with sample values in the personal places


def web_url(edition_id: int) -> str:
    return external_url("archive.show", edition_id=str(edition_id))


def render(edition: Edition | str, *, personal: bool = True) -> RenderedEdition:
    source = edition if isinstance(edition, str) else edition.source
    edition_id = None if isinstance(edition, str) else edition.id
    return render_edition(
        source,
        personal=personal,
        web_url=web_url(edition_id) if edition_id else "",
        signup_url=external_url("subscribers.signup"),
    )


SAMPLE = {
    "name": "Voorbeeld",
    "preferences_url": "(persoonlijke link naar de voorkeuren)",
    "unsubscribe_url": "(persoonlijke afmeldlink)",
}


@dataclass(frozen=True)
class Sample:
    subject: str
    html: str
    text: str
    web_url: str


def sample(edition: Edition, name: str = "Voorbeeld") -> Sample:
    """The edition as one mail, its personal links pointing at the web version (tests, previews)."""
    rendered = render(edition)
    url = web_url(edition.id)
    html, text = personalise(
        rendered, {"name": name, "preferences_url": url, "unsubscribe_url": url}
    )
    return Sample(rendered.subject, html, text, url)


def preview(source: str) -> Preview:
    return preview_of(render(source))


def preview_of(rendered: RenderedEdition) -> Preview:
    return Preview(
        rendered,
        [p for p in rendered.problems if p.level == "error"],
        [p for p in rendered.problems if p.level == "warning"],
        personalise(rendered, SAMPLE)[1],
    )


def _apply(edition: Edition, source: str) -> RenderedEdition:
    rendered = render(source)
    front = rendered.front
    edition.source = source
    edition.title = front.title[:150]
    edition.preheader = front.preheader[:200]
    edition.edition_date = front.date
    edition.theme = front.theme
    edition.segment = json.dumps(front.segment, sort_keys=True)
    return rendered


def create(source: str, editor_id: int | None = None) -> tuple[Edition, RenderedEdition]:
    """A new draft; drafts may have problems, publishing may not."""
    edition = Edition(created_by_id=editor_id)
    rendered = _apply(edition, source)
    db.session.add(edition)
    db.session.commit()
    return edition, rendered


def update(edition_id: int, source: str) -> tuple[Edition, RenderedEdition]:
    edition = get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError(
            "Deze editie is al verzonden of wordt verzonden en kan niet meer veranderen."
        )
    rendered = _apply(edition, source)
    db.session.commit()
    return edition, rendered


def get(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        raise EditionError("Deze editie bestaat niet.")
    return edition


def all_editions() -> list[Edition]:
    return list(db.session.scalars(select(Edition).order_by(Edition.id.desc())))


def sent_editions() -> list[Edition]:
    return list(
        db.session.scalars(
            select(Edition)
            .where(Edition.state == EditionState.sent)
            .order_by(Edition.sent_at.desc())
        )
    )


def request_test_send(edition_id: int, editor_id: int) -> None:
    """The editor gets the reader's mail ("[TEST]" before the subject) at their own address."""
    edition = get(edition_id)
    rendered = render(edition)
    if not rendered.ok:
        raise EditionError("Los eerst de fouten op; daarna kun je een test versturen.")
    enqueue_after_commit("send_test_edition", edition.id, editor_id)
    db.session.commit()


def schedule(edition_id: int, when: datetime) -> Edition:
    edition = get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError(
            "Alleen een concept of ingeplande editie kan (opnieuw) worden ingepland."
        )
    if not render(edition).ok:
        raise EditionError("Los eerst de fouten op; daarna kun je de editie inplannen.")
    if when <= utcnow():
        raise EditionError("Kies een moment in de toekomst.")
    edition.state, edition.scheduled_at = EditionState.scheduled, when
    db.session.commit()
    return edition


def unschedule(edition_id: int) -> Edition:
    edition = get(edition_id)
    if edition.state == EditionState.scheduled:
        edition.state, edition.scheduled_at = EditionState.draft, None
        db.session.commit()
    return edition


def transition(edition_id: int, allowed: set[EditionState], **values: object) -> bool:
    """One guarded UPDATE of an edition's state (the caller commits): two editors, or an
    editor and the clock, can never start or finish the same send twice."""
    result = db.session.execute(
        sql_update(Edition)
        .where(Edition.id == edition_id, Edition.state.in_(allowed))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def state_of(edition_id: int) -> EditionState | None:
    state = db.session.scalar(select(Edition.state).where(Edition.id == edition_id))
    db.session.commit()  # end the read transaction: the next look must see fresh data
    return state


def snapshot_finished(edition_id: int, recipients: int) -> None:
    """The audience of a send is frozen in the ledger; the caller commits."""
    db.session.execute(
        sql_update(Edition)
        .where(Edition.id == edition_id)
        .values(snapshot_done=True, recipient_count=recipients)
        .execution_options(synchronize_session=False)
    )

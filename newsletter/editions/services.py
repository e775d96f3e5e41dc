"""Editions: save drafts, test-send, schedule. Business rules live here; every change of an
edition's state goes through `states.change_state` (delivery's publish, pause, … too)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update as sql_update

from newsletter.auth.audit import Actor, record
from newsletter.editions import approval, authorship, states
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE, Edition, EditionState
from newsletter.editions.renders import render, web_url
from newsletter.extensions import db
from newsletter.rendering import canonical
from newsletter.rendering.edition import RenderedEdition, personalise
from newsletter.rendering.problems import Problem
from newsletter.subscribers import segments

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Preview:
    rendered: RenderedEdition
    errors: list[Problem]
    warnings: list[Problem]
    text: str  # the text part with sample values in the personal places


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


def audience_problems(rendered: RenderedEdition) -> list[Problem]:
    """Unknown provinces, roles or municipalities in the audience, with suggestions."""
    return [Problem.error(text) for text in segments.problems(rendered.front.segment)]


def preview_of(rendered: RenderedEdition) -> Preview:
    return Preview(
        rendered,
        [p for p in rendered.problems if p.level == "error"] + audience_problems(rendered),
        [p for p in rendered.problems if p.level == "warning"],
        personalise(rendered, SAMPLE)[1],
    )


def _fields(
    source: str, edition_id: int | None = None
) -> tuple[dict[str, object], RenderedEdition]:
    # one Markdown style whichever way a source comes in (form, editor, source view, CLI):
    # the editor's, so that opening and saving changes no byte (rendering/canonical.py)
    source = canonical.source(source).body
    rendered = render(source, edition_id=edition_id)
    front = rendered.front
    return {
        "source": source,
        "title": front.title[:150],
        "preheader": front.preheader[:200],
        "edition_date": front.date,
        "theme": front.theme,
        "segment": json.dumps(front.segment, sort_keys=True),
    }, rendered


def create(
    source: str, editor_id: int | None = None, *, copy_of: Edition | None = None
) -> tuple[Edition, RenderedEdition]:
    """A new draft by `editor_id` (None: nobody known, so nobody may approve it); drafts may
    have problems, publishing may not. A copy keeps the original's writers (authorship)."""
    values, rendered = _fields(source)
    edition = Edition(created_by_id=editor_id, edited_by_id=editor_id, **values)
    db.session.add(edition)
    db.session.flush()
    authorship.wrote(edition.id, editor_id)
    if copy_of is not None:
        authorship.carry_over(copy_of, edition)
    db.session.commit()
    return edition, rendered


SENT_ALREADY = states.NOT_EDITABLE
CHANGED_MEANWHILE = (
    "Deze editie is net gewijzigd of al verzonden. Bekijk haar opnieuw en probeer het dan weer."
)


UNAPPROVED_NOTE = "Gewijzigd na de goedkeuring: keur opnieuw goed en plan dan opnieuw in."


def update(
    edition_id: int, source: str, actor: Actor | None = None
) -> tuple[Edition, RenderedEdition]:
    """Save a draft. The write itself checks the state, so a save that races a publish loses:
    what goes out is always the version that was checked when it was published.

    A change voids an approval of the earlier version; a scheduled edition that loses its
    approval goes back to draft at once (it would not go out at its time anyway)."""
    edition = get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError(SENT_ALREADY)
    values, rendered = _fields(source, edition_id)
    editor_id = actor.editor_id if actor else None
    # a person who saves a version nobody was known for takes it on, even unchanged
    claims = edition.edited_by_id is None and editor_id is not None
    changed = values["source"] != edition.source
    if changed or claims:
        values["edited_by_id"] = editor_id
    if not states.change_state(edition_id, EDITABLE, **values):
        db.session.rollback()
        raise EditionError(SENT_ALREADY)
    if "edited_by_id" in values:
        authorship.wrote(edition_id, editor_id)
    new_print = approval.fingerprint(rendered, str(values["segment"]))
    voided = approval.void_outdated(edition_id, new_print, actor)
    unapproved = approval.four_eyes() and edition.state == EditionState.scheduled and changed
    if unapproved and (voided or approval.matching(edition_id, new_print) is None):
        states.change_state(
            edition_id,
            {EditionState.scheduled},
            EditionState.draft,
            scheduled_at=None,
            state_note=UNAPPROVED_NOTE,
        )
        record(actor, "unschedule", f"editie {edition_id}", "goedkeuring vervallen")
    db.session.commit()
    db.session.refresh(edition)
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


def schedule(edition_id: int, when: datetime, actor: Actor | None = None) -> Edition:
    edition = get(edition_id)
    how = states.check_sendable(edition, actor, when=when).how
    if not states.change_state(
        edition_id,
        EDITABLE,
        EditionState.scheduled,
        unchanged_since=edition.updated_at,  # the version checked above is the one planned
        scheduled_at=when,
        state_note=None,
    ):
        db.session.rollback()
        raise EditionError(CHANGED_MEANWHILE)
    record(
        actor,
        "schedule",
        f"editie {edition_id}",
        f"voor {when.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}, {how}",
    )
    db.session.commit()
    db.session.refresh(edition)
    return edition


def unschedule(edition_id: int, actor: Actor | None = None) -> Edition:
    """Planned → draft; when the clock started the send first, nothing changes and the
    editor is told so (the send goes on)."""
    edition = get(edition_id)
    changed = states.change_state(
        edition_id, {EditionState.scheduled}, EditionState.draft, scheduled_at=None
    )
    if changed:
        record(actor, "unschedule", f"editie {edition_id}")
    db.session.commit()
    db.session.refresh(edition)
    if not changed and edition.state != EditionState.draft:
        raise EditionError("Deze editie was niet meer ingepland; ze wordt misschien al verzonden.")
    return edition


def snapshot_finished(edition_id: int, recipients: int) -> None:
    """The audience of a send is frozen in the ledger; the caller commits."""
    db.session.execute(
        sql_update(Edition)
        .where(Edition.id == edition_id)
        .values(snapshot_done=True, recipient_count=recipients)
        .execution_options(synchronize_session=False)
    )


def archive_html(edition: Edition) -> str:
    """The web version of a sent edition (no personal links, an <article> for the archive's
    page), rendered once and kept. A whole mail document stored there by the previous release
    (during a rolling deploy, docs/operations.md#rolling-deploys) is not a page: it is
    rendered again and replaced, so a page never nests a mail."""
    stored = edition.archive_html
    if stored is None or stored.lstrip()[:9].lower() == "<!doctype":
        html = render(edition, personal=False).web
        kept = Edition.archive_html.is_(None) if stored is None else Edition.archive_html == stored
        db.session.execute(
            sql_update(Edition)
            .where(Edition.id == edition.id, kept)
            .values(archive_html=html)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return html
    return stored

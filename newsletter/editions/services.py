"""Editions: save drafts, render, test-send, schedule. Business rules live here, and every
change of an edition's state goes through `transition()` (delivery's publish, pause, … too)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update as sql_update

from newsletter import metrics
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor
from newsletter.database import utcnow
from newsletter.editions import approval
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE, Edition, EditionState
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.rendering.edition import RenderedEdition, personalise, render_edition
from newsletter.rendering.problems import Problem
from newsletter.subscribers import addresses, segments
from newsletter.urls import external_url

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Preview:
    rendered: RenderedEdition
    errors: list[Problem]
    warnings: list[Problem]
    text: str  # the text part with sample values in the personal places


def web_url(edition_id: int) -> str:
    return external_url("archive.show", edition_id=str(edition_id))


_rendered: OrderedDict[tuple[str, int | None, bool, str], RenderedEdition] = OrderedDict()
_rendered_lock = threading.Lock()


def render(
    edition: Edition | str, *, personal: bool = True, edition_id: int | None = None
) -> RenderedEdition:
    """Render, or reuse this process's render of the same text: an autosave renders once, and
    the previews that reload after it (desktop, phone) find it ready."""
    source = edition if isinstance(edition, str) else edition.source
    edition_id = edition_id if isinstance(edition, str) else edition.id
    # the links in a render come from BASE_URL: a changed setting is another render
    base = current_app.config["SETTINGS"].base_url
    key = (base, edition_id, personal, hashlib.sha256(source.encode()).hexdigest())
    with _rendered_lock:
        found = _rendered.get(key)
    if found is not None:
        return found
    with metrics.RENDER_SECONDS.time():
        rendered = _render(source, personal, edition_id)
    with _rendered_lock:
        _rendered[key] = rendered
        while len(_rendered) > 32:
            _rendered.popitem(last=False)
    return rendered


def _render(source: str, personal: bool, edition_id: int | None) -> RenderedEdition:
    return render_edition(
        source,
        personal=personal,
        web_url=web_url(edition_id) if edition_id else "",
        signup_url=external_url("subscribers.signup"),
        own_media=external_url("media.show", name="x")[:-1],  # …/media/
        privacy_url=external_url("subscribers.privacy"),
        archive_url=external_url("archive.index"),
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


def audience_problems(rendered: RenderedEdition) -> list[Problem]:
    """Unknown provinces, roles or municipalities in the audience, with suggestions."""
    return [Problem.error(text) for text in segments.problems(rendered.front.segment)]


def check_ready(edition: Edition, doing: str) -> RenderedEdition:
    """EditionError unless the edition renders without errors and its audience exists."""
    rendered = render(edition)
    if not rendered.ok:
        raise EditionError(f"Los eerst de fouten op; daarna kun je de editie {doing}.")
    audience = audience_problems(rendered)
    if audience:
        raise EditionError(f"De doelgroep klopt niet: {audience[0].message}")
    return rendered


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


def create(source: str, editor_id: int | None = None) -> tuple[Edition, RenderedEdition]:
    """A new draft; drafts may have problems, publishing may not."""
    values, rendered = _fields(source)
    edition = Edition(created_by_id=editor_id, **values)
    db.session.add(edition)
    db.session.commit()
    return edition, rendered


SENT_ALREADY = "Deze editie is al verzonden of wordt verzonden en kan niet meer veranderen."


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
    if source != edition.source:
        values["edited_by_id"] = actor.editor_id if actor else None
    if not transition(edition_id, EDITABLE, **values):
        db.session.rollback()
        raise EditionError(SENT_ALREADY)
    new_print = approval.fingerprint(rendered, str(values["segment"]))
    voided = approval.void_outdated(edition_id, new_print, actor)
    changed = source != edition.source
    unapproved = approval.four_eyes() and edition.state == EditionState.scheduled and changed
    if unapproved and (voided or approval.matching(edition_id, new_print) is None):
        transition(
            edition_id,
            {EditionState.scheduled},
            state=EditionState.draft,
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


TEST_ADDRESSES_MAX = 5


def test_addresses(text: str) -> list[str]:
    """Up to five addresses, one per line or with commas between; EditionError names a wrong one."""
    found: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        try:
            address = addresses.normalise_email(part).address
        except addresses.InvalidEmail:
            raise EditionError(f"‘{part.strip()[:80]}’ is geen e-mailadres.") from None
        if address not in found:
            found.append(address)
    if len(found) > TEST_ADDRESSES_MAX:
        raise EditionError(f"Hoogstens {TEST_ADDRESSES_MAX} testadressen tegelijk.")
    return found


def request_test_send(edition_id: int, editor_id: int, to: str = "") -> list[str]:
    """The reader's mail ("[TEST]" before the subject) to up to five addresses, or to the
    editor's own; returns where it goes."""
    edition = get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError("Deze editie is al verzonden; een test is niet meer nodig.")
    rendered = render(edition)
    if not rendered.ok:
        raise EditionError("Los eerst de fouten op; daarna kun je een test versturen.")
    chosen = test_addresses(to)
    editor = db.session.get(Editor, editor_id)
    if editor is None:
        raise EditionError("Je account bestaat niet meer.")
    editor.test_addresses = "\n".join(chosen)  # remembered; the queue carries the index only
    for index in range(len(chosen)) if chosen else [-1]:
        enqueue_after_commit("send_test_edition", edition.id, editor_id, index)
    db.session.commit()
    return chosen or [editor.email]


def schedule(edition_id: int, when: datetime, actor: Actor | None = None) -> Edition:
    edition = get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError(
            "Alleen een concept of ingeplande editie kan (opnieuw) worden ingepland."
        )
    rendered = check_ready(edition, "inplannen")
    if when <= utcnow():
        raise EditionError("Kies een moment in de toekomst.")
    how = approval.required(edition, rendered, actor)
    edition.state, edition.scheduled_at, edition.state_note = EditionState.scheduled, when, None
    record(
        actor,
        "schedule",
        f"editie {edition_id}",
        f"voor {when.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}, {how}",
    )
    db.session.commit()
    return edition


def unschedule(edition_id: int, actor: Actor | None = None) -> Edition:
    edition = get(edition_id)
    if edition.state == EditionState.scheduled:
        edition.state, edition.scheduled_at = EditionState.draft, None
        record(actor, "unschedule", f"editie {edition_id}")
        db.session.commit()
    return edition


def transition(
    edition_id: int,
    allowed: set[EditionState],
    *,
    unchanged_since: datetime | None = None,
    **values: object,
) -> bool:
    """One guarded UPDATE of an edition's state (the caller commits): two editors, or an
    editor and the clock, can never start or finish the same send twice; with
    `unchanged_since`, only if nobody saved the edition after that moment."""
    guard = [Edition.updated_at == unchanged_since] if unchanged_since is not None else []
    result = db.session.execute(
        sql_update(Edition)
        .where(Edition.id == edition_id, Edition.state.in_(allowed), *guard)
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


def archive_html(edition: Edition) -> str:
    """The web version of a sent edition (no personal links, an <article> for the archive's
    page), rendered once and kept."""
    if edition.archive_html is None:
        html = render(edition, personal=False).web
        db.session.execute(
            sql_update(Edition)
            .where(Edition.id == edition.id, Edition.archive_html.is_(None))
            .values(archive_html=html)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return html
    return edition.archive_html

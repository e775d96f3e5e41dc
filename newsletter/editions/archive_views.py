"""/archief: only sent editions, never drafts or scheduled ones."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, render_template
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from newsletter.editions import services
from newsletter.editions.models import EditionState
from newsletter.extensions import limiter
from newsletter.rendering import agenda
from newsletter.urls import external_url

bp = Blueprint("archive", __name__, url_prefix="/archief")
#: a reader reads a few pages a minute; a scraper that asks more gets a Dutch 429 page
ARCHIVE_LIMIT = "120 per minute"


@bp.get("/")
@limiter.limit(ARCHIVE_LIMIT)
def index() -> str:
    return render_template("site/archive.html", editions=services.sent_editions())


@bp.get("/<int:edition_id>")
@limiter.limit(ARCHIVE_LIMIT)
def show(edition_id: int) -> str:
    """The web version stored when the edition was sent, in the site's own page (a page, not
    a mail: landmarks, no layout tables), with Open Graph for a shared link (no tracking)."""
    try:
        edition = services.get(edition_id)
    except services.EditionError:
        abort(404)
    if edition.state != EditionState.sent:
        abort(404)
    return render_template(
        "site/archive_edition.html",
        edition=edition,
        article=Markup(services.archive_html(edition)),  # noqa: S704 - our render, escaped
        url=external_url("archive.show", edition_id=str(edition.id)),
    )


@bp.get("/<int:edition_id>/agenda/<int:number>.ics")
@limiter.limit(ARCHIVE_LIMIT)
def agenda_item(edition_id: int, number: int) -> Response:
    """One date of an edition for the reader's calendar: sent editions only (editors may look
    at a draft's), no personal data in the link or the file."""
    try:
        edition = services.get(edition_id)
    except services.EditionError:
        abort(404)
    if edition.state != EditionState.sent and not current_user.is_authenticated:
        abort(404)
    items = services.render(edition, personal=False).front.agenda
    if not 1 <= number <= len(items):
        abort(404)
    host = urlsplit(external_url("archive.index")).hostname or "localhost"
    stamp = edition.sent_at or edition.updated_at
    body = agenda.ics(items[number - 1], f"ravijn-{edition.id}-{number}@{host}", stamp)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ravijn-{edition.id}-{number}.ics"'
    )
    return response


@bp.get("/feed.xml")
@limiter.limit(ARCHIVE_LIMIT)
def feed() -> Response:
    generator = FeedGenerator()
    generator.id(external_url("archive.index"))
    generator.title("OVER het ravijn")
    generator.subtitle("Nieuwsbrief van de VNG over het financieel ravijn van gemeenten")
    generator.author({"name": "VNG"})
    generator.language("nl")
    generator.link(href=external_url("archive.feed"), rel="self")
    generator.link(href=external_url("archive.index"), rel="alternate")
    editions = services.sent_editions()
    generator.updated(editions[0].sent_at if editions else datetime(2026, 1, 1, tzinfo=UTC))
    for edition in reversed(editions):
        url = external_url("archive.show", edition_id=str(edition.id))
        entry = generator.add_entry()
        entry.id(url)
        entry.title(edition.title)
        entry.link(href=url)
        entry.summary(edition.preheader or edition.title)
        entry.updated(edition.sent_at)
        entry.published(edition.sent_at)
    return Response(generator.atom_str(pretty=True), mimetype="application/atom+xml")

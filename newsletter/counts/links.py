"""The table behind /l/<edition>/<n>: written when an edition goes out, read by the redirect.

`for_send` is the one place that decides whether an edition's mail carries counted links:
LINK_COUNTS on, and the edition did not say `count_links: false`. The numbering comes from the
render itself (rendering.counted_links), and the mail is rewritten only with the table as
stored: should a later render ever number differently, readers get the original links rather
than a link to the wrong place.
"""

from __future__ import annotations

import logging
import threading

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from newsletter.counts.models import EditionLink
from newsletter.extensions import db
from newsletter.rendering import counted_links
from newsletter.rendering.edition import RenderedEdition

log = logging.getLogger(__name__)
_targets: dict[int, tuple[str, ...]] = {}
_lock = threading.Lock()
CACHED_EDITIONS = 256


def enabled(rendered: RenderedEdition) -> bool:
    return bool(current_app.config["SETTINGS"].link_counts) and rendered.front.count_links


def prefix(edition_id: int) -> str:
    """`…/l/<edition>/`: built from BASE_URL, as every link in a mail is."""
    base = current_app.config["SETTINGS"].base_url.rstrip("/")
    return f"{base}/l/{edition_id}/"


def store(edition_id: int, rendered: RenderedEdition) -> tuple[str, ...]:
    """Write the edition's links once (a second call changes nothing); the stored links. The
    caller commits."""
    found = counted_links.targets(rendered)
    if found and not stored(edition_id):
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(
            dialect.insert(EditionLink.__table__)
            .values(
                [
                    {"edition_id": edition_id, "number": n, "target": target}
                    for n, target in enumerate(found, start=1)
                ]
            )
            .on_conflict_do_nothing()
        )
    return stored(edition_id) or found


def stored(edition_id: int) -> tuple[str, ...]:
    rows = db.session.execute(
        select(EditionLink.number, EditionLink.target)
        .where(EditionLink.edition_id == edition_id)
        .order_by(EditionLink.number)
    ).all()
    return tuple(target for _, target in rows)


def for_send(edition_id: int, rendered: RenderedEdition) -> RenderedEdition:
    """The edition as readers get it: counted links, or the original ones."""
    if not enabled(rendered):
        return rendered
    links = store(edition_id, rendered)
    db.session.commit()
    if links != counted_links.targets(rendered):
        log.warning("edition %s: links differ from the stored ones; sent uncounted", edition_id)
        return rendered
    return counted_links.rewrite(rendered, prefix(edition_id), links)


def target(edition_id: int, number: int) -> str | None:
    """Where link `number` of an edition goes; None for an unknown edition or number. An
    edition's links never change once written, so each process keeps them after one read."""
    with _lock:
        links = _targets.get(edition_id)
    if links is None:
        links = stored(edition_id)
        if not links:
            return None
        with _lock:
            if len(_targets) >= CACHED_EDITIONS:
                _targets.clear()
            _targets[edition_id] = links
    return links[number - 1] if 0 < number <= len(links) else None

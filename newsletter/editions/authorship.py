"""Who is responsible for an edition's text, whichever door it came through (page, API, command
line, copy): the person who made the current version (`Edition.edited_by_id`, None when nobody
is known) and every editor who wrote any version, kept in `edition_writer`. A copy keeps the
original's writers and the original's person responsible: the copier did not write the text.

The four-eyes rule that reads this lives in `approval.refusal`. The callers commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from newsletter.editions.models import Edition, EditionWriter
from newsletter.extensions import db


def wrote(edition_id: int, editor_id: int | None) -> None:
    """`editor_id` made a version of the edition (None: an unknown hand, nothing to keep)."""
    if editor_id is None:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ON CONFLICT: two saves of one editor at the same moment both add the same row
    db.session.execute(
        insert(EditionWriter)
        .values(edition_id=edition_id, editor_id=editor_id)
        .on_conflict_do_nothing()
    )


def writers(edition_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(EditionWriter.editor_id).where(EditionWriter.edition_id == edition_id)
        )
    )


def carry_over(original: Edition, copy: Edition) -> None:
    """The copy's text is the original's: its writers, and whoever made that version."""
    copy.edited_by_id = original.edited_by_id
    for editor_id in writers(original.id) | {original.created_by_id, original.edited_by_id}:
        wrote(copy.id, editor_id)

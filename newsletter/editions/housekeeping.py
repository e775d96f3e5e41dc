"""Housekeeping of editions: duplicate, delete a draft. Audited."""

from __future__ import annotations

import dataclasses
import re

import yaml
from sqlalchemy import delete

from newsletter.auth.audit import Actor, record
from newsletter.editions import services
from newsletter.editions.errors import EditionError
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db
from newsletter.rendering import frontmatter

COPY = re.compile(r" \(kopie(?: (\d+))?\)$")
#: a one-line `title:` in the front matter (a YAML block title is rewritten by compose)
TITLE_LINE = re.compile(r"^title:[ \t]*([^\r\n]*?)[ \t]*(?=\r?$)", re.MULTILINE)


def copy_title(title: str) -> str:
    """'X' → 'X (kopie)' → 'X (kopie 2)' …: a copy never has its original's title."""
    found = COPY.search(title)
    number = (int(found.group(1) or 1) + 1) if found else 0
    base = title[: found.start()] if found else title
    suffix = f" (kopie {number})" if number else " (kopie)"
    return base[: frontmatter.TITLE_MAX - len(suffix)].rstrip() + suffix


def copy_source(source: str) -> str:
    """The source with the copy's title; every other byte stays as the original has it."""
    raw, _, body_line = frontmatter.split(source)
    if raw is None:
        return source
    head_end = len("".join(source.splitlines(keepends=True)[: body_line - 1]))
    found = TITLE_LINE.search(source, 0, head_end)
    try:
        value = yaml.safe_load(found.group(1)) if found else None
    except yaml.YAMLError:
        value = None
    if found and isinstance(value, str) and value.strip():
        line = yaml.safe_dump({"title": copy_title(value.strip())}, allow_unicode=True, width=10**5)
        return source[: found.start()] + line.rstrip("\n") + source[found.end() :]
    fields = frontmatter.decompose(source)
    if fields is None or not fields.title.strip():
        return source  # no title to copy; the checks ask for one
    return frontmatter.compose(dataclasses.replace(fields, title=copy_title(fields.title)))


def duplicate(edition: Edition, actor: Actor) -> Edition:
    """A new draft with the same text (a template for the next edition); the original's
    writers may not approve it, nor may whoever copied it."""
    copy, _ = services.create(copy_source(edition.source), actor.editor_id, copy_of=edition)
    record(actor, "duplicate", f"editie {copy.id}", f"kopie van editie {edition.id}")
    db.session.commit()
    return copy


def delete_draft(edition: Edition, actor: Actor) -> None:
    """Only a draft (nothing of it was ever sent); the audit keeps its title."""
    result = db.session.execute(
        delete(Edition).where(Edition.id == edition.id, Edition.state == EditionState.draft)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise EditionError("Alleen een concept kan worden verwijderd.")
    record(actor, "delete", f"editie {edition.id}", edition.title[:200])
    db.session.commit()

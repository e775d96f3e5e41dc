"""Images for editions: decoded and made fit for a mail (images.py), size-limited,
content-addressed, recorded with their sizes (MediaImage).

The bytes are a blob in the database (newsletter/blobs), so every web node serves every image;
they are served from /media/<name> with absolute URLs, so mail clients can load them. The name
is the SHA-256 of the stored bytes: the same image uploaded twice is one row. Images from before
processing keep their name (and URL) when `process_stored` rewrites them; the type served is
read from the bytes, not from the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from newsletter.blobs import store
from newsletter.editions import images
from newsletter.editions.models import MediaImage
from newsletter.extensions import db

MAX_BYTES = 5 * 1024 * 1024
NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
SKIPPED = "overgeslagen"  # what process_stored says of an image it cannot read
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class MediaError(ValueError):
    """Dutch, for the editor."""


@dataclass(frozen=True)
class Saved:
    name: str
    summary: str  # Dutch: what was changed ("Verkleind van 4000 × 3000 naar 1200 × 900; …")


def sniff(data: bytes) -> str | None:
    """The real type of an image from its first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def save(data: bytes) -> Saved:
    """Process, store and record the image (committed); refuses what is not a small image."""
    if not data:
        raise MediaError("Het bestand is leeg.")
    if len(data) > MAX_BYTES:
        raise MediaError(f"Het bestand is groter dan {MAX_BYTES // (1024 * 1024)} MB.")
    if sniff(data) is None:
        raise MediaError("Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding.")
    try:
        processed = images.process(data)
    except images.ImageRefused as exc:
        raise MediaError(str(exc)) from None
    name = f"{store.address(processed.data)[:32]}.{processed.kind}"
    _record(name, processed, len(data))
    try:
        db.session.commit()
    except IntegrityError:  # the same image, uploaded at the same moment: recorded already
        db.session.rollback()
    return Saved(name, processed.summary)


def _record(name: str, processed: images.Processed, original_bytes: int) -> None:
    row = db.session.get(MediaImage, name) or MediaImage(name=name)
    row.sha256 = store.put(processed.data)
    row.processed = True
    row.width, row.height = processed.width, processed.height
    row.original_width, row.original_height = processed.original_width, processed.original_height
    row.original_bytes, row.stored_bytes = original_bytes, len(processed.data)
    db.session.add(row)


def sizes(names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(width, height) as stored, for those of `names` that are recorded."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(MediaImage.name, MediaImage.width, MediaImage.height).where(
            MediaImage.name.in_(wanted), MediaImage.processed.is_(True)
        )
    )
    return {name: (width, height) for name, width, height in rows}


def process_stored() -> Iterator[tuple[str, str]]:
    """Each image moved in from a node's disk before processing, processed once under its own
    name (its URL is in sent mails): yields (name, what changed, or why it was left as it is).
    Committed per image; the unprocessed bytes are released."""
    waiting = select(MediaImage.name).where(MediaImage.processed.is_(False)).order_by("name")
    for name in list(db.session.scalars(waiting)):
        row = db.session.get(MediaImage, name)
        before = row.sha256 if row is not None else None
        data = store.read(before) if before else None
        if row is None or data is None:
            continue
        try:
            processed = images.process(data)
        except images.ImageRefused as exc:
            yield name, f"{SKIPPED}: {exc}"
            continue
        _record(name, processed, len(data))
        db.session.flush()
        if before != row.sha256:
            store.release(before)
        db.session.commit()
        yield name, processed.summary


def import_folder(directory: Path) -> Iterator[str]:
    """Images a node kept under instance/media (before 0023), into the database under their own
    names; unprocessed ones wait for `process_stored`. Yields each name moved; committed."""
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        if not NAME.match(path.name) or not path.is_file():
            continue
        data = path.read_bytes()
        row = db.session.get(MediaImage, path.name)
        if row is not None and row.sha256 is not None:
            continue  # moved already (by the migration, or an earlier run)
        if row is None:
            width, height = _header_size(data)
            row = MediaImage(name=path.name, processed=False, width=width, height=height)
            row.original_width, row.original_height = width, height
            row.original_bytes = row.stored_bytes = len(data)
            db.session.add(row)
        row.sha256 = store.put(data)
        db.session.commit()
        yield path.name


def _header_size(data: bytes) -> tuple[int, int]:
    try:
        return images.header_size(data)
    except images.ImageRefused:
        return 0, 0


@dataclass(frozen=True)
class Served:
    sha256: str
    mimetype: str


def find(name: str) -> Served | None:
    """What /media/<name> serves, without its bytes (a 304 needs none)."""
    if not NAME.match(name):
        return None
    sha256 = db.session.scalar(select(MediaImage.sha256).where(MediaImage.name == name))
    if sha256 is None:
        return None
    data = store.read_head(sha256, 12)
    return Served(sha256, MIMETYPES.get(sniff(data or b"") or "", "application/octet-stream"))


def read(served: Served) -> bytes | None:
    return store.read(served.sha256)

"""Images for editions: decoded and made fit for a mail (images.py), size-limited,
content-addressed, recorded with their sizes (MediaImage).

Stored under instance/media/ and served from /media/<name> with absolute URLs, so mail clients
can load them. The name is the SHA-256 of the stored bytes: the same image uploaded twice is one
file. Images from before processing keep their name (and URL) when `process_stored` rewrites
them; the type served is read from the bytes, not from the name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


def save(directory: Path, data: bytes) -> Saved:
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
    name = f"{hashlib.sha256(processed.data).hexdigest()[:32]}.{processed.kind}"
    _write(directory / name, processed.data)
    _record(name, processed, len(data))
    try:
        db.session.commit()
    except IntegrityError:  # the same image, uploaded at the same moment: recorded already
        db.session.rollback()
    return Saved(name, processed.summary)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(target)


def _record(name: str, processed: images.Processed, original_bytes: int) -> None:
    row = db.session.get(MediaImage, name) or MediaImage(name=name)
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
            MediaImage.name.in_(wanted)
        )
    )
    return {name: (width, height) for name, width, height in rows}


def process_stored(directory: Path) -> Iterator[tuple[str, str]]:
    """Each image stored before processing, processed once under its own name (its URL is in
    sent mails): yields (name, what changed, or why it was left as it is). Committed per image."""
    recorded = set(db.session.scalars(select(MediaImage.name)))
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        if not NAME.match(path.name) or path.name in recorded:
            continue
        data = path.read_bytes()
        try:
            processed = images.process(data)
        except images.ImageRefused as exc:
            yield path.name, f"{SKIPPED}: {exc}"
            continue
        _write(path, processed.data)
        _record(path.name, processed, len(data))
        db.session.commit()
        yield path.name, processed.summary


def path_for(directory: Path, name: str) -> Path | None:
    if not NAME.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None


def mimetype_of(path: Path) -> str:
    """From the bytes: an old .webp or .gif has become a JPEG or PNG under its own name."""
    with path.open("rb") as file:
        kind = sniff(file.read(12))
    return MIMETYPES.get(kind or "", "application/octet-stream")

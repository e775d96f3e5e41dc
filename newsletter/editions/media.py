"""Images for editions: type checked by content (not by name), size-limited, content-addressed.

Stored under instance/media/ and served from /media/<name> with absolute URLs, so mail clients
can load them. The name is the SHA-256 of the bytes: the same image uploaded twice is one file.
Metadata (EXIF with the GPS position, XMP, comments) is stripped first.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from newsletter.editions import metadata

MAX_BYTES = 5 * 1024 * 1024
NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class MediaError(ValueError):
    """Dutch, for the editor."""


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


def save(directory: Path, data: bytes) -> str:
    """Store the image and return its file name; refuses what is not a small image."""
    if not data:
        raise MediaError("Het bestand is leeg.")
    if len(data) > MAX_BYTES:
        raise MediaError(f"Het bestand is groter dan {MAX_BYTES // (1024 * 1024)} MB.")
    kind = sniff(data)
    if kind is None:
        raise MediaError("Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding.")
    try:
        data = metadata.strip(kind, data)  # no GPS position or camera in a mail to every mayor
    except metadata.DamagedImage:
        raise MediaError(
            "De afbeelding is beschadigd; sla haar opnieuw op en probeer het nog eens."
        ) from None
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)
    return name


def path_for(directory: Path, name: str) -> Path | None:
    if not NAME.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None

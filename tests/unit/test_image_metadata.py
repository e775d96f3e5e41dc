"""Finding 12: uploaded images lose their EXIF (GPS position, camera), XMP and comments."""

from __future__ import annotations

import struct
import zlib

import pytest

from newsletter.editions import media, metadata


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_exif() -> bytes:
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xE1, b"Exif\x00\x00GPSLatitude 52.0799 Canon EOS"),
            _segment(0xE2, b"ICC_PROFILE\x00\x01\x01profile"),
            _segment(0xFE, b"gemaakt in de raadszaal"),
            _segment(0xDB, b"\x00" + bytes(64)),
            b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00",
            b"\x12\x34\xff\x00\x56",  # entropy-coded data, with a stuffed 0xFF
            b"\xff\xd9",
        ]
    )


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_with_text() -> bytes:
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
            _chunk(b"tEXt", b"Author\x00Anna de Vries"),
            _chunk(b"eXIf", b"MM\x00*GPS"),
            _chunk(b"IDAT", pixels),
            _chunk(b"IEND", b""),
        ]
    )


def test_finding_12_jpeg_loses_exif_and_comments_but_keeps_colour_profile_and_pixels():
    original = jpeg_with_exif()
    stripped = metadata.strip("jpg", original)
    assert b"Exif" not in stripped and b"GPS" not in stripped and b"raadszaal" not in stripped
    assert b"JFIF" in stripped and b"ICC_PROFILE" in stripped
    scan = original.index(b"\xff\xda")
    assert stripped.endswith(original[scan:])


def test_finding_12_png_loses_text_chunks():
    stripped = metadata.strip("png", png_with_text())
    assert b"tEXt" not in stripped and b"eXIf" not in stripped and b"Anna" not in stripped
    assert b"IHDR" in stripped and b"IDAT" in stripped and stripped.endswith(_chunk(b"IEND", b""))


def test_saved_upload_is_stripped_and_a_damaged_one_refused(tmp_path):
    name = media.save(tmp_path, jpeg_with_exif())
    assert b"GPS" not in (tmp_path / name).read_bytes()
    with pytest.raises(media.MediaError, match="beschadigd"):
        media.save(tmp_path, b"\xff\xd8\xff\xe1\xff\xff" + b"x" * 10)

"""Finding 12: uploaded images lose their EXIF (GPS position, camera), XMP and comments; a
JPEG also loses what follows its image (second images, motion-photo video)."""

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


def _image(exif: bytes) -> list[bytes]:
    """A complete 8×8 grey baseline JPEG (one DC and one AC code: every block is DC 0, EOB),
    in parts: the metadata segments, then what the image is made of."""
    return [
        b"\xff\xd8",
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xE1, exif),
        _segment(0xE2, b"MPF\x00MM\x00*\x00\x00\x00\x08MPIndex second image at 4711"),
        _segment(0xE2, b"ICC_PROFILE\x00\x01\x01profile"),
        _segment(0xED, b"Photoshop 3.0\x008BIM IPTC byline Anna"),
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),
        _segment(0xC4, b"\x00\x01" + bytes(15) + b"\x00"),
        _segment(0xC4, b"\x10\x01" + bytes(15) + b"\x00"),
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x3f",
        b"\xff\xd9",
    ]


def _mp4_with_location() -> bytes:
    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload) + 8) + kind + payload

    location = box(b"\xa9xyz", b"\x00\x12\x15\xc7+52.0799+004.3113/")
    return box(b"ftyp", b"mp42\x00\x00\x00\x00isom") + box(b"moov", box(b"udta", location))


def test_a_jpeg_ends_at_its_image_end_without_second_images_or_video():
    first = _image(b"Exif\x00\x00GPSLatitude 52.0799 Pixel 8")
    second = _image(b"Exif\x00\x00GPSLatitude 51.9225 second image")
    upload = b"".join([*first, *second, _mp4_with_location(), b"SEFHtrailer"])
    stripped = metadata.strip("jpg", upload)
    kept = [first[0], first[1], first[4], *first[6:]]  # SOI, JFIF, ICC profile, the image
    assert stripped == b"".join(kept)
    for gone in (b"Exif", b"GPS", b"MPF", b"MPIndex", b"8BIM", b"ftyp", b"xyz", b"SEFH"):
        assert gone not in stripped
    assert stripped.count(b"\xff\xd8") == 1 and stripped.endswith(b"\xff\xd9")
    try:
        from PIL import Image  # decoded where Pillow is installed
    except ImportError:
        return
    import io

    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (8, 8) and image.getpixel((4, 4)) == 128


def test_a_jpeg_scan_keeps_stuffed_bytes_restart_markers_and_later_scans():
    scan = b"\x12\xff\x00\x34\xff\xd0\x56\xff"  # stuffed 0xFF, RST0, a fill byte at the end
    parts = [
        b"\xff\xd8",
        _segment(0xDB, b"\x00" + bytes(64)),
        _segment(0xC2, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),  # progressive
        b"\xff\xda\x00\x08\x01\x01\x00\x00\x00\x00",
        scan,
        _segment(0xC4, b"\x10\x01" + bytes(15) + b"\x00"),
        _segment(0xFE, b"tweede scan"),
        b"\xff\xda\x00\x08\x01\x01\x00\x01\x3f\x00",
        b"\x9a\xff\xd7\xbc",
        b"\xff\xd9",
    ]
    stripped = metadata.strip("jpg", b"".join(parts) + b"\xff\xd8\xff\xe1\x00\x06GPS!")
    assert stripped == b"".join(parts[:6] + parts[7:])


def test_a_jpeg_without_its_end_is_refused():
    image = b"".join(_image(b"Exif\x00\x00x"))
    with pytest.raises(metadata.DamagedImage):
        metadata.strip("jpg", image[:-2])


def test_an_uploaded_jpeg_keeps_nothing_after_its_image(tmp_path):
    upload = b"".join([*_image(b"Exif\x00\x00x"), _mp4_with_location()])
    name = media.save(tmp_path, upload)
    stored = (tmp_path / name).read_bytes()
    assert stored.endswith(b"\x3f\xff\xd9") and b"ftyp" not in stored

"""Images as phones and editors make them, generated with Pillow for the upload tests."""

from __future__ import annotations

import io
import struct

from PIL import Image

GPS_IFD = 0x8825


def _encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def phone_photo(size: tuple[int, int] = (4000, 3000), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF with camera and GPS position, an MPF index in APP2,
    and after the image's end a second image (MPF) and a motion photo's video."""
    exif = Image.Exif()
    exif[0x010F] = "Google"
    exif[0x0110] = "Pixel 8"
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (52.0, 4.0, 47.64), 3: "E", 4: (4.0, 18.0, 40.68)}
    image = Image.new("RGB", size, (0, 89, 122))
    image.paste((255, 200, 0), (0, 0, size[0] // 2, size[1] // 2))
    second = Image.new("RGB", (64, 48))
    # Pillow's MPO writer: the MPF index in APP2, the second image after the first one's end
    pair = _encoded(image, "MPO", save_all=True, append_images=[second], exif=exif, quality=90)
    video = struct.pack(">I", 20) + b"ftypmp42\x00\x00\x00\x00isom"
    return pair + video + b"MotionPhoto_Data"


def transparent_png(size: tuple[int, int] = (1600, 400)) -> bytes:
    """A chart: dark lines on a transparent background, with an author in a text chunk."""
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((26, 26, 26, 255), (0, size[1] // 2, size[0], size[1] // 2 + 8))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Anna de Vries")
    return _encoded(image, "PNG", pnginfo=info)


def webp_photo(size: tuple[int, int] = (2000, 1000), lossless: bool = False) -> bytes:
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (52.0, 4.0, 47.0)}
    image = Image.new("RGB", size, (200, 30, 30))
    return _encoded(image, "WEBP", exif=exif, lossless=lossless)


METADATA = (b"Exif", b"MPF", b"Pixel", b"ftyp", b"MotionPhoto", b"Anna", b"tEXt")


def has_metadata(data: bytes) -> bool:
    """Any trace of what the upload carried besides its pixels."""
    with Image.open(io.BytesIO(data)) as image:
        if image.getexif() or image.info.get("icc_profile") or image.info.get("xmp"):
            return True
        if getattr(image, "text", None):
            return True
    return any(mark in data for mark in METADATA) or data.count(b"\xff\xd8") > 1

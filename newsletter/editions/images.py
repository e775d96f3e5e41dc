"""An uploaded image made fit for a mail: decoded with Pillow, turned upright, flattened on
white, in sRGB, at most 1200 px wide (twice the 600 px column), encoded again as JPEG or PNG.

Encoding again writes only pixels: EXIF (with the GPS position), XMP, IPTC, comments, colour
profiles and whatever a phone appends after the image (MPF second images, a motion photo's
video) are all left behind. No Flask and no database here.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: twice the widest the column shows (502 px), rounded up: sharp on high-density screens
MAX_WIDTH = 1200
#: a 50-megapixel phone photo; anything bigger costs too much memory to decode
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP", "MPO": "JPEG"}


class ImageRefused(ValueError):
    """Dutch, for the editor."""


@dataclass(frozen=True)
class Processed:
    data: bytes
    kind: str  # "jpg" or "png"
    width: int
    height: int
    original_width: int
    original_height: int
    changes: tuple[str, ...]  # Dutch, for the editor

    @property
    def summary(self) -> str:
        if not self.changes:
            return "De afbeelding is niet veranderd."
        text = "; ".join(self.changes)
        return text[0].upper() + text[1:] + "."


def process(data: bytes) -> Processed:
    """Raises ImageRefused for what Pillow cannot read or what is too big to decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a malformed MPF index and the like: pixels count
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                return _process(opened, _lossless_webp(data))
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big() from None
    except UnidentifiedImageError:
        raise ImageRefused("Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused(
            "De afbeelding is beschadigd; sla haar opnieuw op en probeer het nog eens."
        ) from None


def header_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header alone (nothing decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return opened.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused("Dit is geen PNG-, JPEG-, GIF- of WebP-afbeelding.") from None


def _too_big() -> ImageRefused:
    return ImageRefused(
        f"De afbeelding heeft meer dan {MAX_PIXELS // 1_000_000} miljoen pixels. "
        "Maak haar kleiner en probeer het nog eens."
    )


def _lossless_webp(data: bytes) -> bool:
    """Whether a WebP's image chunk is VP8L (lossless: a chart, kept as PNG) or VP8 (a photo)."""
    position = 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        if kind in (b"VP8L", b"VP8 "):
            return kind == b"VP8L"
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        position += 8 + length + (length & 1)
    return False


def _process(image: Image.Image, lossless_webp: bool) -> Processed:
    source = _NAMES.get(image.format or "", image.format or "?")
    if image.width * image.height > MAX_PIXELS:
        raise _too_big()
    changes: list[str] = []
    exif = image.getexif()
    if exif.get_ifd(_GPS_IFD):
        changes.append("locatiegegevens verwijderd")
    elif exif or image.info.get("xmp") or "comment" in image.info or _has_text(image):
        changes.append("metadata verwijderd")
    lossless = image.format in ("PNG", "GIF") or (image.format == "WEBP" and lossless_webp)
    if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
        changes.append("alleen het eerste beeld van de animatie bewaard")
    turned = exif.get(_ORIENTATION, 1) in (5, 6, 7, 8)
    original = (image.height, image.width) if turned else image.size
    if image.format == "JPEG" or image.format == "MPO":
        image.draft(None, (MAX_WIDTH, MAX_WIDTH))  # decode at 1/2, 1/4, 1/8 where that suffices
    upright = ImageOps.exif_transpose(image)
    if exif.get(_ORIENTATION, 1) not in (1, None):
        changes.append("rechtop gezet")
    rgb = _in_srgb(upright, changes)
    if rgb.width > MAX_WIDTH:
        height = max(1, round(original[1] * MAX_WIDTH / original[0]))
        rgb = rgb.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if rgb.size != original:
        changes.insert(0, f"verkleind van {_size(original)} naar {_size(rgb.size)}")
    kind = "png" if lossless else "jpg"
    target = "PNG" if lossless else "JPEG"
    if source != target:
        changes.append(f"omgezet van {source} naar {target}")
    encoded = _encode(rgb, kind)
    return Processed(encoded, kind, rgb.width, rgb.height, *original, tuple(changes))


def _has_text(image: Image.Image) -> bool:
    """PNG text chunks (author, software, dates) that Pillow reads into `info`."""
    return bool(getattr(image, "text", None))


def _size(size: tuple[int, int]) -> str:
    return f"{size[0]} × {size[1]}"


def _in_srgb(image: Image.Image, changes: list[str]) -> Image.Image:
    """RGB in sRGB with transparency laid on white (a darkened background would otherwise
    swallow dark lines drawn on a transparent one)."""
    profile = image.info.get("icc_profile")
    if image.mode.startswith("I;16"):  # 16-bit grey: to 8 bits, not clipped to white
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            changes.append("doorzichtige delen wit gemaakt")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    if profile:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            changes.append("kleuren omgezet naar sRGB")
            return converted
    return image.convert("RGB")


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        colours = image.getcolors(256)
        if colours is not None:  # a chart or logo: a palette holds it exactly, and smaller
            paletted = image.quantize(colors=len(colours))
            if sorted(paletted.convert("RGB").getcolors(256) or []) == sorted(colours):
                image = paletted
        image.save(out, "PNG", optimize=True)  # Pillow writes no text chunks of its own
    return out.getvalue()

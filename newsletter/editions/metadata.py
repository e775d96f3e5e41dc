"""Strip what a camera or phone writes into an image (EXIF with GPS position and device, XMP,
IPTC, comments) before it is stored and mailed to every bestuurder. Pixels and colour profiles
stay exactly as they are: only whole metadata segments and chunks are left out, and a JPEG
ends at its image's end (phones append a second image or a video with its own EXIF there).

JPEG, PNG and WebP; a GIF has no EXIF and is kept as it is.
"""

from __future__ import annotations

import struct


class DamagedImage(ValueError):
    """The container structure does not hold together."""


#: the APPn segments a JPEG keeps, by the identifier they start with: the JFIF header (its
#: thumbnail cut off), the colour profile, Adobe's colour-transform flag. Every other APPn
#: (EXIF, XMP, MPF, IPTC, FlashPix, maker notes) and every comment goes.
_JPEG_KEEP = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE
#: markers without a length: TEM and the restart markers
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
#: PNG chunks that carry metadata
_PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_WEBP_DROP = {b"EXIF", b"XMP "}


def strip(kind: str, data: bytes) -> bytes:
    try:
        if kind == "jpg":
            return _jpeg(data)
        if kind == "png":
            return _png(data)
        if kind == "webp":
            return _webp(data)
    except (IndexError, struct.error) as exc:
        raise DamagedImage(str(exc)) from None
    return data


def _jpeg(data: bytes) -> bytes:
    """The first image only, up to and with its EOI: what a phone appends after it (MPF
    second images with their own EXIF, a motion photo's MP4, any trailer) is left out."""
    out = [data[:2]]  # SOI
    position = 2
    while True:
        marker, position = _next_marker(data, position)
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _STANDALONE:
            out.append(bytes([0xFF, marker]))
            continue
        (length,) = struct.unpack(">H", data[position : position + 2])
        end = position + length
        if length < 2 or end > len(data):
            raise DamagedImage("segment runs past the end")
        segment = _kept(marker, data[position - 2 : end])
        if segment:
            out.append(segment)
        position = end
        if marker == _SOS:  # entropy-coded data up to the next marker that is not RSTn
            scan_end = _scan_end(data, position)
            out.append(data[position:scan_end])
            position = scan_end


def _next_marker(data: bytes, position: int) -> tuple[int, int]:
    """The marker at `position` (after any fill bytes) and where its segment continues."""
    if data[position] != 0xFF:
        raise DamagedImage("segment does not start with 0xFF")
    while data[position + 1] == 0xFF:  # fill bytes
        position += 1
    return data[position + 1], position + 2


def _scan_end(data: bytes, position: int) -> int:
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            raise DamagedImage("no end of image")
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1  # stuffed byte, restart marker, or fill before a marker
            continue
        return position


def _kept(marker: int, segment: bytes) -> bytes | None:
    if marker == _COM:
        return None
    if not 0xE0 <= marker <= 0xEF:
        return segment
    identifier = _JPEG_KEEP.get(marker)
    if identifier is None or not segment[4:].startswith(identifier):
        return None
    if marker == 0xE0 and len(segment) >= 18:  # JFIF: keep the header, no thumbnail
        payload = segment[4:16] + b"\x00\x00"
        return b"\xff\xe0" + struct.pack(">H", len(payload) + 2) + payload
    return segment


def _png(data: bytes) -> bytes:
    out = [data[:8]]
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise DamagedImage("chunk runs past the end")
        if kind not in _PNG_DROP:
            out.append(data[position:end])
        position = end
        if kind == b"IEND":
            return b"".join(out)
    raise DamagedImage("no IEND chunk")


def _webp(data: bytes) -> bytes:
    chunks = []
    position = 12
    while position < len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        end = position + 8 + length + (length & 1)  # chunks are padded to an even size
        if end > len(data):
            raise DamagedImage("chunk runs past the end")
        chunk = data[position:end]
        if kind == b"VP8X":  # the extended header says which chunks follow: clear EXIF, XMP
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
        if kind not in _WEBP_DROP:
            chunks.append(chunk)
        position = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body

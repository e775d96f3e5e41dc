"""Strip what a camera or phone writes into an image (EXIF with GPS position and device, XMP,
IPTC, comments) before it is stored and mailed to every bestuurder. Pixels and colour profiles
stay exactly as they are: only whole metadata segments and chunks are left out.

JPEG, PNG and WebP; a GIF has no EXIF and is kept as it is.
"""

from __future__ import annotations

import struct


class DamagedImage(ValueError):
    """The container structure does not hold together."""


#: JPEG segments that carry metadata: APP1 (EXIF, XMP), APP13 (IPTC), COM
_JPEG_DROP = {0xE1, 0xED, 0xFE}
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
    out = [data[:2]]  # SOI
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            raise DamagedImage("segment does not start with 0xFF")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan / end: the rest is image data
            out.append(data[position:])
            return b"".join(out)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if end > len(data):
            raise DamagedImage("segment runs past the end")
        if marker not in _JPEG_DROP:
            out.append(data[position:end])
        position = end
    raise DamagedImage("no image data")


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

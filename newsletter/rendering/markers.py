"""The one marker system for personal values (name, personal links) in rendered mail.

A template or an edition is rendered once with markers in the personal places; each marker
carries a random nonce of that render, so text that an editor or a reader typed can never
become one. Filling them in is a single regex pass per part: microseconds, not an MJML compile.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from markupsafe import escape

PATTERN = re.compile(r"RVJ([0-9a-f]{16})K([a-z_]+)K")  # letters and digits: survive MJML and HTML


class Markers:
    def __init__(self, nonce: str | None = None) -> None:
        self.nonce = nonce if nonce is not None else secrets.token_hex(8)

    @property
    def prefix(self) -> str:
        return f"RVJ{self.nonce}K"

    def marker(self, key: str) -> str:
        return f"{self.prefix}{key}K"

    def placeholders(self, keys: tuple[str, ...]) -> dict[str, str]:
        return {key: self.marker(key) for key in keys}

    def fill(self, text: str, values: dict[str, str], *, html: bool) -> str:
        """Replace this render's markers (HTML-escaped for the HTML part); others stay text."""

        def replace(match: re.Match[str]) -> str:
            if match.group(1) != self.nonce:
                return match.group(0)
            value = str(values.get(match.group(2), ""))
            return str(escape(value)) if html else value

        return PATTERN.sub(replace, text)

    def split(self, text: str, encode: Callable[[str, bool], bytes]) -> list[bytes | str]:
        """Static stretches, encoded with `encode(stretch, last)`, and the keys between them."""
        pieces: list[bytes | str] = []
        position = 0
        for match in PATTERN.finditer(text):
            if match.group(1) != self.nonce:
                continue  # text that only looks like a marker stays text
            pieces.append(encode(text[position : match.start()], False))
            pieces.append(match.group(2))
            position = match.end()
        pieces.append(encode(text[position:], True))
        return pieces

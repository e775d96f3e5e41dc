"""Width and height for every image in a mail, from the sizes the uploads were stored at.

Outlook for Windows draws an image at its `width` and `height` attributes (or at its full pixel
size without them) and ignores `max-width`; with images blocked it reserves exactly that space.
So every image gets both, fitted to where it stands: the column's text width (502 px: 600 less
24 px section padding and 25 px text padding on each side), less a list's or a quote's indent,
or its share of a table. Other clients read the style (`max-width:100%;height:auto`) too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markdown_it.token import Token

from newsletter.rendering.problems import Problem

#: the text width of the mail's column, for <mj-text> and <mj-image> alike
COLUMN = 502
_INDENT = {"bullet_list_open": 24, "ordered_list_open": 24, "blockquote_open": 20}
_CELL_EDGES = 2 * 6 + 2 * 1  # a cell's padding and border (markdown.STYLES)
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'\s(src|width|height)="([^"]*)"')

Sizes = Mapping[str, tuple[int, int]]


def fit(size: tuple[int, int], available: int) -> tuple[int, int]:
    """Never wider than its place, never wider than itself (a small image is not blown up)."""
    width = max(1, min(size[0], available))
    return width, max(1, round(size[1] * width / size[0]))


def media_name(url: str, own_media: str) -> str | None:
    if not own_media or not url.startswith(own_media):
        return None
    return url[len(own_media) :].split("?", 1)[0].split("#", 1)[0]


def size_images(
    tokens: list[Token], first_line: int, own_media: str, sizes: Sizes, problems: list[Problem]
) -> None:
    """Set width and height on every image token whose upload is known (`meta["size"]` too,
    for the image blocks); a warning for each image whose size is not."""
    indents: list[int] = []
    table_width = cell_width = 0
    for index, token in enumerate(tokens):
        if token.type in _INDENT:
            indents.append(_INDENT[token.type])
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            indents.pop()
        elif token.type == "table_open":
            table_width = COLUMN - sum(indents)
            columns = _columns(tokens, index)
            cell_width = max(1, table_width // max(columns, 1) - _CELL_EDGES)
        elif token.type == "table_close":
            cell_width = 0
        elif token.type == "inline":
            available = cell_width or COLUMN - sum(indents)
            line = first_line + (token.map[0] if token.map else 0)
            for child in token.children or []:
                if child.type == "image":
                    _size(child, available, own_media, sizes, problems, line)


def _columns(tokens: list[Token], start: int) -> int:
    count = 0
    for token in tokens[start:]:
        if token.type in ("th_open", "td_open"):
            count += 1
        elif token.type == "tr_close":
            return count
    return count


def _size(
    image: Token, available: int, own: str, sizes: Sizes, problems: list[Problem], line: int
) -> None:
    url = str(image.attrs.get("src", ""))
    name = media_name(url, own)
    size = sizes.get(name) if name else None
    if size is None:
        problems.append(
            Problem.warning(
                f"Van de afbeelding ‘{image.content or url}’ is de maat niet bekend, zodat "
                "Outlook haar te groot kan tonen. Voeg haar toe met de knop Afbeelding, of "
                "sleep of plak het bestand in de tekst.",
                line,
            )
        )
        return
    width, height = fit(size, available)
    image.attrs["width"], image.attrs["height"] = str(width), str(height)
    image.meta["size"] = (width, height)


def with_heights(html: str, own_media: str, sizes: Sizes) -> str:
    """MJML writes an <mj-image>'s width but no height (its style says `height:auto`): add the
    height that goes with that width, so Outlook reserves the space."""

    def add(match: re.Match[str]) -> str:
        tag = match.group(0)
        values = dict(_ATTR.findall(tag))
        name = media_name(values.get("src", ""), own_media)
        size = sizes.get(name) if name else None
        if size is None or "height" in values or not values.get("width", "").isdigit():
            return tag
        height = fit(size, int(values["width"]))[1]
        return tag.replace("<img ", f'<img height="{height}" ', 1)

    return _IMG.sub(add, html)

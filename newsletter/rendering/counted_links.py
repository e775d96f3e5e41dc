"""Counted links: every link of a rendered edition points at `<prefix><n>` on our own domain.

The same URL for every reader (no reader id, no token): the number is the link's place in the
HTML, first appearance first, so rendering the same edition twice numbers it the same way.
Personal links (the markers of preferences and unsubscribe) and mailto: stay as they are. The
text part writes out the same links, so its URLs are the HTML's targets and get their numbers.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from markupsafe import escape

from newsletter.rendering.edition import RenderedEdition
from newsletter.rendering.markers import Markers

#: links, and the VML button Outlook on Windows shows instead of the HTML one
HREF = re.compile(r'(<(?:a|v:roundrect)\b[^>]*?\shref=")([^"]*)(")', re.IGNORECASE)
#: what may follow a URL in the text part: the end, a space, ")" of "label (url)", or a full stop
_AFTER = re.compile(r"$|[\s)>,;]|\.(?:$|\s)")


def _counted(href: str, personal: str) -> bool:
    return href.startswith(("https://", "http://")) and not (personal and personal in href)


def targets(rendered: RenderedEdition) -> tuple[str, ...]:
    """The edition's counted links, in order: number n is targets[n - 1]."""
    personal = Markers(rendered.nonce).prefix if rendered.nonce else ""
    found: dict[str, None] = {}
    for match in HREF.finditer(rendered.html):
        href = html.unescape(match.group(2))
        if _counted(href, personal):
            found.setdefault(href)
    return tuple(found)


def rewrite(rendered: RenderedEdition, prefix: str, links: tuple[str, ...]) -> RenderedEdition:
    """The edition with link n going to f"{prefix}{n}" in both parts."""
    number = {target: n for n, target in enumerate(links, start=1)}

    def in_html(match: re.Match[str]) -> str:
        n = number.get(html.unescape(match.group(2)))
        if n is None:
            return match.group(0)
        return match.group(1) + str(escape(f"{prefix}{n}")) + match.group(3)

    text = rendered.text
    # the longest first: a link that starts another is replaced only where it ends
    for target in sorted(links, key=len, reverse=True):
        text = _replace_in_text(text, target, f"{prefix}{number[target]}")
    return replace(rendered, html=HREF.sub(in_html, rendered.html), text=text)


def _replace_in_text(text: str, target: str, url: str) -> str:
    out: list[str] = []
    position = 0
    while (found := text.find(target, position)) >= 0:
        end = found + len(target)
        out.append(text[position:found])
        out.append(url if _AFTER.match(text, end) else target)
        position = end
    out.append(text[position:])
    return "".join(out)

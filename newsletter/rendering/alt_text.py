"""Alt text of images: each image says what is on it, or is marked decorative on purpose.

An empty alt, the toolbar's placeholder (what is left when its prompt is cancelled), a generic
word or a camera's file name describe nothing: each is an error in the checks, so an edition
with one is neither approved nor sent."""

from __future__ import annotations

import re

from markdown_it.token import Token

from newsletter.rendering.problems import Problem

#: what a toolbar, a camera or a hurried editor leaves as "alt text": it describes nothing
PLACEHOLDER_ALTS = {
    "beschrijf de afbeelding",
    "afbeelding",
    "plaatje",
    "foto",
    "image",
    "img",
    "alt",
    "alt-tekst",
    "alt tekst",
    "decoratief",
}
FILE_NAME = re.compile(r"\S+\.(png|jpe?g|gif|webp|heic)", re.IGNORECASE)
#: `![](url){.decoratief}` (what the editor's "decoratief" choice writes; a title
#: `![](url "decoratief")` is taken too): an image that says nothing (a line, an ornament) gets
#: alt="" on purpose, and only when the editor chose so
DECORATIVE = "decoratief"


def decorative(token: Token) -> bool:
    return token.meta.get("decorative", False) is True


def check(token: Token, line: int, problems: list[Problem]) -> None:
    """An error for an image without a real alt text, unless marked decorative."""
    alt = " ".join(token.content.split())
    if decorative(token) and not alt:
        return
    title = str(token.attrs.get("title", "")).strip().lower()
    if title == DECORATIVE:
        token.attrs.pop("title", None)  # a tooltip "decoratief" would help nobody
        if not alt:
            token.meta["decorative"] = True
            return
    if not alt:
        problems.append(
            Problem.error(
                "Een afbeelding heeft geen beschrijving (alt-tekst). Kies de afbeelding en "
                "schrijf met de knop Afbeelding wat erop staat. Is ze alleen versiering, vink "
                "dan ‘Decoratief’ aan.",
                line,
            )
        )
    elif alt.lower() in PLACEHOLDER_ALTS or FILE_NAME.fullmatch(alt):
        problems.append(
            Problem.error(
                f"De beschrijving (alt-tekst) van een afbeelding is nog ‘{alt}’. Kies de "
                "afbeelding en schrijf met de knop Afbeelding wat erop staat, voor wie haar "
                "niet kan zien.",
                line,
            )
        )

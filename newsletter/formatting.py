"""Numbers, plurals, rates and durations as Dutch readers write them: one helper for all pages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape

from newsletter.rendering.dutch import MONTHS

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def number(value: float, decimals: int = 0) -> str:
    """1234.5 → '1.234,5' (a point between thousands, a comma before decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def plural(count: int, one: str, many: str) -> str:
    """'1 lezer', '2 lezers', '1.200 lezers'."""
    return f"{number(count)} {one if count == 1 else many}"


def duration(seconds: float) -> str:
    """'40 seconden', '3 minuten', '1 uur en 5 minuten'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return plural(seconds, "seconde", "seconden")
    minutes = round(seconds / 60)
    if minutes < 60:
        return plural(minutes, "minuut", "minuten")
    hours, rest = divmod(minutes, 60)
    text = plural(hours, "uur", "uur")
    return text + (f" en {plural(rest, 'minuut', 'minuten')}" if rest else "")


def day(value: datetime) -> str:
    """An aware moment → '21 maart 2026' (the day in Dutch time)."""
    local = value.astimezone(AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def moment(value: datetime) -> str:
    """An aware moment → '21 maart 2026, 11.00 uur' (Dutch time, as VNG writes it)."""
    return f"{day(value)}, {value.astimezone(AMSTERDAM):%H.%M} uur"


#: where a long address may wrap: before "@" and ".", after "/" (never inside a word)
_WRAP = re.compile(r"(?=[@.])|(?<=/)")


def breakable(text: str) -> Markup:
    """An e-mail address or link that wraps at its @, dots and slashes (<wbr>) instead of in
    the middle of a word, as `overflow-wrap: anywhere` would."""
    parts = _WRAP.split(str(text))
    return Markup("<wbr>").join(escape(part) for part in parts)


def register(app: Flask) -> None:
    app.add_template_filter(breakable)
    app.add_template_global(plural)
    app.add_template_global(number)
    app.add_template_global(duration)
    app.add_template_global(moment)
    app.add_template_global(AMSTERDAM, "amsterdam")  # for .astimezone(amsterdam) on a page

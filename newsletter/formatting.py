"""Numbers, plurals, rates and durations as Dutch readers write them: one helper for all pages."""

from __future__ import annotations

from flask import Flask


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


def register(app: Flask) -> None:
    app.add_template_global(plural)
    app.add_template_global(number)
    app.add_template_global(duration)

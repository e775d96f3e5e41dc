"""Numbers, plurals, rates and durations as Dutch readers write them, and days as editors type
them (dd-mm-jjjj): one helper for all pages."""

from __future__ import annotations

import re
from datetime import date, datetime, time
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
    return calendar_day(value.astimezone(AMSTERDAM).date())


def calendar_day(value: date) -> str:
    """A date → '21 maart 2026'."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """An aware moment → '21 maart 2026, 11.00 uur' (Dutch time, as VNG writes it)."""
    return f"{day(value)}, {value.astimezone(AMSTERDAM):%H.%M} uur"


#: a day as it is typed: 21-03-2026 (or 21-3-2026), or ISO 2026-03-21 from older pages and scripts
_DUTCH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})", re.ASCII)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
#: a moment: the day, then the time as 14:30 or 14.30 (ISO 2026-03-21T14:30 too)
_MOMENT = re.compile(r"(\S+?)(?:\s+|T)(\d{1,2})[:.](\d{2})", re.ASCII)
#: the hints next to every field where an editor types a day, or a day and a time
DAY_HINT = "dd-mm-jjjj, bijvoorbeeld 21-03-2026"
MOMENT_HINT = "dd-mm-jjjj uu:mm, bijvoorbeeld 21-03-2026 14:30"


def typed_day(text: str) -> date | None:
    """What an editor typed as a day → the day; None when nothing was typed. ValueError (in
    Dutch) for anything else, a day that does not exist (31-02) or a year outside 2000–2999."""
    text = text.strip()
    if not text:
        return None
    dutch, iso = _DUTCH_DAY.fullmatch(text), _ISO_DAY.fullmatch(text)
    if dutch:
        day, month, year = (int(part) for part in dutch.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise ValueError("Vul een datum in als 21-03-2026.")
    try:
        found = date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} bestaat niet. Vul een datum in als 21-03-2026.") from None
    if not 2000 <= found.year <= 2999:
        raise ValueError("Vul een datum in als 21-03-2026, met het jaar in vier cijfers.")
    return found


def typed_moment(text: str) -> datetime | None:
    """What an editor typed as a day and a time → a naive datetime; None when empty.
    ValueError (in Dutch) for anything else."""
    text = text.strip()
    if not text:
        return None
    found = _MOMENT.fullmatch(text)
    if not found:
        raise ValueError("Vul een datum en tijd in als 21-03-2026 14:30.")
    day = typed_day(found.group(1))
    hour, minute = int(found.group(2)), int(found.group(3))
    if day is None or hour > 23 or minute > 59:
        raise ValueError(
            f"{found.group(2)}:{found.group(3)} is geen tijd. Vul een tijd in als 14:30."
        )
    return datetime.combine(day, time(hour, minute))


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

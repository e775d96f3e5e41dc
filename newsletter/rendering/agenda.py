"""Dates to save: agenda items in an edition's front matter, shown as "In uw agenda" and served
as .ics files (RFC 5545) in Europe/Amsterdam, with its VTIMEZONE.

    agenda:
      - title: Ledenbijeenkomst over het ravijn
        start: 2026-03-21 11:00
        end: 2026-03-21 12:30
        place: Jaarbeurs, Utrecht
        link: https://vng.nl/ravijn
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

from newsletter.rendering.dutch import MONTHS
from newsletter.rendering.lines import line_problem
from newsletter.rendering.problems import Problem

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_ITEMS = 10
FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M")
KEYS = ("title", "start", "end", "place", "link")


@dataclass(frozen=True)
class AgendaItem:
    title: str
    start: dt.datetime  # Amsterdam time, without tzinfo (as the editor wrote it)
    end: dt.datetime | None = None
    place: str = ""
    link: str = ""

    def label(self) -> str:
        """'21 maart 2026, 11.00–12.30 uur' (VNG's own way of writing dates and times)."""
        day = _day(self.start)
        if self.end is None:
            return f"{day}, {self.start:%H.%M} uur"
        if self.end.date() == self.start.date():
            return f"{day}, {self.start:%H.%M}–{self.end:%H.%M} uur"
        return f"{day}, {self.start:%H.%M} uur tot {_day(self.end)}, {self.end:%H.%M} uur"

    def as_front(self) -> dict[str, str]:
        found = {"title": self.title, "start": f"{self.start:%Y-%m-%d %H:%M}"}
        if self.end:
            found["end"] = f"{self.end:%Y-%m-%d %H:%M}"
        if self.place:
            found["place"] = self.place
        if self.link:
            found["link"] = self.link
        return found


def _day(moment: dt.datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def moment(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # 2026-03-21T10:00:00Z: shown as the time in Amsterdam
            value = value.astimezone(AMSTERDAM)
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        for pattern in FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), pattern)
            except ValueError:
                continue
    return None


def parse(value: object, line: int) -> tuple[tuple[AgendaItem, ...], list[Problem]]:
    """Every problem with the item's number, in Dutch; the good items are kept."""
    if value in (None, "", []):
        return (), []
    if not isinstance(value, list):
        return (), [Problem.error("'agenda' moet een lijst met afspraken zijn.", line)]
    if len(value) > MAX_ITEMS:
        return (), [Problem.error(f"Hoogstens {MAX_ITEMS} afspraken in 'agenda'.", line)]
    items, problems = [], []
    for number, raw in enumerate(value, start=1):
        found = _item(raw)
        if isinstance(found, str):
            problems.append(Problem.error(f"Afspraak {number} in 'agenda': {found}", line))
        else:
            items.append(found)
    return tuple(items), problems


def _item(raw: object) -> AgendaItem | str:
    if not isinstance(raw, dict) or set(raw) - set(KEYS):
        return "gebruik alleen title, start, end, place en link."
    texts = {k: raw.get(k) if raw.get(k) is not None else "" for k in ("title", "place", "link")}
    if not all(isinstance(v, str) for v in texts.values()):
        return "title, place en link moeten tekst zijn."
    title, place, link = (texts[k].strip() for k in ("title", "place", "link"))
    if not title:
        return "de titel ontbreekt."
    if any(line_problem(v) for v in (title, place, link)) or len(title) > 150 or len(place) > 150:
        return "titel en plaats staan op één regel en zijn hoogstens 150 tekens."
    start = moment(raw.get("start"))
    if start is None:
        return "'start' moet een datum en tijd zijn, zoals 2026-03-21 11:00."
    end = moment(raw.get("end")) if raw.get("end") not in (None, "") else None
    if raw.get("end") not in (None, "") and end is None:
        return "'end' moet een datum en tijd zijn, zoals 2026-03-21 12:30."
    if end is not None and end <= start:
        return "het einde ligt voor het begin."
    if link and not link.startswith("https://"):
        return "de link moet met https:// beginnen."
    return AgendaItem(title, start, end, place, link)


def ics(item: AgendaItem, uid: str, stamp: dt.datetime) -> bytes:
    """One event in Europe/Amsterdam (with VTIMEZONE), no personal data."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//VNG//OVER het ravijn//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(icalendar.Timezone.from_tzid("Europe/Amsterdam"))
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", item.title)
    event.add("dtstart", item.start.replace(tzinfo=AMSTERDAM))
    event.add("dtend", (item.end or item.start + dt.timedelta(hours=1)).replace(tzinfo=AMSTERDAM))
    if item.place:
        event.add("location", item.place)
    if item.link:
        event.add("url", item.link)
        event.add("description", item.link)
    calendar.add_component(event)
    return calendar.to_ical()

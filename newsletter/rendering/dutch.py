"""Dutch dates as VNG writes them ("21 maart 2026, 11.00 uur"): the month names, for the
mails (rendering) and the pages (newsletter/formatting.py) alike."""

from __future__ import annotations

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

"""Dates as Dutch Excel writes them in an import file (DD-MM-JJJJ and friends), and ISO."""

from __future__ import annotations

import pytest

from newsletter.subscribers.imports import checks


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31-12-2025", (2025, 12, 31)),
        ("1-2-2026", (2026, 2, 1)),
        ("31/12/2025", (2025, 12, 31)),
        ("31.12.2025", (2025, 12, 31)),
        ("2025-12-31", (2025, 12, 31)),
        ("31-12-2025 00:00", (2025, 12, 31)),
    ],
)
def test_dutch_and_iso_dates(text, day):
    found = checks.day_of(text)
    assert (found.year, found.month, found.day) == day


@pytest.mark.parametrize("text", ["31-13-2025", "12/31/2025", "gisteren", "25-12-25", ""])
def test_what_is_no_date(text):
    assert checks.day_of(text) is None

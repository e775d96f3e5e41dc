"""Days and moments as editors type them (dd-mm-jjjj, dd-mm-jjjj uu:mm), ISO from older pages
and scripts too; anything else a Dutch ValueError. One parser for the logbook's filter and the
edition's fields."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from newsletter.formatting import typed_day, typed_moment


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("21-03-2026", date(2026, 3, 21)),
        (" 2-3-2026 ", date(2026, 3, 2)),
        ("2026-03-21", date(2026, 3, 21)),
        ("", None),
        ("  ", None),
    ],
)
def test_a_typed_day(typed, day):
    assert typed_day(typed) == day


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03/21/2026", "Vul een datum in als 21-03-2026."),
        ("morgen", "Vul een datum in als 21-03-2026."),
        ("21-03-26", "Vul een datum in als 21-03-2026."),
        ("31-02-2026", "31-02-2026 bestaat niet."),
        ("2026-13-01", "2026-13-01 bestaat niet."),
        ("01-01-1999", "met het jaar in vier cijfers"),
        ("٢١-٠٣-٢٠٢٦", "Vul een datum in als 21-03-2026."),  # other digits than 0-9
    ],
)
def test_what_is_no_day_says_so_in_dutch(typed, message):
    with pytest.raises(ValueError, match=message):
        typed_day(typed)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("21-03-2026 14:30", datetime(2026, 3, 21, 14, 30)),
        ("21-3-2026 9.05", datetime(2026, 3, 21, 9, 5)),
        ("2026-03-21T14:30", datetime(2026, 3, 21, 14, 30)),
        ("2026-03-21 14:30", datetime(2026, 3, 21, 14, 30)),
        ("", None),
    ],
)
def test_a_typed_moment(typed, moment):
    assert typed_moment(typed) == moment


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("21-03-2026", "Vul een datum en tijd in als 21-03-2026 14:30."),
        ("21-03-2026 25:00", "25:00 is geen tijd."),
        ("31-02-2026 10:00", "31-02-2026 bestaat niet."),
        ("05/04/2031 9:30 AM", "Vul een datum en tijd in"),
    ],
)
def test_what_is_no_moment_says_so_in_dutch(typed, message):
    with pytest.raises(ValueError, match=message):
        typed_moment(typed)

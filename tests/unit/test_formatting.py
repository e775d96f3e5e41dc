"""Dates and times as VNG writes them: '21 maart 2026, 11.00 uur', in Dutch time."""

from datetime import UTC, datetime

from newsletter.formatting import day, moment


def test_a_moment_is_written_in_dutch_and_in_dutch_time():
    assert moment(datetime(2026, 3, 21, 10, 0, tzinfo=UTC)) == "21 maart 2026, 11.00 uur"
    assert moment(datetime(2026, 7, 1, 7, 5, tzinfo=UTC)) == "1 juli 2026, 09.05 uur"  # summer
    assert day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1 januari 2027"

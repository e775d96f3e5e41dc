"""One rule for a subscriber's name (subscribers/names.py): what it refuses, in Dutch.
tests/integration/test_name_rule.py shows every way in applies it."""

from __future__ import annotations

import pytest

from newsletter.subscribers import names

GOOD = ["Anna de Vries", "drs. ing. A. van den Berg-Öztürk", "J.P. 't Hooft", "Ms. Ng"]
BAD = [
    "Anna anna@phish.example",
    "Kijk op www.winnen.nl",
    "Bel https://x.example/y",
    "naam.com",
    "Anna\x07",
    "A" * (names.NAME_MAX + 1),
]


@pytest.mark.parametrize("name", GOOD)
def test_a_name_is_a_name(name):
    assert names.problem(name) is None


@pytest.mark.parametrize("name", BAD)
def test_what_is_not_a_name_is_said_in_dutch(name):
    said = names.problem(name)
    assert said in (names.NOT_PRINTABLE,) or (said and "naam" in said.lower())

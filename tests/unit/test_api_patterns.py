"""The document's patterns take exactly what the server's rules take, read as Schemathesis reads
them (jsonschema-rs): texts without control characters and not blank, names without an
address, Markdown with its new lines, dates and times within the server's years."""

from __future__ import annotations

from datetime import date

import jsonschema_rs
import pytest

from newsletter.api import schemas
from newsletter.subscribers import names

SAMPLES = [
    "Jan", " Jan ", "   ", "", "a\x01b", "a\x85b", "a\x7f", "\u00a0x", "x\u3000", "abc\n",
    "Jan@x", "www.x", "piet.nl", "Piet.NL", "drs.ing.", "https://a", "ing. J. de Vries",
]  # fmt: skip


def valid(schema: dict, value: object) -> bool:
    return jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)


@pytest.mark.parametrize("text", SAMPLES)
def test_a_name_is_valid_in_the_document_exactly_when_the_server_takes_it(text):
    server = bool(text.strip()) and not names.unprintable(text) and not names.linklike(text)
    assert valid(schemas.text(names.NAME_MAX, pattern=schemas.NAME_PATTERN), text) is server


@pytest.mark.parametrize("text", SAMPLES)
def test_a_text_is_valid_in_the_document_exactly_when_the_server_takes_it(text):
    server = bool(text.strip()) and not names.unprintable(text)
    assert valid(schemas.text(200), text) is server


MARKDOWN = [("# Kop\n\n\tTekst\r\n", True), ("\x85x", True), (" \n\t", False), ("a\x0bb", False)]
TIMES = [
    ("2026-12-01T09:00:00+01:00", True), ("1970-01-01t00:00:00z", True),
    ("9000-12-31T23:59:59Z", True), ("0008-01-01T00:00:00Z", False),
    ("1969-12-31T23:59:59Z", False), ("9001-01-01T00:00:00Z", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "taken"), MARKDOWN)
def test_markdown_keeps_its_new_lines_and_tabs(text, taken):
    assert valid({"type": "string", "pattern": schemas.MARKDOWN_PATTERN}, text) is taken


@pytest.mark.parametrize(("at", "taken"), TIMES)
def test_times_are_taken_from_1970_to_9000(at, taken):
    assert valid(schemas.DATE_TIME, at) is taken


def test_a_consent_date_is_a_day_from_2000_up_to_today():
    schema = schemas.consent_date(date(2026, 3, 9))
    taken = ["2000-01-01", "2025-12-31", "2026-02-28", "2026-03-01", "2026-03-09"]
    refused = ["1999-12-31", "2026-03-10", "2026-04-01", "2027-01-01", "2026-02-30"]
    assert [valid(schema, d) for d in taken + refused] == [True] * 5 + [False] * 5

"""The workspace's form and the source round-trip (issue 12), and YAML errors in plain Dutch."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.rendering.frontmatter import Fields, compose, decompose, parse, split

TITLES = [
    'Jeugdzorg: "het gat" blijft 🕳️',
    "Wmo: 'eigen bijdrage' — wat nu?",
    "# geen kop: wel een hekje",
    "- een streepje vooraan",
    "ja",  # YAML 1.1 would read this as true
    "2026-12-01",  # and this as a date
    "null",
    "{accolades} en [haken]",
]


@pytest.mark.parametrize("title", TITLES)
def test_a_title_with_colons_quotes_and_emoji_round_trips_unchanged(title):
    fields = Fields(
        title=title,
        preheader="Eén zin: met een dubbele punt.",
        date=dt.date(2026, 12, 1),
        theme="Jeugdzorg",
        segment={"provincies": ["Utrecht", "Fryslân"], "functies": ["Wethouder"]},
        body="## Kop\n\nTekst met **vet**.\n",
    )
    source = compose(fields)
    assert decompose(source) == fields
    front, problems = parse(split(source)[0])
    assert problems == [] and front.title == title


@given(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
            blacklist_characters="\u200b\u200c\u200d\u2060\ufeff\u00ad",
        ),
        min_size=1,
        max_size=150,
    ).filter(lambda text: text.strip() == text and text.strip())
)
def test_any_one_line_title_round_trips(title):
    fields = Fields(title=title, body="Tekst.\n")
    assert decompose(compose(fields)) == fields


def test_a_source_that_cannot_be_shown_as_fields_stays_in_the_source_view():
    assert decompose("geen kop\n\nTekst") is None
    assert decompose("---\ntitle: [open\n---\nTekst") is None
    assert decompose("---\ntitle: x\nkleur: rood\n---\nTekst") is None


@pytest.mark.parametrize(
    ("raw", "advice"),
    [
        ("title: Jeugdzorg: het gat", "Zet de hele waarde tussen aanhalingstekens"),
        ('title: "open', "wordt niet afgesloten"),
        ("title: x\n\tpreheader: y", "tab"),
        ("title: [a", "klopt niet"),
    ],
)
def test_yaml_errors_say_what_to_do_in_dutch(raw, advice):
    [problem] = parse(raw)[1]
    assert advice in problem.message
    assert "mapping values" not in problem.message and "<unicode string>" not in problem.message

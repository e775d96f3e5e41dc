"""Every mail we send, rendered as a reader gets it: the fixture edition (with two agenda items,
personalised) and each transactional template, by name. For checks that look at all of them."""

from __future__ import annotations

from functools import cache

from newsletter.rendering.edition import personalise, render_edition
from newsletter.rendering.mjml import EMAIL_TEMPLATES, render_email
from newsletter.rendering.selfcheck import TRANSACTIONAL
from tests.factories import SOURCE

URL = "https://ravijn.example/"
AGENDA = """agenda:
  - title: Ledenbijeenkomst over het ravijn
    start: 2026-03-21 11:00
    end: 2026-03-21 12:30
    place: Jaarbeurs, Utrecht
    link: https://vng.nl/ravijn
  - title: Kamerdebat over het gemeentefonds
    start: 26-03-2026 10:00
"""
#: the fixture edition with dates to save, as the seed edition of a demo has them
EDITION = SOURCE.replace("---\n", "---\n" + AGENDA, 1)
#: the templates that are no mail of their own
LAYOUTS = {"base", "button", "edition"}
KEYS = TRANSACTIONAL | {"editor_test_address": ("url", "editor")}


@cache
def edition() -> tuple[str, str]:
    """(html, text) of the fixture edition as one reader gets it."""
    rendered = render_edition(
        EDITION,
        web_url=URL + "archief/1",
        privacy_url=URL + "privacy",
        archive_url=URL + "archief/",
    )
    assert rendered.ok, rendered.problems
    values = {
        "name": "Anna de Vries",
        "preferences_url": URL + "voorkeuren/p",
        "unsubscribe_url": URL + "afmelden/u",
    }
    return personalise(rendered, values)


@cache
def every_mail() -> dict[str, str]:
    """Name → HTML of every mail: the edition and each transactional template."""
    shipped = {p.stem for p in EMAIL_TEMPLATES.glob("*.mjml")} - LAYOUTS
    assert shipped == set(KEYS), f"a template without values here: {shipped ^ set(KEYS)}"
    mails = {"edition": edition()[0]}
    for name, keys in sorted(KEYS.items()):
        values = {"name": "Anna", "privacy_url": URL + "privacy", "archive_url": URL + "archief"}
        values |= {key: URL + key for key in keys}
        mails[name] = render_email(name, "Onderwerp", values).html
    return mails

"""Editors never see Markdown (issue 29): a new edition's first line is plain Dutch with "je";
the pages of /beheer name Markdown only for the source view ("Bronweergave"), and the checks'
messages about images show no Markdown syntax."""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.editions.forms import STARTER, STARTER_BODY, STARTER_LINE
from newsletter.rendering.edition import render_edition

ROOT = Path(__file__).parent.parent.parent
#: the source view: its link and the hint above its text box
SOURCE_VIEW = ("Bronweergave (Markdown)", 'id="source-hint"')


def test_a_new_edition_starts_in_plain_dutch():
    assert re.search(r"\bje\b", STARTER_LINE)
    for text in (STARTER_LINE, STARTER_BODY, STARTER):
        assert "markdown" not in text.lower()
    assert STARTER_LINE in STARTER and STARTER_LINE in STARTER_BODY


def test_the_pages_name_markdown_only_for_the_source_view():
    found = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "templates" / "beheer").glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "markdown" in re.sub(r"\{#.*?#\}", "", line).lower()
        and not any(allowed in line for allowed in SOURCE_VIEW)
    ]
    assert found == []


def test_the_image_checks_show_no_markdown_syntax():
    source = "---\ntitle: T\n---\n\n![](https://vng.nl/a.png)\n\n![foto](https://vng.nl/b.png)\n"
    messages = [p.message for p in render_edition(source).problems if "alt-tekst" in p.message]
    assert len(messages) == 2
    for message in messages:
        assert "[ ]" not in message and "](" not in message and "{." not in message

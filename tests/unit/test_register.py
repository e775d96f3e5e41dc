"""Readers are addressed with 'u' in plain Dutch (issue 13): no informal forms in any template
a reader sees (site pages, reader mails, HTML and text), and no page in the 'difficult' band
of Flesch-Douma (bench/readability.py prints the scores)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("readability", ROOT / "bench" / "readability.py")
readability = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(readability)

INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jouwe|jezelf|jullie)\b", re.IGNORECASE)
#: the layouts are skipped for readability (no sentences) but not for the register
TEMPLATES = [
    *readability.reader_templates(),
    ROOT / "templates" / "site" / "base.html",
    ROOT / "templates" / "site" / "_forms.html",
    ROOT / "templates" / "emails" / "base.mjml",
    # mails to editors leave the admin too: neutral, never informal
    *sorted((ROOT / "templates" / "emails").glob("editor_*")),
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_informal_forms_in_what_readers_see(path):
    found = INFORMAL.findall(readability.fixed_text(path))
    assert found == [], f"{path.name}: {found}"


def test_the_reader_facing_messages_in_code_say_u_too():
    sources = [
        ROOT / "newsletter" / "subscribers" / "pages" / "forms.py",
        ROOT / "newsletter" / "subscribers" / "pages" / "views.py",
        ROOT / "newsletter" / "subscribers" / "mails.py",
        ROOT / "newsletter" / "subscribers" / "addresses.py",
        ROOT / "newsletter" / "errors.py",
        ROOT / "newsletter" / "auth" / "mails.py",
        ROOT / "newsletter" / "editions" / "notices.py",
    ]
    for path in sources:
        strings = re.findall(r'"([^"\\n]*[A-Za-z][^"\\n]*)"', path.read_text(encoding="utf-8"))
        informal = [s for s in strings if INFORMAL.search(s)]
        assert informal == [], f"{path.name}: {informal}"


def test_no_page_or_mail_is_difficult_to_read():
    scores = readability.scores()
    assert len(scores) >= 20
    difficult = {name: round(score) for name, score in scores.items() if score < 50}
    assert difficult == {}

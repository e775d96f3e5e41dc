"""Readability of the fixed text readers see: every page and mail template (site, reader mails),
scored with Flesch-Douma (textstat's Dutch Flesch reading ease). Prints one line per template
and exits 1 when one is in the 'difficult' band (below 50: 30–50 moeilijk, below 30 zeer
moeilijk). The register (u, never je) is checked by tests/unit/test_register.py.

    .venv/bin/python bench/readability.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import textstat
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
DIFFICULT_BELOW = 50
#: what readers see; editors' mails and the developer's pages are not for them, and the two
#: layouts (base.html, base.mjml) hold names and a postal address, no sentences to score
SKIP = {
    "dev_mail.html",
    "dev_outbox.html",
    "base.html",
    "base.mjml",
    "editor_notice.mjml",
    "editor_notice.txt",
    "editor_password.mjml",
    "editor_password.txt",
    "_forms.html",
}


def reader_templates() -> list[Path]:
    found = [
        *sorted((ROOT / "templates" / "site").glob("*.html")),
        *sorted((ROOT / "templates" / "emails").glob("*.mjml")),
        *sorted((ROOT / "templates" / "emails").glob("*.txt")),
    ]
    return [path for path in found if path.name not in SKIP]


def fixed_text(path: Path) -> str:
    """The words of a template without Jinja, tags or URLs: what a reader reads."""
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    text = BeautifulSoup(source, "html.parser").get_text(" ")
    text = re.sub(r"https?://\S+", " ", text)
    return " ".join(text.split())


def scores() -> dict[str, float]:
    textstat.set_lang("nl")
    result = {}
    for path in reader_templates():
        text = fixed_text(path)
        if len(text.split()) >= 8:  # a title alone says nothing about readability
            result[str(path.relative_to(ROOT))] = textstat.flesch_reading_ease(text)
    return result


def main() -> int:
    found = scores()
    for name, score in sorted(found.items(), key=lambda item: item[1]):
        band = "moeilijk" if score < DIFFICULT_BELOW else "goed te lezen"
        print(f"{score:6.1f}  {band:<14} {name}")
    difficult = [name for name, score in found.items() if score < DIFFICULT_BELOW]
    print(f"{len(found)} templates, {len(difficult)} in the difficult band (< {DIFFICULT_BELOW})")
    return 1 if difficult else 0


if __name__ == "__main__":
    sys.exit(main())

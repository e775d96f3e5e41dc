"""The renderer gives every uploaded image width and height fitted to where it stands, from the
sizes it is given (no database): Outlook for Windows reads only those attributes."""

from __future__ import annotations

from bs4 import BeautifulSoup

from newsletter.rendering.edition import render_edition

OWN = "https://ravijn.example/media/"
NAME = "ab" * 16 + ".jpg"
URL = OWN + NAME


def sizes(body: str, images: dict[str, tuple[int, int]]) -> list[tuple[str, str, str]]:
    source = f"---\ntitle: Test\npreheader: Voorregel\ndate: 2026-12-01\n---\n\n{body}\n"
    rendered = render_edition(source, own_media=OWN, images=images)
    soup = BeautifulSoup(rendered.html, "html.parser")
    return [(img["alt"], img.get("width", ""), img.get("height", "")) for img in soup("img")]


def test_block_quote_and_nested_list_images_fit_their_place():
    body = f"![blok]({URL})\n\n> ![citaat]({URL})\n\n- een\n  - ![diep]({URL})\n"
    assert sizes(body, {NAME: (1200, 900)}) == [
        ("blok", "502", "376"),
        ("citaat", "482", "362"),  # a quote's border and padding: 20 px
        ("diep", "454", "340"),  # two list indents of 24 px
    ]


def test_a_small_image_is_not_stretched_to_the_column():
    assert sizes(f"![logo]({URL})", {NAME: (120, 40)}) == [("logo", "120", "40")]


def test_an_image_of_unknown_size_gets_a_warning_and_no_invented_height():
    source = (
        "---\ntitle: T\npreheader: P\ndate: 2026-12-01\n---\n\n![elders](https://x.example/a.png)\n"
    )
    rendered = render_edition(source, own_media=OWN, images={})
    assert [p.level for p in rendered.problems] == ["warning"]
    assert "maat niet bekend" in rendered.problems[0].message
    assert BeautifulSoup(rendered.html, "html.parser").img.get("height") is None

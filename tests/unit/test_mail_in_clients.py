"""The mail as the clients draw it: Outlook for Windows (Word's engine) through its conditional
tables and VML, phones of 320 px, dark mode, inbox previews. Every mail, parsed."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from newsletter.rendering.edition import render_edition
from tests.mails import EDITION, edition, every_mail

MSO = re.compile(r"<!--\[if mso[^\]]*\]>(.*?)<!\[endif\]-->", re.S)
BODY, COLUMN, CONTENT = 600, 552, 502  # the mail, its column (24 px each side), a block's inside


def outlook_only(html: str) -> BeautifulSoup:
    """What only Outlook for Windows reads: the conditional comments, joined into one tree."""
    return BeautifulSoup("".join(MSO.findall(html)), "html.parser")


def widths(tag) -> set[int]:
    found = set(re.findall(r"(?:^|;)\s*width:\s*(\d+)px", tag.get("style", "")))
    if tag.get("width"):
        found.add(tag["width"].removesuffix("px"))
    return {int(w) for w in found}


@pytest.mark.parametrize("name", sorted(every_mail()))
def test_every_width_in_outlooks_tables_is_the_mail_column_or_block(name):
    tree = outlook_only(every_mail()[name])
    outer = tree.find_all("table", class_=lambda c: bool(c) and c.endswith("-outlook"))
    columns = [td for td in tree.find_all("td") if "vertical-align:top" in td.get("style", "")]
    assert outer and columns
    for table in outer:
        assert widths(table) == {BODY}, table
    for td in columns:
        assert widths(td) == {COLUMN}, td
    for tag in tree.find_all(["table", "td"]):
        if tag not in outer and tag not in columns:
            assert widths(tag) <= {CONTENT}, tag


@pytest.mark.parametrize("name", sorted(every_mail()))
def test_buttons_are_vml_roundrects_in_outlook_and_html_elsewhere(name):
    html = every_mail()[name]
    soup = BeautifulSoup(html, "html.parser")
    links = [a["href"] for a in soup.find_all("a") if "padding:14px 24px" in a.get("style", "")]
    shapes = outlook_only(html).find_all("v:roundrect")
    assert [shape["href"] for shape in shapes] == links
    assert links or name == "address_notice"  # the one mail without a button
    for shape in shapes:
        assert shape["arcsize"] and shape["fillcolor"] == "#00597a"
        assert shape.find("w:anchorlock") is not None  # the shape is the link, text not editable
        width = int(re.search(r"width:(\d+)px", shape["style"]).group(1))
        assert 48 < width <= CONTENT
    # the HTML button is hidden from Word's engine, which would draw it square beside the shape
    for link in links:
        before = html[: html.index(f'href="{link}" style="display:inline-block')]
        assert before.rindex("<!--[if !mso]><!-->") > before.rindex("<![endif]-->")


def test_headings_lists_and_links_carry_their_style_inline():
    soup = BeautifulSoup(edition()[0], "html.parser")
    for heading in soup.find_all(["h1", "h2", "h3", "h4"]):
        assert "font-family:Arial" in heading["style"] and "color:#" in heading["style"]
    for listing in soup.find_all(["ul", "ol"]):
        assert "margin:8px 0 8px 24px" in listing["style"]  # Word indents by margin, not padding
    for name, html in every_mail().items():
        for link in BeautifulSoup(html, "html.parser").find_all("a"):
            assert "color:#" in link.get("style", ""), (name, link)


def test_a_table_stacks_on_phones_and_wraps_elsewhere_instead_of_scrolling():
    html = edition()[0]
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", class_="stack")
    assert "width:100%" in table["style"]
    assert "white-space:nowrap" not in html and "overflow-x" not in html
    labels = [cell.find("span", class_="cell-label") for cell in table.find_all("td")]
    assert [label.get_text() for label in labels[:3]] == [
        "Jaar: ",
        "Tekort jeugdzorg: ",
        "Korting gemeentefonds: ",
    ]
    assert all("display:none" in label["style"] for label in labels)
    cells = table.find("tbody").find("tr").find_all("td")
    assert ["text-align:right" in cell["style"] for cell in cells] == [False, True, True]
    assert "table.stack tr, table.stack td { display: block !important; }" in html


def test_dark_mode_is_declared_in_meta_and_css():
    for name, html in every_mail().items():
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark", name
        assert "@media (prefers-color-scheme: dark)" in html, name


def test_the_preheader_is_hidden_without_low_contrast_text_and_spaced_from_the_body():
    soup = BeautifulSoup(edition()[0], "html.parser")
    hidden = soup.body.find("div", style=re.compile("display:none"))
    text = hidden.get_text()
    assert text.startswith("Deze week in de campagne")
    assert text.endswith("\u200c\xa0" * 30)  # &zwnj;&nbsp;: the inbox preview ends here
    style = hidden["style"]
    assert "display:none" in style and "color" not in style and "font-size" not in style


def test_no_preheader_no_hidden_block():
    rendered = render_edition("---\ntitle: Zonder voorregel\n---\n\nTekst.\n")
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert not soup.body.find("div", style=re.compile("display:none"))


def test_a_single_line_break_is_a_break_in_both_parts():
    html, text = edition()
    assert "Met vriendelijke groet,<br />\nVereniging van Nederlandse Gemeenten" in html
    assert "Met vriendelijke groet,\nVereniging van Nederlandse Gemeenten" in text


def test_the_agenda_comes_before_the_sections_in_both_parts():
    html, text = edition()
    for part in (html, text):
        assert part.index("In uw agenda") < part.index("De week van de jeugdzorg"), part[:300]
    assert EDITION  # (the fixture with two agenda items)

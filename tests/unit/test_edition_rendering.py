"""Editions: structure checked by parsing the HTML, hostile Markdown, front matter problems."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from newsletter.rendering.edition import personalise, render_edition

FIXTURE = Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md"
VALUES = {
    "name": "Anna <de> Vries",
    "preferences_url": "https://ravijn.example/voorkeuren/p",
    "unsubscribe_url": "https://ravijn.example/afmelden/u",
}


def edition(body: str, front: str = "title: Test\npreheader: Voorregel\ndate: 2026-12-01") -> str:
    return f"---\n{front}\n---\n\n{body}\n"


def test_realistic_edition_structure():
    rendered = render_edition(FIXTURE.read_text(), web_url="https://ravijn.example/archief/1")
    assert rendered.problems == ()
    html, text = personalise(rendered, VALUES)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "nl"
    assert soup.title.string.strip() == "Jeugdzorg: gemeenten kunnen het gat niet dichten"
    assert soup.find("meta", attrs={"name": "viewport"})
    headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
    assert headings == ["De week van de jeugdzorg", "De cijfers", "Agenda"]
    images = soup.find_all("img")
    assert images and all(img.get("alt") for img in images)
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert all(h.startswith(("https://", "mailto:")) for h in hrefs)
    assert "https://vng.nl/ravijn/kamerleden" in hrefs  # the button
    assert VALUES["unsubscribe_url"] in hrefs and VALUES["preferences_url"] in hrefs
    [data_table] = [t for t in soup.find_all("table") if t.find("thead", recursive=False)]
    first_row = data_table.find_all("tr")[1].find_all("td")
    assert [cell.contents[-1] for cell in first_row] == ["2025", "€ 1,1 miljard", "—"]
    assert soup.find("blockquote") and soup.find("ol") and soup.find("ol").find("ul")
    assert "Nassaulaan 12, 2514 JS Den Haag" in soup.get_text()
    assert len(html.encode()) < 100_000
    # the text part comes from the Markdown, with links written out
    assert "Schrijf uw Kamerlid (https://vng.nl/ravijn/kamerleden)" in text
    assert "ledenbrief (https://vng.nl/brieven/ravijn-jeugdzorg)" in text
    assert f"Afmelden: {VALUES['unsubscribe_url']}" in text
    assert "<p>" not in text and "<a " not in text


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](https://vng.nl){onclick=alert(1) style=x}",
        '![plaatje](https://vng.nl/a.png){onerror="alert(1)"}',
        '[knop](https://vng.nl/"><script>alert(1)</script>){.button}',
    ],
)
def test_hostile_markdown_never_becomes_markup(hostile):
    rendered = render_edition(edition(f"Tekst.\n\n{hostile}\n"))
    html, text = personalise(rendered, VALUES)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert "klik (javascript" not in text.lower()  # never written out as a link
    for tag in soup.find_all(True):
        for name in tag.attrs:
            assert not name.startswith("on"), (tag.name, name)
    for a in soup.find_all("a"):
        assert not a["href"].lower().startswith("javascript")
    assert "<script" not in html.lower().replace("&lt;script", "")


def test_template_syntax_is_literal_text():
    source = edition("Beste {{ name }}, {% if x %}ja{% endif %} $unsubscribe_url ${x} %%naam%%")
    rendered = render_edition(source)
    html, text = personalise(rendered, VALUES)
    for literal in ("{{ name }}", "{% if x %}ja{% endif %}", "$unsubscribe_url", "%%naam%%"):
        assert literal in text
        assert literal in BeautifulSoup(html, "html.parser").get_text()


def test_a_forged_marker_in_the_text_stays_text():
    first = render_edition(edition("Tekst"))
    forged = f"RVJ{first.nonce}Kunsubscribe_urlK"
    second = render_edition(edition(f"Kijk: {forged}"))
    html, text = personalise(second, VALUES)
    assert forged in text and VALUES["unsubscribe_url"] + "\n" in text
    assert forged in BeautifulSoup(html, "html.parser").get_text()


def test_crlf_and_wrong_types_in_front_matter_are_refused_by_name_and_line():
    source = (
        '---\ntitle: "Onderwerp\\r\\nBcc: x@y.nl"\npreheader: 12\ndate: morgen\n'
        "kleur: rood\nsegment: [1, 2]\n---\n\nTekst\n"
    )
    problems = {str(p) for p in render_edition(source).problems}
    assert "fout: regel 2: 'title' moet op één regel staan, zonder tabs." in problems
    assert "fout: regel 3: 'preheader' moet tekst zijn." in problems
    assert "fout: regel 4: 'date' moet een datum zijn, zoals 2026-12-01." in problems
    assert any(p.startswith("fout: regel 5: Onbekende sleutel 'kleur'") for p in problems)
    assert any(p.startswith("fout: regel 6: 'segment'") for p in problems)
    rendered = render_edition(source)
    assert "\r" not in rendered.subject and "\n" not in rendered.subject


def test_missing_front_matter_alt_and_insecure_links_are_errors():
    assert not render_edition("Geen front matter").ok
    no_alt = render_edition(edition("![](https://vng.nl/a.png)"))
    assert any("alt-tekst" in p.message for p in no_alt.problems) and not no_alt.ok
    http = render_edition(edition("[x](http://vng.nl) [y](/relatief)"))
    assert sum("moet met https://" in p.message for p in http.problems) == 2


@pytest.mark.parametrize(
    "alt",
    # the toolbar's text when its prompt is cancelled, generic words, a camera's file name
    ["beschrijf de afbeelding", "Afbeelding", "foto", "IMG_0042.JPG", "decoratief", "  "],
)
@pytest.mark.parametrize("where", ["alone", "inline"])
def test_a_placeholder_or_empty_alt_is_an_error(alt, where):
    image = f"![{alt}](https://vng.nl/a.png)"
    rendered = render_edition(edition(image if where == "alone" else f"Zie {image} hier."))
    assert not rendered.ok
    assert any("alt-tekst" in p.message for p in rendered.problems)


@pytest.mark.parametrize("where", ["alone", "inline"])
def test_only_an_image_marked_decorative_goes_out_with_an_empty_alt(where):
    image = '![](https://vng.nl/lijn.png "decoratief")'
    rendered = render_edition(edition(image if where == "alone" else f"Zie {image} hier."))
    assert rendered.problems == ()
    html, text = personalise(rendered, VALUES)
    (img,) = BeautifulSoup(html, "html.parser").find_all("img", src="https://vng.nl/lijn.png")
    assert img.get("alt") == "" and not img.get("title")
    assert "Afbeelding" not in text  # nothing to say in the text part either
    described = render_edition(edition('![Wethouder aan het woord](https://vng.nl/a.png "x")'))
    assert described.ok


def test_too_large_for_gmail_is_an_error():
    body = "\n\n".join(f"Alinea {i} " + "woord " * 120 for i in range(250))
    rendered = render_edition(edition(body))
    assert any("Gmail" in p.message and p.level == "error" for p in rendered.problems)


def test_archive_version_has_no_personal_links():
    rendered = render_edition(FIXTURE.read_text(), personal=False, signup_url="https://x/aanmelden")
    assert "RVJ" not in rendered.html and "Afmelden" not in rendered.html
    assert "https://x/aanmelden" in rendered.html
    assert "RVJ" not in rendered.web and "Afmelden" not in rendered.web
    assert "https://x/aanmelden" in rendered.web


def test_the_archive_web_version_is_a_page_fragment_not_a_mail():
    rendered = render_edition(FIXTURE.read_text(), personal=False, signup_url="https://x/aanmelden")
    soup = BeautifulSoup(rendered.web, "html.parser")
    [article] = soup.find_all("article")
    assert article.h1.get_text() == "Jeugdzorg: gemeenten kunnen het gat niet dichten"
    assert "De cijfers" in [h.get_text() for h in article.find_all("h2")]
    assert [t.get("role") for t in article.find_all("table")] == [None]  # the data table only
    assert not soup.find_all(style=True)  # the site's style sheet does the styling
    assert [th["scope"] for th in article.find_all("th")] == ["col", "col", "col"]
    assert render_edition(FIXTURE.read_text()).web == ""  # a personal render has none


def test_the_mail_html_has_only_attributes_html_knows():
    html = render_edition(FIXTURE.read_text()).html
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(attrs={"vertical-align": True})  # MJML writes it; valign is HTML
    assert all(img.get("height") != "auto" for img in soup.find_all("img"))
    assert soup.find_all("th") and all(th["scope"] == "col" for th in soup.find_all("th"))
    assert "supported-color-schemes:" not in html  # an early WebKit CSS name; the meta is HTML

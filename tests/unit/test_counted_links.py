"""Issue 30: counted links are the same for every reader, and only the edition's own links
(not the personal ones, not mailto:) are counted; link checkers are told apart by what they do."""

from __future__ import annotations

import re
from types import SimpleNamespace

from gunicorn.config import Config

from newsletter.accesslog import MaskedLogger
from newsletter.counts.checkers import kind
from newsletter.counts.models import ClickKind
from newsletter.rendering.counted_links import rewrite, targets
from newsletter.rendering.edition import personalise, render_edition
from tests.factories import SOURCE

WEB = "https://ravijn.example/archief/7"
PREFIX = "https://ravijn.example/l/7/"
SOURCE_WITH_EXTRAS = SOURCE.replace(
    "theme: Jeugdzorg\n",
    "theme: Jeugdzorg\nhashtags: [1voor12]\nshare: Doe mee\nagenda:\n"
    "  - title: Ledenbijeenkomst\n    start: 2026-12-10 19:30\n    place: Utrecht\n"
    "    link: https://vng.nl/agenda?id=1&x=2\n",
)


def _rendered():
    return render_edition(
        SOURCE_WITH_EXTRAS,
        web_url=WEB,
        signup_url="https://ravijn.example/aanmelden",
        privacy_url="https://ravijn.example/privacy",
        archive_url="https://ravijn.example/archief",
    )


def _urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>)]+", text)


def test_every_link_but_the_personal_ones_and_mailto_goes_through_the_counter():
    rendered = _rendered()
    assert rendered.ok, rendered.problems
    links = targets(rendered)
    assert "https://vng.nl/ravijn/kamerleden" in links
    assert "https://vng.nl/agenda?id=1&x=2" in links  # unescaped: the &amp; of the HTML
    assert f"{WEB}/agenda/1.ics" in links and WEB in links
    assert "https://ravijn.example/archief" in links
    assert any(link.startswith("https://www.linkedin.com/") for link in links)
    assert len(links) == len(set(links))
    counted = rewrite(rendered, PREFIX, links)
    html, text = personalise(
        counted, {"name": "A", "unsubscribe_url": "https://u/1", "preferences_url": "https://p/1"}
    )
    left = [u for u in _urls(html.replace("&amp;", "&")) if not u.startswith(PREFIX)]
    # what stays: the personal links, and images (not links)
    assert set(left) - {"https://u/1", "https://p/1"} <= {
        u for u in left if re.search(r"\.(png|jpe?g|gif)$", u) or "w3.org" in u
    }, left
    assert [u for u in _urls(text) if not u.startswith(PREFIX)] == ["https://p/1", "https://u/1"]
    assert "mailto:?subject=" in html  # sharing by mail stays a mailto: link
    assert f'href="{PREFIX}1"' in html


def test_the_numbers_are_the_same_on_every_render_and_in_both_parts():
    first, second = _rendered(), _rendered()
    assert first.nonce != second.nonce
    assert targets(first) == targets(second)
    one = rewrite(first, PREFIX, targets(first))
    kamer = targets(first).index("https://vng.nl/ravijn/kamerleden") + 1
    assert f"Schrijf uw Kamerlid ({PREFIX}{kamer})" in one.text or f"{PREFIX}{kamer}" in one.text


def test_a_link_that_starts_another_is_replaced_only_where_it_ends():
    rendered = render_edition(
        "---\ntitle: T\npreheader: P\n---\n[a](https://a.example/x) en [b](https://a.example/x.pdf)"
        " en [c](https://a.example/x/y).\n",
    )
    links = targets(rendered)
    counted = rewrite(rendered, PREFIX, links)
    assert "a.example" not in counted.text and "a.example" not in counted.html
    numbers = {link: n for n, link in enumerate(links, start=1)}
    assert f"a ({PREFIX}{numbers['https://a.example/x']})" in counted.text
    assert f"b ({PREFIX}{numbers['https://a.example/x.pdf']})" in counted.text


def test_link_checkers_are_told_apart_by_what_they_do():
    browser = {
        "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0",
        "Accept-Language": "nl-NL,nl;q=0.9",
    }
    assert kind("GET", browser) == ClickKind.person
    assert kind("HEAD", browser) == ClickKind.checker
    assert kind("GET", browser | {"Sec-Purpose": "prefetch"}) == ClickKind.checker
    assert kind("GET", browser | {"X-Purpose": "preview"}) == ClickKind.checker
    assert kind("GET", {**browser, "User-Agent": "python-requests/2.32"}) == ClickKind.checker
    assert kind("GET", {**browser, "User-Agent": "Mimecast URL Protect"}) == ClickKind.checker
    assert kind("GET", {**browser, "User-Agent": ""}) == ClickKind.checker
    assert kind("GET", {"User-Agent": browser["User-Agent"]}) == ClickKind.checker


def test_the_access_log_line_of_a_counted_link_holds_nothing_personal():
    config = Config()
    config.set("accesslog", "-")
    logger = MaskedLogger(config)
    headers = [("USER-AGENT", "Mozilla/5.0 Lezer"), ("X-FORWARDED-FOR", "203.0.113.9")]
    request = SimpleNamespace(
        method="GET",
        path="/l/7/3",
        query="wie=lezer@gemeente.example",
        version=(1, 1),
        headers=headers,
    )
    response = SimpleNamespace(
        status="302 FOUND", headers=[("Location", "https://vng.nl/")], sent=0, response_length=0
    )
    environ = {
        "RAW_URI": "/l/7/3?wie=lezer@gemeente.example",
        "PATH_INFO": "/l/7/3",
        "QUERY_STRING": "wie=lezer@gemeente.example",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        "HTTP_USER_AGENT": "Mozilla/5.0 Lezer",
        "HTTP_REFERER": "https://webmail.example/inbox/lezer",
        "HTTP_COOKIE": "session=abc",
    }
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1))
    line = config.access_log_format % MaskedLogger.atoms_wrapper_class(atoms)
    for personal in ("198.51.100.7", "203.0.113.9", "Lezer", "lezer@", "webmail", "abc"):
        assert personal not in line and all(personal not in str(v) for v in atoms.values())
    assert "GET /l/7/3 HTTP/1.1" in line and "302" in line


def test_the_footer_says_links_are_counted_only_when_they_are():
    said = "We tellen hoe vaak op elke link wordt geklikt, niet wie klikt."
    counted = render_edition(SOURCE, web_url=WEB, link_counts=True)
    assert said in counted.text and said in counted.html
    off = render_edition(SOURCE, web_url=WEB, link_counts=False)
    assert said not in off.text and said not in off.html
    opted_out = SOURCE.replace("theme: Jeugdzorg\n", "theme: Jeugdzorg\ncount_links: false\n")
    edition = render_edition(opted_out, web_url=WEB, link_counts=True)
    assert edition.ok and not edition.front.count_links
    assert said not in edition.text and said not in edition.html
    archive = render_edition(SOURCE, web_url=WEB, link_counts=True, personal=False)
    assert said not in archive.text

"""An edition: front matter + Markdown → MJML → HTML, plus its text part, rendered once.

Per-recipient values (name, personal links) are markers with a random nonce per render, so
nothing an editor types can become one; `personalise()` fills them in microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup

from newsletter.rendering import frontmatter, share
from newsletter.rendering.agenda import MONTHS
from newsletter.rendering.images import Sizes, with_heights
from newsletter.rendering.markdown import Document, attr, build
from newsletter.rendering.markers import Markers
from newsletter.rendering.mjml import RenderError, compile_mjml, environment
from newsletter.rendering.problems import Problem
from newsletter.rendering.web import render_web

PERSONAL_KEYS = ("name", "preferences_url", "unsubscribe_url")
MAX_HTML_BYTES = 100_000


@dataclass(frozen=True)
class RenderedEdition:
    subject: str
    preheader: str
    html: str
    text: str
    problems: tuple[Problem, ...]
    front: frontmatter.FrontMatter
    nonce: str = ""
    #: with personal=False: the archive's web version, an <article> for the site's page
    web: str = ""

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images_without_alt = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("alt") is None:
            self.images_without_alt += 1
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")


def _check(html: str, markers: Markers | None, own: tuple[str, ...] = ()) -> list[Problem]:
    problems = []
    if "<mj-" in html:
        problems.append(Problem.error("De HTML bevat nog MJML-onderdelen."))
    audit = _Audit()
    audit.feed(html)
    if audit.images_without_alt:
        problems.append(Problem.error("Een afbeelding in de HTML heeft geen alt-tekst."))
    for href in audit.hrefs:
        if (markers and markers.prefix in href) or (own and href in own):
            continue  # our own links (markers, archive, sign-up) come from BASE_URL
        if not (href.startswith("https://") or href.startswith("mailto:")):
            problems.append(Problem.error(f"Link '{href}' is niet https of mailto."))
    size = len(html.encode("utf-8"))
    if size >= MAX_HTML_BYTES:
        problems.append(
            Problem.error(
                f"De mail is {size // 1000} kB; Gmail knipt mails vanaf ongeveer 102 kB af. "
                "Maak de editie korter."
            )
        )
    elif size >= MAX_HTML_BYTES * 0.8:
        problems.append(Problem.warning(f"De mail is {size // 1000} kB; boven 100 kB knipt Gmail."))
    return problems


def date_label(front: frontmatter.FrontMatter) -> str:
    if front.date is None:
        return ""
    return f"{front.date.day} {MONTHS[front.date.month - 1]} {front.date.year}"


def render_edition(
    source: str,
    *,
    personal: bool = True,
    web_url: str = "",
    signup_url: str = "",
    own_media: str = "",
    privacy_url: str = "",
    archive_url: str = "",
    images: Sizes | None = None,
    link_counts: bool = False,
) -> RenderedEdition:
    """Render once; with personal=False (archive) the footer has no personal links. `images`:
    the stored (width, height) of the uploads under `own_media`, by name; with it every image
    gets its width and height, and an image of unknown size a warning. `link_counts`: the
    service counts clicks (LINK_COUNTS); the footer says so unless the edition opted out."""
    raw, body, first_line = frontmatter.split(source)
    front, problems = frontmatter.parse(raw)
    try:
        document = build(body, first_line, own_media, sizes=images)
    except RecursionError:  # lists or quotes nested hundreds deep
        document = Document(sections=[], text="")
        problems.append(Problem.error("De tekst is te diep genest (lijsten of citaten)."))
    problems += document.problems
    if not document.sections:
        problems.append(Problem.error("De editie heeft nog geen tekst."))
    counted = personal and link_counts and front.count_links
    markers = Markers() if personal else None
    links = markers.placeholders(PERSONAL_KEYS) if markers else {}
    for section in document.sections:
        for block in section:
            block.label = attr(block.label)
            block.html = Markup(block.html)  # markdown-it output, raw HTML off  # noqa: S704
    agenda = [
        {
            "label": item.label(),
            "title": item.title,
            "place": item.place,
            "link": item.link,
            "ics_url": f"{web_url}/agenda/{number}.ics" if web_url else "",
        }
        for number, item in enumerate(front.agenda, start=1)
    ]
    shares = (
        share.links(front.share, web_url, front.hashtags, front.title)
        if (front.hashtags or front.share)
        else []
    )
    context = {
        "subject": front.title or "OVER het ravijn",
        "agenda": agenda,
        "shares": shares,
        "hashtags": " ".join(f"#{tag}" for tag in front.hashtags),
        "preheader": front.preheader,
        "date_label": date_label(front),
        "theme": front.theme,
        "sections": document.sections,
        "personal": personal,
        "web_url": web_url,
        "signup_url": signup_url,
        "privacy_url": privacy_url,
        "archive_url": archive_url,
        "counted": counted,
        **links,
    }
    try:
        html = compile_mjml(environment().get_template("edition.mjml").render(context))
        html = with_heights(html, own_media, images or {})
    except RenderError as exc:  # an editor's text must never end in a 500
        problems.append(Problem.error(f"De mail kon niet worden opgemaakt ({exc})."))
        html = ""
    own = (web_url, signup_url, privacy_url, archive_url, *(i["ics_url"] for i in agenda))
    # the HTML's own check is a safety net behind the source's: a link named there already is
    # not named twice
    named = " ".join(p.message for p in problems)
    problems += [
        p
        for p in _check(html, markers, tuple(u for u in own if u))
        if not (p.message.startswith("Link '") and p.message.split("'")[1] in named)
    ]
    # the agenda comes right after the title, in the text part as in the HTML
    body_text = _agenda_text(agenda) + document.text
    text = _text(front, body_text, personal, links, web_url, signup_url, privacy_url, counted)
    if archive_url:
        text = text.replace(
            "VNG, Nassaulaan", f"Eerdere nieuwsbrieven: {archive_url}\nVNG, Nassaulaan"
        )
    text = _with_shares(text, shares, front.hashtags)
    return RenderedEdition(
        subject=front.title,
        preheader=front.preheader,
        html=html,
        text=text,
        problems=tuple(problems),
        front=front,
        nonce=markers.nonce if markers else "",
        web="" if personal else render_web(body, first_line, own_media, context),
    )


def _with_shares(text: str, shares: list[dict[str, str]], hashtags: tuple[str, ...]) -> str:
    if not shares:
        return text
    tags = " ".join(f"#{tag}" for tag in hashtags)
    lines = ["Deel de campagne" + (f" ({tags})" if tags else "")]
    lines += [f"- {item['label']}: {item['href']}" for item in shares]
    return _before_footer(text, "\n".join(lines) + "\n\n")


def _before_footer(text: str, block: str) -> str:
    head, sep, foot = text.partition("\n-- \n")
    return head.rstrip("\n") + "\n\n" + block + sep.lstrip("\n") + foot if sep else text + block


def _agenda_text(agenda: list[dict[str, str]]) -> str:
    """The dates to save, for the text part."""
    if not agenda:
        return ""
    lines = ["In uw agenda", "------------"]
    for item in agenda:
        lines.append(
            f"- {item['label']}: {item['title']}" + (f", {item['place']}" if item["place"] else "")
        )
        if item["ics_url"]:
            lines.append(f"  In uw agenda zetten: {item['ics_url']}")
        if item["link"]:
            lines.append(f"  Meer informatie: {item['link']}")
    return "\n".join(lines) + "\n\n"


def _text(front, body, personal, links, web_url, signup_url, privacy_url="", counted=False) -> str:
    head = [front.title, "=" * min(len(front.title), 70)]
    if date_label(front):
        head.insert(0, date_label(front) + (f" · {front.theme}" if front.theme else ""))
    if personal:
        foot = (
            "U krijgt OVER het ravijn omdat u zich hebt aangemeld voor deze nieuwsbrief "
            "van de VNG.\n"
            + (
                "We tellen hoe vaak op elke link wordt geklikt, niet wie klikt.\n"
                if counted
                else ""
            )
            + f"Uw gegevens wijzigen: {links['preferences_url']}\n"
            f"Afmelden: {links['unsubscribe_url']}\n"
            + (f"Bekijk online: {web_url}\n" if web_url else "")
        )
    else:
        foot = "OVER het ravijn, de nieuwsbrief van de VNG.\n" + (
            f"Aanmelden: {signup_url}\n" if signup_url else ""
        )
    return (
        "\n".join(head)
        + "\n\n"
        + body
        + "\n-- \n"
        + foot
        + (f"Privacy: {privacy_url}\n" if privacy_url else "")
        + "VNG, Nassaulaan 12, 2514 JS Den Haag\n"
    )


def personalise(rendered: RenderedEdition, values: dict[str, str]) -> tuple[str, str]:
    """(html, text) for one recipient: only this render's markers are replaced."""
    markers = Markers(rendered.nonce)
    return (
        markers.fill(rendered.html, values, html=True),
        markers.fill(rendered.text, values, html=False),
    )

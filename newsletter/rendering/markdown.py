"""Markdown → MJML blocks and → plain text, from one token stream.

Raw HTML is off and markdown-it's link validation is on (no javascript:, vbscript:, data:).
Attributes an editor could add with `{…}` are cut back to `class="button"` on a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.attrs import attrs_plugin

from newsletter.rendering import alt_text
from newsletter.rendering.images import Sizes, size_images
from newsletter.rendering.problems import Problem
from newsletter.rendering.tables import label_cells

ALLOWED_ATTRS = {"href", "src", "alt", "title"}
FONT = "font-family:Arial, Helvetica, sans-serif;"
#: inline, because Outlook for Windows (Word's engine) reads no <style> for these: headings in
#: our font and colour, lists indented with margin-left (Word ignores padding on lists), table
#: cells that wrap (a phone of 320 px shows the whole table; Gmail's app cannot scroll one)
STYLES = {
    "h2": f"{FONT}font-size:22px;line-height:1.3;margin:0 0 12px 0;color:#1a1a1a;",
    "h3": f"{FONT}font-size:19px;line-height:1.3;margin:16px 0 8px 0;color:#1a1a1a;",
    "h4": f"{FONT}font-size:17px;margin:16px 0 8px 0;color:#1a1a1a;",
    "blockquote": (
        "margin:12px 0;padding:4px 0 4px 16px;border-left:4px solid #00597a;color:#333333;"
    ),
    "table": "border-collapse:collapse;width:100%;margin:12px 0;",
    "th": "border:1px solid #999999;padding:6px;text-align:left;background:#f2f2f2;font-size:15px;",
    "td": "border:1px solid #999999;padding:6px;text-align:left;font-size:15px;",
    "pre": "white-space:pre-wrap;background:#f2f2f2;padding:12px;font-size:14px;",
    "code": "font-family:Consolas,Menlo,monospace;font-size:15px;",
    "img": "max-width:100%;height:auto;",
    "ul": "margin:8px 0 8px 24px;padding:0;",
    "ol": "margin:8px 0 8px 24px;padding:0;",
    "li": "margin:0 0 4px 0;",
}


@cache
def parser() -> MarkdownIt:
    # breaks: a single line break is a line break, in HTML as in the text part
    return (
        MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table").use(attrs_plugin)
    )


def safe_url(url: str) -> str:
    """Percent-encode what could end an HTML attribute (mjml writes attributes back raw)."""
    return quote(url, safe=":/?#[]@!$&()*+,;=%~-._")


def attr(value: str) -> Markup:
    """A value for an MJML attribute: no quote or angle bracket survives in any form. Escaped
    once, and marked so, so that the template does not escape it again (`Q&amp;amp;A`)."""
    cleaned = value.replace('"', "”").replace("<", "‹").replace(">", "›").replace("'", "’")
    return escape(" ".join(cleaned.split()))


@dataclass
class Block:
    kind: str  # text, image, button
    html: str = ""
    url: str = ""
    label: str = ""
    #: an image block's size in the mail, when its upload is known (0: not known)
    width: int = 0
    height: int = 0


def _scrollable_tables(html: str, styled: bool) -> str:
    """On the site a table sits in a box that scrolls sideways on its own. Mail has no such
    box (Gmail's app cannot scroll one): there its rows stack on phones (tables.py)."""
    if styled:
        return html
    box = 'class="table-scroll"'
    return re.sub(r"<table\b", f"<div {box}><table", html).replace("</table>", "</table></div>")


@dataclass
class Document:
    sections: list[list[Block]] = field(default_factory=lambda: [[]])
    text: str = ""
    problems: list[Problem] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    #: our own uploads (BASE_URL/media/): accepted whatever BASE_URL's scheme (development)
    own_media: str = ""


def _clean(tokens: list[Token], styled: bool) -> None:
    for token in tokens:
        classes = token.attrs.get("class")
        # a table column aligned in Markdown (|---:|) keeps its alignment
        align = re.fullmatch(r"text-align:(right|center)", str(token.attrs.get("style", "")))
        token.attrs = {k: v for k, v in token.attrs.items() if k in ALLOWED_ATTRS}
        if token.type == "link_open" and classes == "button":
            token.meta["button"] = True
        if token.type == "image" and classes == "decoratief":
            token.meta["decorative"] = True  # an explicit choice for no alt text
        if token.type == "th_open":
            token.attrs["scope"] = "col"  # a Markdown table's header cells head its columns
        if styled and token.tag in STYLES and token.nesting in (0, 1) and token.type != "inline":
            token.attrs["style"] = STYLES[token.tag]
            if align:
                token.attrs["style"] = STYLES[token.tag].replace(
                    "text-align:left", f"text-align:{align.group(1)}"
                )
        if token.children:
            _clean(token.children, styled)


def _check_links(tokens: list[Token], line: int, doc: Document) -> None:
    for token in tokens:
        url = token.attrs.get("href") or token.attrs.get("src")
        if token.type in ("link_open", "image") and isinstance(url, str):
            doc.links.append(url)
            scheme = urlsplit(url).scheme.lower()
            allowed = ("https",) if token.type == "image" else ("https", "mailto")
            own = bool(doc.own_media) and url.startswith(doc.own_media)
            if scheme not in allowed and not own:
                doc.problems.append(
                    Problem.error(
                        f"Link '{url}' moet met https:// beginnen"
                        + (" (of mailto:)." if token.type == "link_open" else "."),
                        line,
                    )
                )
            token.attrSet("href" if token.type == "link_open" else "src", safe_url(url))
        if token.type == "image":
            alt_text.check(token, line, doc.problems)
        if token.children:
            _check_links(token.children, line, doc)


def _only(children: list[Token]) -> list[Token]:
    return [
        c
        for c in children
        if not (c.type == "text" and not c.content.strip())
        and c.type not in ("softbreak", "hardbreak")
    ]


def inline_text(children: list[Token]) -> str:
    out: list[str] = []
    hrefs: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image" and not alt_text.decorative(child):
            out.append(f"[Afbeelding: {child.content}]")
        elif child.type == "link_open":
            hrefs.append(str(child.attrs.get("href", "")))
            out.append("\x00")
        elif child.type == "link_close" and hrefs:
            href = hrefs.pop()
            start = len(out) - out[::-1].index("\x00") - 1
            label = "".join(out[start + 1 :])
            shown = href[len("mailto:") :] if href.startswith("mailto:") else href
            out[start:] = [label if label.strip() == shown else f"{label} ({shown})"]
    return "".join(out)


#: the render budget: what a newsletter needs, and no more (a 6 kB table once rendered 4.7 MB)
MAX_TABLE_COLUMNS = 12
MAX_TABLE_CELLS = 400
MAX_TOKENS = 20_000


def _within_budget(tokens: list[Token], first_line: int, doc: Document) -> list[Token]:
    """Tables over the budget are left out with an error that says what fits."""
    if len(tokens) > MAX_TOKENS:
        doc.problems.append(
            Problem.error("De tekst is te lang of te ingewikkeld voor één mail. Maak hem korter.")
        )
        return []
    kept: list[Token] = []
    start = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            start = index
        elif token.type == "table_close" and start is not None:
            table = tokens[start : index + 1]
            cells = sum(1 for t in table if t.type in ("td_open", "th_open"))
            rows = sum(1 for t in table if t.type == "tr_open")
            columns = cells // max(rows, 1)
            if columns > MAX_TABLE_COLUMNS or cells > MAX_TABLE_CELLS:
                line = first_line + (table[0].map[0] if table[0].map else 0)
                doc.problems.append(
                    Problem.error(
                        f"De tabel is te groot ({rows} rijen, {columns} kolommen). Een mail kan "
                        f"hoogstens {MAX_TABLE_COLUMNS} kolommen en {MAX_TABLE_CELLS} cellen "
                        "aan: zet de rest op de website en link ernaar.",
                        line,
                    )
                )
            else:
                kept.extend(table)
            start = None
        elif start is None:
            kept.append(token)
    return kept


def build(
    body: str,
    first_line: int = 1,
    own_media: str = "",
    *,
    styled: bool = True,
    sizes: Sizes | None = None,
) -> Document:
    """Parse Markdown into sections of blocks (for MJML) and the text part. styled=False leaves
    out the inline styles a mail needs (the archive's web page has a style sheet). `sizes`, the
    stored (width, height) of uploads by media name, gives every image its size in the mail."""
    md = parser()
    doc = Document(own_media=own_media)
    tokens = _within_budget(md.parse(body), first_line, doc)
    _clean(tokens, styled)
    if styled and sizes is not None:
        size_images(tokens, first_line, own_media, sizes, doc.problems)
    if styled:
        label_cells(tokens)
    pending: list[Token] = []

    def flush() -> None:
        if pending:
            html = md.renderer.render(pending, md.options, {})
            doc.sections[-1].append(Block("text", _scrollable_tables(html, styled)))
            pending.clear()

    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = first_line + (token.map[0] if token.map else 0)
        if token.children is not None:
            _check_links([token], line, doc)
        if token.level == 0 and token.type == "hr":
            flush()
            doc.sections.append([])
            i += 1
            continue
        if token.level == 0 and token.type == "heading_open" and token.tag in ("h1", "h2"):
            flush()
            if any(doc.sections[-1]):
                doc.sections.append([])
            token.tag = "h2"
            if styled:
                token.attrs["style"] = STYLES["h2"]
            tokens[i + 2].tag = "h2"
        if token.level == 0 and token.type == "paragraph_open":
            inline = tokens[i + 1]
            parts = _only(inline.children or [])
            special = len(parts) == 1 and parts[0].type == "image"
            special = special or (
                len(parts) >= 3
                and parts[0].type == "link_open"
                and parts[0].meta.get("button")
                and parts[-1].type == "link_close"
            )
            if special:
                _check_links([inline], line, doc)  # the loop below skips this paragraph
            if len(parts) == 1 and parts[0].type == "image":
                flush()
                image = parts[0]
                width, height = image.meta.get("size", (0, 0))
                doc.sections[-1].append(
                    Block(
                        "image",
                        url=str(image.attrs["src"]),
                        label=image.content,
                        width=width,
                        height=height,
                    )
                )
                i += 3
                continue
            if (
                len(parts) >= 3
                and parts[0].type == "link_open"
                and parts[0].meta.get("button")
                and parts[-1].type == "link_close"
            ):
                flush()
                label = inline_text(parts[1:-1])
                url = str(parts[0].attrs["href"])
                doc.sections[-1].append(Block("button", url=url, label=label))
                i += 3
                continue
        pending.append(token)
        i += 1
    flush()
    doc.sections = [s for s in doc.sections if s]
    doc.text = to_text(tokens)
    return doc


def to_text(tokens: list[Token]) -> str:
    """The text part, written from the tokens (not scraped from HTML): links written out."""
    parts: list[tuple[str, bool]] = []  # (block, tight): list items and table rows stay together
    prefix: list[str] = []
    counters: list[int | None] = []
    row: list[str] = []
    item: str | None = None  # a list mark waiting for its first paragraph
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            title = inline_text(tokens[i + 1].children or [])
            under = "=" if token.tag == "h2" else "-"
            parts.append((f"{title}\n{under * min(len(title), 70)}", False))
        elif kind == "blockquote_open":
            prefix.append("> ")
        elif kind == "blockquote_close":
            prefix.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else None
            counters.append(start)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif kind == "list_item_open":
            if item is not None:
                parts.append((item, True))
            number = counters[-1]
            if number is not None:
                counters[-1] = number + 1
            mark = "- " if number is None else f"{number}. "
            item = "  " * (len(counters) - 1) + "".join(prefix) + mark
        elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
            content = inline_text(token.children or [])
            if item is not None:
                parts.append((item + content, True))
                item = None
            else:
                lead = "".join(prefix)
                parts.append(("\n".join(lead + line for line in content.split("\n")), False))
        elif kind in ("th_open", "td_open"):
            row.append(inline_text(tokens[i + 1].children or []))
        elif kind == "tr_close":
            parts.append((" | ".join(row), True))
            row = []
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            parts.append(("\n".join("    " + line for line in lines), False))
        elif kind == "hr":
            parts.append(("* * *", False))
    if item is not None:
        parts.append((item, True))
    text, previous_tight = "", False
    for block, tight in parts:
        text += ("\n" if tight and previous_tight else "\n\n") + block
        previous_tight = tight
    return text.strip() + "\n"

"""caniemail.com's support data (the npm package caniemail, pinned in .ci/caniemail and installed
by .ci/services) over a mail's HTML: which of the CSS properties, at-rules, selectors, HTML
elements and attributes it uses are marked unsupported ("n") in the latest test of Outlook for
Windows, Outlook.com, Gmail or Apple Mail.

What Outlook for Windows alone reads (`<!--[if mso]>`) is checked for it alone; what is hidden
from it (`<!--[if !mso]><!-->…<!--<![endif]-->`) is checked for the others only. ALLOWED is the
one list of what we use knowingly where it is unsupported; each line says why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".ci" / "caniemail" / "node_modules" / "caniemail" / "data" / "caniemail.json"

#: (family, platform) pairs of the four client families readers use
CLIENTS = {
    ("outlook", "windows"): "Outlook for Windows",
    ("outlook", "outlook-com"): "Outlook.com",
    ("gmail", "desktop-webmail"): "Gmail (web)",
    ("gmail", "ios"): "Gmail (iOS)",
    ("gmail", "android"): "Gmail (Android)",
    ("gmail", "mobile-webmail"): "Gmail (mobile web)",
    ("apple-mail", "macos"): "Apple Mail (macOS)",
    ("apple-mail", "ios"): "Apple Mail (iOS)",
}
WORD = ("outlook", "windows")

#: feature → clients where it is knowingly used unsupported, and why (progressive enhancement:
#: the mail is whole without it)
ALLOWED: dict[str, tuple[set[str], str]] = {
    "css-at-media": (
        {"Outlook for Windows", "Gmail (mobile web)"},
        "narrower padding on phones; the layout fits without it",
    ),
    "css-at-media-prefers-color-scheme": (
        {"Outlook for Windows", *(c for c in CLIENTS.values() if c.startswith("Gmail"))},
        "our dark colours where the client lets us choose; others darken on their own",
    ),
    "css-color-scheme": (
        set(CLIENTS.values()) - {"Apple Mail (macOS)", "Apple Mail (iOS)"},
        "declares the dark colours; ignored where unknown",
    ),
    "html-meta-color-scheme": (
        set(CLIENTS.values()) - {"Apple Mail (macOS)"},
        "declares the dark colours; ignored where unknown",
    ),
    "css-selector-child": (
        {"Outlook for Windows", "Gmail (mobile web)"},
        "only in the phone and dark-mode rules of <style>",
    ),
    "css-selector-class": ({"Gmail (mobile web)"}, "only in the phone and dark-mode rules"),
    "html-style": (
        {"Gmail (mobile web)"},
        "Gmail's mobile web site reads no <style>; all the mail needs is inline",
    ),
    "css-display-none": (
        {"Gmail (mobile web)"},
        "Gmail's mobile web site shows the preheader and a table's cell labels: still readable",
    ),
    "css-outline": ({"Outlook for Windows"}, "MJML's reset for images (outline:none): a no-op"),
    "css-border-spacing": ({"Outlook for Windows"}, "MJML's image table (border-spacing:0)"),
    "css-word-spacing": ({"Outlook for Windows"}, "MJML's reset on <body> (word-spacing:normal)"),
    "css-selector-type": ({"Gmail (mobile web)"}, "only in the phone and dark-mode rules"),
    "css-selector-descendant": ({"Gmail (mobile web)"}, "only in the phone and dark-mode rules"),
}


@dataclass(frozen=True)
class Unsupported:
    feature: str
    client: str

    def __str__(self) -> str:
        return f"{self.feature} is unsupported in {self.client}"


@cache
def _features() -> dict[str, dict]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {feature["slug"]: feature for feature in data["data"]}


def unavailable() -> str | None:
    if not DATA.is_file():
        return f"{DATA.relative_to(ROOT)} is missing; .ci/services installs it (npm ci)"
    return None


def _latest(feature: dict, client: tuple[str, str]) -> str:
    versions = feature["stats"].get(client[0], {}).get(client[1], {})
    return list(versions.values())[-1] if versions else "u"


def _css_slugs(declarations: str) -> set[str]:
    slugs = set()
    known = _features()
    for declaration in declarations.split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip().lower()
        if not name or name.startswith("mso-"):
            continue  # Outlook's own properties
        for slug in (f"css-{name}", "css-" + "-".join(name.split("-")[:-1])):
            if slug in known:
                slugs.add(slug)
                break
        if name == "display" and value.strip().startswith("none"):
            slugs.add("css-display-none")
        if "!important" in value:
            slugs.add("css-important")
        if re.search(r"\brgba\(", value):
            slugs.add("css-rgba")
    return slugs


def _selectors(css: str) -> set[str]:
    slugs = set()
    for rule in re.findall(r"([^{}@]+)\{[^{}]*\}", css):
        for selector in rule.split(","):
            selector = selector.strip()
            if ">" in selector:
                slugs.add("css-selector-child")
            if "." in selector:
                slugs.add("css-selector-class")
            if re.search(r"(^|[\s>])[a-z][a-z0-9]*", selector):
                slugs.add("css-selector-type")
            if re.search(r"[\w\]]\s+[\w.#:]", selector.replace(" > ", ">")):
                slugs.add("css-selector-descendant")
    return slugs


ELEMENTS = {f"h{n}": "html-h1-h6" for n in range(1, 7)} | {
    "ul": "html-lists",
    "ol": "html-lists",
    "li": "html-lists",
}
ATTRIBUTES = ("align", "valign", "width", "height", "cellpadding", "cellspacing", "role", "lang")
ATTRIBUTES += ("dir", "aria-label", "aria-hidden", "background", "target")


def features(html: str) -> set[str]:
    """caniemail slugs of what this HTML uses."""
    known = _features()
    soup = BeautifulSoup(html, "html.parser")
    found = set()
    for style in soup.find_all("style"):
        css = style.get_text()
        if "@media" in css:
            found.add("css-at-media")
        if "prefers-color-scheme" in css:
            found.add("css-at-media-prefers-color-scheme")
        found |= _selectors(re.sub(r"@media[^{]*\{", "", css))
        for block in re.findall(r"\{([^{}]*)\}", css):
            found |= _css_slugs(block)
    for tag in soup.find_all(True):
        slug = ELEMENTS.get(tag.name, f"html-{tag.name}")
        if slug in known:
            found.add(slug)
        found |= {f"html-{a}" for a in ATTRIBUTES if tag.has_attr(a) and f"html-{a}" in known}
        if tag.has_attr("style"):
            found |= _css_slugs(tag["style"])
        if tag.name == "meta" and tag.get("name") == "color-scheme":
            found.add("html-meta-color-scheme")
        if tag.name == "a" and str(tag.get("href", "")).startswith("mailto:"):
            found.add("html-mailto-links")
    return found


_MSO = re.compile(r"<!--\[if mso[^\]]*\]>(.*?)<!\[endif\]-->", re.S)
_NOT_MSO = re.compile(r"<!--\[if !mso\]><!-->(.*?)<!--<!\[endif\]-->", re.S)


def check(html: str) -> list[Unsupported]:
    """Every feature unsupported where we use it, less ALLOWED."""
    word_only = "".join(_MSO.findall(html))
    everyone = _MSO.sub("", html)
    for_word = _NOT_MSO.sub("", everyone) + word_only
    problems = []
    for client, label in CLIENTS.items():
        used = features(for_word if client == WORD else everyone)
        for slug in sorted(used):
            if not _latest(_features()[slug], client).startswith("n"):
                continue
            if label in ALLOWED.get(slug, (set(), ""))[0]:
                continue
            problems.append(Unsupported(slug, label))
    return problems

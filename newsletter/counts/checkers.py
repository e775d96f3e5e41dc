"""Telling a link checker from a person, at the moment of the request, from what it does.

Mail filters (Microsoft Defender Safe Links, Proofpoint URL Defense, Mimecast, Barracuda,
Trend Micro) open every link of a mail when it arrives, before anyone reads it. A request
counts as an "automatische controle" when any of these holds:

1. it is a HEAD request (a browser following a link asks GET; checkers often ask HEAD only);
2. it says it is a prefetch or preview: `Sec-Purpose`/`Purpose`/`X-Purpose`/`X-Moz` naming
   prefetch or preview (what browsers and proxies send when no person asked for the page);
3. its User-Agent is empty or belongs to a known family of checkers, crawlers or HTTP
   libraries (the list below: no browser a person reads mail with sends these);
4. it sends no `Accept-Language`: every browser a person uses sends one; HTTP libraries and
   most scanners do not.

Not used: "within N seconds after delivery". A send of 10,000 mails takes many minutes and a
reader may click within seconds of their mail; without knowing whose mail arrived when (which
we do not want to know) that rule would count fast readers as machines.

Nothing of the request is kept: the answer is one bit, and only the count it adds to is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from newsletter.counts.models import ClickKind

PREFETCH = re.compile(r"prefetch|preview|prerender", re.IGNORECASE)
PURPOSE_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
#: families seen opening links in mail on arrival, crawlers and previews, and HTTP libraries
CHECKER_AGENTS = re.compile(
    r"safelinks|proofpoint|urldefense|mimecast|barracuda|trendmicro|fireeye|cisco|ironport"
    r"|sophos|forcepoint|symantec|messagelabs|bingpreview|bot\b|bot/|crawler|spider|scanner"
    r"|headlesschrome|phantomjs|python-requests|python-urllib|aiohttp|httpx|go-http-client"
    r"|java/|okhttp|libwww|wget|curl/|apache-httpclient|axios|node-fetch|slackbot|skypeuripreview"
    r"|whatsapp|facebookexternalhit|linkedinbot|twitterbot|discordbot",
    re.IGNORECASE,
)


def kind(method: str, headers: Mapping[str, str]) -> ClickKind:
    """The kind of one request to /l/…: a person, or an automatic check."""
    if method.upper() == "HEAD":
        return ClickKind.checker
    if any(PREFETCH.search(headers.get(name, "")) for name in PURPOSE_HEADERS):
        return ClickKind.checker
    agent = headers.get("User-Agent", "").strip()
    if not agent or CHECKER_AGENTS.search(agent):
        return ClickKind.checker
    if not headers.get("Accept-Language", "").strip():
        return ClickKind.checker
    return ClickKind.person

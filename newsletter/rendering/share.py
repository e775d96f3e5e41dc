"""'Deel de campagne': plain links to share an edition (its archive page) with the campaign's
hashtags. No scripts, no tracking parameters, nothing personal: the archive URL and the text."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def links(text: str, url: str, hashtags: tuple[str, ...], subject: str) -> list[dict[str, str]]:
    """(label, href) for LinkedIn, X, Bluesky and e-mail; empty without a URL to share."""
    if not url:
        return []
    tags = " ".join(f"#{tag}" for tag in hashtags)
    message = " ".join(part for part in (text, tags) if part)
    return [
        {
            "label": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {
            "label": "X",
            "href": "https://x.com/intent/post?"
            + urlencode({"text": text or subject, "url": url, "hashtags": ",".join(hashtags)}),
        },
        {
            "label": "Bluesky",
            "href": "https://bsky.app/intent/compose?"
            + urlencode({"text": f"{message or subject} {url}".strip()}),
        },
        {
            "label": "E-mail",
            "href": f"mailto:?subject={quote(subject)}&body={quote(f'{message} {url}'.strip())}",
        },
    ]

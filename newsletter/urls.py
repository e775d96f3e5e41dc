"""Absolute links for mail, built from BASE_URL (a worker has no request to borrow a host from)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: str) -> str:
    settings = current_app.config["SETTINGS"]
    parts = urlsplit(settings.base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def footer_links() -> dict[str, str]:
    """The links at the foot of every mail we send: the privacy page and the archive."""
    return {
        "privacy_url": external_url("subscribers.privacy"),
        "archive_url": external_url("archive.index"),
    }

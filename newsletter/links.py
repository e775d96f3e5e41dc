"""Absolute links for mail, built from BASE_URL (a worker has no request to borrow a host from)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from newsletter.subscriptions.tokens import Purpose, Signer


def external_url(endpoint: str, **values: str) -> str:
    settings = current_app.config["SETTINGS"]
    parts = urlsplit(settings.base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def signer() -> Signer:
    return current_app.extensions["signer"]


def confirm_url(public_id: str, nonce: str) -> str:
    token = signer().dumps(Purpose.confirm, [public_id, nonce])
    return external_url("subscriptions.confirm", token=token)


def preferences_url(public_id: str) -> str:
    return external_url(
        "subscriptions.preferences", token=signer().dumps(Purpose.preferences, public_id)
    )


def unsubscribe_url(public_id: str) -> str:
    return external_url(
        "subscriptions.unsubscribe", token=signer().dumps(Purpose.unsubscribe, public_id)
    )

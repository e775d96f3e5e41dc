"""A subscriber's personal links: signed tokens carrying the opaque public id, never the address."""

from __future__ import annotations

import hashlib

from flask import current_app

from newsletter.subscribers.tokens import Purpose, Signer
from newsletter.urls import external_url


def signer() -> Signer:
    return current_app.extensions["signer"]


def confirm_url(public_id: str, nonce: str) -> str:
    token = signer().dumps(Purpose.confirm, [public_id, nonce])
    return external_url("subscribers.confirm", token=token)


def address_url(public_id: str, pending: str) -> str:
    """The link to the new mailbox: it names the subscriber and a digest of the new address,
    never the address itself."""
    digest = hashlib.sha256(pending.encode()).hexdigest()[:16]
    token = signer().dumps(Purpose.address, [public_id, digest])
    return external_url("subscribers.confirm_address", token=token)


def preferences_url(public_id: str) -> str:
    return external_url(
        "subscribers.preferences", token=signer().dumps(Purpose.preferences, public_id)
    )


def unsubscribe_url(public_id: str) -> str:
    return external_url(
        "subscribers.unsubscribe", token=signer().dumps(Purpose.unsubscribe, public_id)
    )

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


#: a manage link works this long: it opens a reader's details and the doors that need consent
MANAGE_LINK_SECONDS = 3600


def digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def address_url(public_id: str, pending: str) -> str:
    """The link to the new mailbox: it names the subscriber and a digest of the new address,
    never the address itself."""
    token = signer().dumps(Purpose.address, [public_id, digest(pending)])
    return external_url("subscribers.confirm_address", token=token)


def manage_token(public_id: str, email: str) -> str:
    """Bound to the address it is mailed to: once the address changes, it opens nothing."""
    return signer().dumps(Purpose.manage, [public_id, digest(email)])


def manage_url(public_id: str, email: str) -> str:
    return external_url("subscribers.manage", token=manage_token(public_id, email))


def preferences_url(public_id: str) -> str:
    return external_url(
        "subscribers.preferences", token=signer().dumps(Purpose.preferences, public_id)
    )


def unsubscribe_url(public_id: str) -> str:
    return external_url(
        "subscribers.unsubscribe", token=signer().dumps(Purpose.unsubscribe, public_id)
    )

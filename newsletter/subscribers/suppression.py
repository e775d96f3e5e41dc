"""The suppression list: HMAC-SHA256 of the address key under SUPPRESSION_KEY, nothing else.

An erased address cannot be read back from it, but the same address always gives the same
hash, so an import or a send can still be refused. A reader who signs up again through the
form and confirms (fresh consent, double opt-in) lifts it, as Mailchimp does.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import delete, select

from newsletter.extensions import db
from newsletter.subscribers.models import Suppression


def address_hash(email_key: str) -> str:
    key = current_app.config["SETTINGS"].suppression_key.encode()
    return hmac.new(key, email_key.strip().lower().encode(), hashlib.sha256).hexdigest()


def is_suppressed(email_key: str) -> bool:
    found = db.session.scalar(
        select(Suppression.id).where(Suppression.address_hash == address_hash(email_key))
    )
    return found is not None


def suppressed_hashes(hashes: list[str]) -> set[str]:
    """Which of these hashes are on the list (one query for a whole chunk of an import)."""
    if not hashes:
        return set()
    return set(
        db.session.scalars(
            select(Suppression.address_hash).where(Suppression.address_hash.in_(hashes))
        )
    )


def suppress(email_key: str, reason: str) -> str:
    digest = address_hash(email_key)
    if db.session.scalar(select(Suppression.id).where(Suppression.address_hash == digest)) is None:
        db.session.add(Suppression(address_hash=digest, reason=reason))
    return digest


def lift(email_key: str) -> None:
    db.session.execute(
        delete(Suppression).where(Suppression.address_hash == address_hash(email_key))
    )

"""Making, listing, revoking and checking API keys. A key is shown once, when it is made."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from newsletter.api.models import ApiKey
from newsletter.auth import accounts
from newsletter.auth.audit import Actor, count_read, record
from newsletter.auth.roles import BEHEERDER
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.subscribers import names

SCOPES = {
    "readers:read": "lezers opvragen",
    "readers:write": "lezers toevoegen, wijzigen, afmelden en wissen",
    "editions:read": "edities en hun voortgang opvragen",
    "editions:write": "concepten maken en edities inplannen",
    "stats:read": "bereik per gemeente en provincie opvragen",
}
MAX_DAYS = 730
PREFIX = "rvn_"


class KeyRefused(ValueError):
    """A request for a key that cannot be made; the message says why, in Dutch."""


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the whole key: shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(name: str, scopes: list[str], days: int, actor: Actor) -> NewKey:
    name = " ".join(name.split())[:80]
    if names.unprintable(name):
        raise KeyRefused("Gebruik in de naam alleen gewone letters, cijfers en leestekens.")
    if not name:
        raise KeyRefused("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt.")
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise KeyRefused(
            f"Kies een of meer rechten uit: {', '.join(SCOPES)}"
            + (f" (onbekend: {', '.join(unknown)})" if unknown else "")
        )
    if not 1 <= days <= MAX_DAYS:
        raise KeyRefused(f"Een sleutel geldt 1 tot {MAX_DAYS} dagen.")
    prefix = secrets.token_hex(6)
    secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=" ".join(sorted(set(scopes))),
        created_by=actor.editor_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(key)
    record(actor, "api-key create", f"sleutel {prefix}", name)
    db.session.commit()
    return NewKey(key, secret)


def all_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke(key_id: int, actor: Actor) -> bool:
    key = db.session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    record(actor, "api-key revoke", f"sleutel {key.prefix}", key.name)
    db.session.commit()
    return True


def prefix_of(secret: str) -> str | None:
    """The public part of a presented key, or None when it is not shaped like ours."""
    if not secret.startswith(PREFIX) or len(secret) > 120:
        return None
    prefix, sep, rest = secret[len(PREFIX) :].partition("_")
    return prefix if sep and rest and len(prefix) == 12 else None


def authenticate(secret: str, now: datetime | None = None) -> ApiKey | None:
    """The live key for `secret` (not revoked, not expired, its maker still an enabled
    beheerder), else None."""
    prefix = prefix_of(secret)
    if prefix is None:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    now = now or utcnow()
    if key.revoked_at is not None or key.expires_at <= now:
        return None
    return key if _maker_may_hold_keys(key) else None


def _maker_may_hold_keys(key: ApiKey) -> bool:
    """A key acts as the editor who made it, so it works only while they could make it again:
    enabled and a beheerder. A key made on the command line has no maker (the operator's)."""
    if key.created_by is None:
        return True
    maker = accounts.get(key.created_by)
    return maker is not None and maker.is_active and maker.has_role(BEHEERDER)


@dataclass(frozen=True)
class Maker:
    """For the keys page: whose key it is, and whether that still lets it work."""

    email: str
    holds: bool


def makers(listed: list[ApiKey]) -> dict[int, Maker]:
    found: dict[int, Maker] = {}
    for key in listed:
        maker = accounts.get(key.created_by) if key.created_by is not None else None
        if maker is not None:
            found[key.id] = Maker(maker.email, _maker_may_hold_keys(key))
    return found


def acting_for(key: ApiKey) -> Actor:
    """Who a call with this key is, in the audit and as an edition's writer: the key's maker."""
    maker = accounts.get(key.created_by) if key.created_by is not None else None
    if maker is None:
        return Actor(f"api: {key.name}"[:320])
    return Actor(f"api: {key.name} ({maker.email})"[:320], maker.id)


READS = {"GET", "HEAD", "OPTIONS"}


def note_use(key: ApiKey, method: str, path: str, status: int) -> None:
    """Every use is in the audit log with the key's name (never the key itself), on behalf of
    the editor who made the key: a write as a line of its own, reads counted per hour."""
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = now
    actor = acting_for(key)
    if method in READS:
        count_read(actor, f"sleutel {key.prefix}", status, now)
    else:
        record(actor, f"api {method}", path[:80], f"status {status}")
    db.session.commit()

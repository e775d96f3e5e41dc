"""What every operation shares: who is acting (the key's name, for the audit) and times."""

from __future__ import annotations

from datetime import datetime

from flask import g

from newsletter.auth.audit import Actor


def actor() -> Actor:
    return Actor(f"api: {g.api_key.name}"[:320])


def stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None

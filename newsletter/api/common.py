"""What every operation shares: who is acting (the key's maker, under the key's name) and times."""

from __future__ import annotations

from datetime import datetime

from flask import g

from newsletter.api import keys
from newsletter.auth.audit import Actor


def actor() -> Actor:
    return keys.acting_for(g.api_key)


def stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None

"""The consent text shown on the form; every consent event records its version and SHA-256."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from functools import cache

CONSENT_VERSION = "2026-11-26"

CONSENT_TEXT = (
    "Ik wil de nieuwsbrief OVER het ravijn van de VNG per e-mail ontvangen. "
    "De VNG gebruikt mijn naam, e-mailadres, gemeente en functie alleen om deze nieuwsbrief te "
    "sturen en om te zien welke gemeenten zij bereikt. Ik kan mij met één klik afmelden; "
    "daarna bewaart de VNG mijn gegevens niet langer dan nodig."
)


@cache
def consent_sha256() -> str:
    return hashlib.sha256(CONSENT_TEXT.encode("utf-8")).hexdigest()


def ip_prefix(remote_addr: str | None) -> str | None:
    """Keep the network, not the person: IPv4 to /24, IPv6 to /48 (AVG data minimisation)."""
    if not remote_addr:
        return None
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


SOURCE_CODE = re.compile(r"[a-z0-9][a-z0-9.-]{0,39}")


def source_code(value: str | None) -> str | None:
    """A sign-up's source (`?bron=ledenbrief`, `vng.nl`, `editie-12`): a short code of small
    letters, digits, dots and dashes, counted per source and kept with the consent event.
    Anything else is dropped (the reader cannot fix the link they followed)."""
    code = (value or "").strip().lower()
    return code if SOURCE_CODE.fullmatch(code) else None

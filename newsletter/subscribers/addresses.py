"""E-mail addresses: one normal form for uniqueness, IDN domains handled."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """The message is Dutch and shown next to the field."""


@dataclass(frozen=True)
class NormalisedEmail:
    address: str  # what we send to: ASCII (IDN domain as punycode)
    key: str  # unique key: case-insensitive


def normalise_email(raw: str) -> NormalisedEmail:
    """Validate syntax (no DNS: a municipal network may not resolve), fold case, encode IDN."""
    text = (raw or "").strip()
    if not text:
        raise InvalidEmail("Vul uw e-mailadres in.")
    if len(text) > 254 or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidEmail("Dit is geen geldig e-mailadres.")
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InvalidEmail(
            "Dit is geen geldig e-mailadres. Controleer het, bijvoorbeeld: naam@gemeente.nl."
        ) from None
    address = result.ascii_email or result.normalized
    local, _, domain = address.rpartition("@")
    return NormalisedEmail(
        address=f"{local}@{domain.lower()}", key=f"{local.lower()}@{domain.lower()}"
    )


GMAIL = {"gmail.com", "googlemail.com"}


def mailbox(email_key: str) -> str:
    """The mailbox behind an address, for limits: `a+1@x` and `a+2@x` are one inbox, and so
    are `a.b@gmail.com` and `ab@gmail.com` (Gmail ignores dots)."""
    local, _, domain = email_key.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def masked(address: str) -> str:
    """`an…@utrecht.nl`: enough for the reader to recognise, too little for whoever was
    forwarded the newsletter to learn the address."""
    local, _, domain = address.rpartition("@")
    return f"{local[:2]}…@{domain}"

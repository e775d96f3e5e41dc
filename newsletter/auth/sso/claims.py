"""What the provider's claims mean here: the person, their roles, and whether they proved a
second factor. Pure: claims in, answers out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsletter.sso_settings import SsoSettings


class Refused(Exception):
    """The login is refused; the message (Dutch, "je") is shown on the refusal page."""


@dataclass(frozen=True)
class Person:
    subject: str
    email: str
    name: str
    roles: tuple[str, ...]
    sid: str


def _values(claim: Any) -> list[str]:
    """A group or role claim: a list of strings (Entra ID), or one string."""
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list):
        return [str(value) for value in claim]
    return []


def proved_second_factor(claims: Mapping[str, Any], sso: SsoSettings) -> bool:
    """`amr` contains "mfa", or `acr` (or one of Entra ID's authentication contexts, `acrs`)
    is a value the operator accepts as multi-factor."""
    if "mfa" in _values(claims.get("amr")):
        return True
    levels = [*_values(claims.get("acr")), *_values(claims.get("acrs"))]
    return any(level in sso.acr_values for level in levels)


def person(claims: Mapping[str, Any], sso: SsoSettings) -> Person:
    """The person in a checked ID token; Refused without a second factor or an address."""
    if not proved_second_factor(claims, sso):
        raise Refused(
            "Je bent bij je VNG-account ingelogd zonder tweede stap (zoals een code of de "
            "Authenticator-app). Voor deze omgeving is die stap verplicht. Log uit bij je "
            "VNG-account en log opnieuw in met de tweede stap."
        )
    # Entra ID sends the address as `email` (optional claim) or `preferred_username`
    email = str(claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    if "@" not in email:
        raise Refused(
            "Je VNG-account stuurt geen e-mailadres mee. Vraag de IT-afdeling om dat aan te zetten."
        )
    subject, sid = str(claims["sub"]), str(claims.get("sid") or "")
    if len(subject) > 250 or len(sid) > 255:  # the columns' sizes; Entra ID's are 43 and 36
        raise Refused(
            "Je VNG-account stuurt een kenmerk mee dat te lang is om te bewaren. "
            "Meld dit bij de IT-afdeling."
        )
    return Person(
        subject=subject,
        email=email[:320],
        name=str(claims.get("name") or "")[:120],
        roles=sso.roles_for(_values(claims.get(sso.role_claim))),
        sid=sid,
    )

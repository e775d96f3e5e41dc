"""Signed tokens that carry the time they were made, checked on another machine.

A confirmation link is signed on a worker and opened on a web node; a session cookie is made
on web A and read on web B. itsdangerous refuses a token whose time lies in the future, so a
node whose clock runs a little ahead made links that the others refused ("signature age < 0").
Clocks are kept by NTP (docs/operations.md#clocks); within that, a token up to
CLOCK_SKEW_SECONDS "from the future" is accepted. An expiry is a matter of hours, so these
seconds take nothing from it.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import SignatureExpired, TimestampSigner, URLSafeTimedSerializer

#: how far ahead the clock of the node that signed may run (NTP keeps it within a second)
CLOCK_SKEW_SECONDS = 120


class SkewTolerantSigner(TimestampSigner):
    def unsign(  # type: ignore[override]
        self, signed_value: str | bytes, max_age: int | None = None, return_timestamp: bool = False
    ) -> Any:
        value, signed_at = super().unsign(signed_value, max_age=None, return_timestamp=True)
        if max_age is not None:
            age = time.time() - signed_at.timestamp()
            if age > max_age or age < -CLOCK_SKEW_SECONDS:
                raise SignatureExpired(
                    f"signature age {age:.0f} s outside [-{CLOCK_SKEW_SECONDS}, {max_age}]",
                    payload=value,
                    date_signed=signed_at,
                )
        return (value, signed_at) if return_timestamp else value


class SkewTolerantSerializer(URLSafeTimedSerializer):
    default_signer = SkewTolerantSigner


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, read with the same tolerance: web nodes' clocks differ too."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        plain = super().get_signing_serializer(app)
        if plain is None:
            return None
        return SkewTolerantSerializer(
            plain.secret_keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

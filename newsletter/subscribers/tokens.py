"""Signed links. One salt per purpose, so a token made for one door never opens another.

Tokens carry the subscriber's opaque `public_id` (and for confirmation a nonce), never the
address. SECRET_KEYS rotate: the first key signs, every key verifies.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

MAX_TOKEN_LENGTH = 512


class Purpose(enum.StrEnum):
    confirm = "ravijn.confirm.v1"
    preferences = "ravijn.preferences.v1"
    unsubscribe = "ravijn.unsubscribe.v1"
    form_time = "ravijn.form-time.v1"


class TokenInvalid(Exception):
    """Tampered, malformed or for another purpose."""


class TokenExpired(TokenInvalid):
    """Genuine but too old."""


@dataclass(frozen=True)
class Signer:
    secret_keys: tuple[str, ...]

    def _keys(self) -> list[str]:
        # itsdangerous signs with the last key and verifies with all of them
        return list(reversed(self.secret_keys))

    @functools.cached_property
    def _serializers(self) -> dict[Purpose, URLSafeSerializer]:
        # built once: a send signs two links per reader, tens of thousands of times
        return {
            purpose: (
                URLSafeTimedSerializer
                if purpose in (Purpose.confirm, Purpose.form_time)
                else URLSafeSerializer
            )(self._keys(), salt=purpose.value)
            for purpose in Purpose
        }

    def dumps(self, purpose: Purpose, payload: object) -> str:
        return self._serializers[purpose].dumps(payload)

    def loads(self, purpose: Purpose, token: str, max_age: int | None = None) -> object:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenInvalid("empty or oversized token")
        try:
            if purpose in (Purpose.confirm, Purpose.form_time):
                serializer = URLSafeTimedSerializer(self._keys(), salt=purpose.value)
                return serializer.loads(token, max_age=max_age)
            return URLSafeSerializer(self._keys(), salt=purpose.value).loads(token)
        except SignatureExpired as exc:
            raise TokenExpired(str(exc)) from None
        except (BadData, UnicodeError, ValueError, TypeError) as exc:
            raise TokenInvalid(str(exc)) from None

    def load_str(self, purpose: Purpose, token: str, max_age: int | None = None) -> str:
        value = self.loads(purpose, token, max_age)
        if not isinstance(value, str):
            raise TokenInvalid("unexpected payload")
        return value

    def load_pair(
        self, purpose: Purpose, token: str, max_age: int | None = None
    ) -> tuple[str, str]:
        value = self.loads(purpose, token, max_age)
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise TokenInvalid("unexpected payload")
        return value[0], value[1]

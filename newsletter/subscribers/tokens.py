"""Signed links. One salt per purpose, so a token made for one door never opens another.

Tokens carry the subscriber's opaque `public_id` (and for confirmation a nonce), never the
address. SECRET_KEYS rotate: the first key signs, every key verifies. A key taken out of
SECRET_KEYS can stay in RETIRED_KEYS, which verifies unsubscribe links only: the
List-Unsubscribe link of every mail ever sent keeps working, nothing else does.

Preferences links expire, and they open only a short page (a masked address, "Afmelden", and a
button that mails a manage link to the address on file): newsletters get forwarded. The links of
the first version, which did not expire, count as expired. Only a manage link (one hour, bound to
the address it was mailed to) opens the details, the address change and "Toch weer aanmelden".
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from itsdangerous import BadData, SignatureExpired, URLSafeSerializer
from itsdangerous import Signer as ItsdangerousSigner
from itsdangerous.encoding import want_bytes

from newsletter.signed_time import SkewTolerantSerializer

MAX_TOKEN_LENGTH = 512


class Purpose(enum.StrEnum):
    confirm = "ravijn.confirm.v1"
    preferences = "ravijn.preferences.v2"
    unsubscribe = "ravijn.unsubscribe.v1"
    form_time = "ravijn.form-time.v1"
    address = "ravijn.address-change.v1"
    #: a short-lived link mailed to the address on file: it opens the reader's full details
    manage = "ravijn.manage.v1"


TIMED = {Purpose.confirm, Purpose.preferences, Purpose.form_time, Purpose.address, Purpose.manage}
UNTIMED_PREFERENCES = "ravijn.preferences.v1"  # links of the first version: no time in them


class TokenInvalid(Exception):
    """Tampered, malformed or for another purpose."""


class TokenExpired(TokenInvalid):
    """Genuine but too old."""


def _derive_once(signer: ItsdangerousSigner) -> ItsdangerousSigner:
    """The same signer with its key derived once: itsdangerous derives it from the secret and
    the salt on every signature, and for one signer that key never changes."""
    return type(signer)(
        signer.derive_key(),
        salt=signer.salt,
        sep=signer.sep,
        key_derivation="none",
        digest_method=signer.digest_method,
        algorithm=signer.algorithm,
    )


@dataclass(frozen=True)
class Signer:
    secret_keys: tuple[str, ...]
    retired_keys: tuple[str, ...] = ()

    def _keys(self, purpose: Purpose | None = None) -> list[str]:
        # itsdangerous signs with the last key and verifies with all of them
        keys = list(reversed(self.secret_keys))
        return [*reversed(self.retired_keys), *keys] if purpose == Purpose.unsubscribe else keys

    @functools.cached_property
    def _serializers(self) -> dict[Purpose, URLSafeSerializer]:
        # built once: a send signs two links per reader, tens of thousands of times
        return {
            purpose: (SkewTolerantSerializer if purpose in TIMED else URLSafeSerializer)(
                self._keys(purpose), salt=purpose.value
            )
            for purpose in Purpose
        }

    @functools.cached_property
    def _signers(self) -> dict[Purpose, ItsdangerousSigner]:
        # one signer per purpose, its key derived once: a send signs two links per reader
        return {
            purpose: _derive_once(serializer.make_signer())
            for purpose, serializer in self._serializers.items()
        }

    def dumps(self, purpose: Purpose, payload: object) -> str:
        """The same token as the serializer's own dumps, without rebuilding its signer."""
        serializer = self._serializers[purpose]
        signer = self._signers[purpose]
        return signer.sign(want_bytes(serializer.dump_payload(payload))).decode()

    def loads(self, purpose: Purpose, token: str, max_age: int | None = None) -> object:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenInvalid("empty or oversized token")
        try:
            if purpose in TIMED:
                return self._serializers[purpose].loads(token, max_age=max_age)  # type: ignore[call-arg]
            return self._serializers[purpose].loads(token)
        except SignatureExpired as exc:
            raise TokenExpired(str(exc)) from None
        except (BadData, UnicodeError, ValueError, TypeError) as exc:
            if purpose == Purpose.preferences and self._first_version(token):
                raise TokenExpired("a preferences link of the first version") from None
            raise TokenInvalid(str(exc)) from None

    def _first_version(self, token: str) -> bool:
        try:
            URLSafeSerializer(self._keys(), salt=UNTIMED_PREFERENCES).loads(token)
        except (BadData, UnicodeError, ValueError, TypeError):
            return False
        return True

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

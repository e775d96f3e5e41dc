"""What a subscriber's name may be, on every way in (the sign-up and profile forms, the API, the
import, an editor's correction): `problem(name)` is the one rule. Letters and punctuation, no
control characters, at most NAME_MAX characters, and no web or mail address (a name can reach a
mail we send)."""

from __future__ import annotations

import re

NAME_MAX = 120
#: an address in a name: "@", a scheme, "www.", a path, or a common top-level domain (a title
#: such as "drs.ing." stays a name)
_LINKLIKE = re.compile(
    r"@|://|www\.|\b[\w-]+\.[a-z]{2,}/|\b[\w-]+\.(?:nl|com|org|net|eu|be|de|info|io|biz|co"
    r"|uk|fr|app|online|site|xyz|ru|cn|ly|me|tk)\b",
    re.IGNORECASE,
)
#: the same rule for the API's document (a JSON Schema pattern, case-insensitive as a group)
LINKLIKE_PATTERN = _LINKLIKE.pattern
NOT_PRINTABLE = "Gebruik alleen gewone letters, cijfers en leestekens."


def unprintable(text: str) -> bool:
    """Control characters (C0, DEL, C1) or halves of a surrogate pair."""
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in text)


def linklike(text: str) -> bool:
    return bool(_LINKLIKE.search(text))


def problem(name: str) -> str | None:
    """Why `name` cannot be a subscriber's name, in plain Dutch that suits readers and editors
    alike; None when it can. An empty name is for each way in to refuse in its own words."""
    if len(name) > NAME_MAX:
        return f"Een naam is hoogstens {NAME_MAX} tekens lang."
    if unprintable(name):
        return NOT_PRINTABLE
    if linklike(name):
        return "Een naam is alleen een naam, zonder web- of e-mailadres."
    return None

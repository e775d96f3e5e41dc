"""One line of text: the rule every header value obeys (subject, preheader, names, From).

`str.splitlines()` knows every line break Python's mail policy folds on (U+2028, U+2029, U+0085,
…); control (Cc), format (Cf, except the joiners ZWJ/ZWNJ that emoji and some scripts need) and
separator (Zl, Zp) characters are refused too. Text an editor types is refused with a Dutch
message; text we stored (a reader's name) is made fit with `one_line()`.
"""

from __future__ import annotations

import unicodedata

_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def noncharacter(char: str) -> bool:
    """U+FFFE, U+FFFF (in every plane) and U+FDD0…U+FDEF: never text, and MJML chokes on them."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def without_noncharacters(text: str) -> str:
    return "".join(c for c in text if not noncharacter(c)) if not text.isascii() else text


def refused_char(char: str) -> bool:
    if noncharacter(char):
        return True
    category = unicodedata.category(char)
    return category in ("Cc", "Zl", "Zp") or (category == "Cf" and char not in _ALLOWED_FORMAT)


def line_problem(value: str) -> str | None:
    """None when `value` is one clean line; else what is wrong, in Dutch."""
    if value.isascii() and value.isprintable():
        return None  # the common case, once per reader: no line break, no control character
    if len(value.splitlines()) > 1:
        return "de tekst moet op één regel staan."
    if any(refused_char(char) for char in value):
        return "de tekst bevat een onzichtbaar teken of een besturingsteken."
    return None


def one_line(text: str) -> str:
    """Stored text made fit for a header: each line break, control or format character becomes
    a space, and runs of spaces one."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    return " ".join("".join(" " if refused_char(c) else c for c in text).split())

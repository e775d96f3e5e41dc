"""What makes a password too easy to guess: shorter than 12, one of the common passwords (Django's
list of 19,640) or a Dutch word people pick (data/dutch-passwords.txt), or such a word with digits
and signs around it ("wachtwoord12", "Welkom2026!", "W4chtw00rd") or repeated ("zomerzomer1").
Only the file in the repository is read; nothing is sent anywhere.
"""

from __future__ import annotations

import functools
import gzip
import string
from pathlib import Path

PASSWORD_MIN = 12
DATA = Path(__file__).parent / "data"
#: the whole password as typed, refused as it is (the list above covers the words)
LOCAL = {
    "123456789012",
    "qwertyuiop12",
    "vng-nieuwsbrief",
}
_AROUND = string.digits + string.punctuation + string.whitespace
_LEET = str.maketrans("4@3016$5!7|", "aaeoiisslti")  # what people put for letters
TOO_SHORT = f"Het wachtwoord moet minstens {PASSWORD_MIN} tekens lang zijn."
TOO_EASY = (
    "Dit wachtwoord is te makkelijk te raden: een bekend woord, ook met cijfers of tekens "
    "ervoor of erachter, proberen aanvallers als eerste. Kies een zin van een paar woorden."
)


@functools.cache
def known_words() -> frozenset[str]:
    """The common passwords and the Dutch words (see data/README.md)."""
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as lines:
        common = {line.strip() for line in lines}
    dutch = (DATA / "dutch-passwords.txt").read_text(encoding="utf-8").splitlines()
    words = {line.strip() for line in dutch if line.strip() and not line.startswith("#")}
    return frozenset(common | words | LOCAL)


def _core(password: str) -> str:
    """The password without the digits and signs around it, lowercased, letters for leet."""
    return password.lower().strip(_AROUND).translate(_LEET)


def _repeated(text: str) -> bool:
    """One piece over and over ("zomerzomer", "abcabcabc", "aaaa")."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )


def problem(password: str) -> str | None:
    """The Dutch reason this password is refused, or None when it may be used."""
    if len(password) < PASSWORD_MIN:
        return TOO_SHORT
    words = known_words()
    core = _core(password)
    squeezed = "".join(ch for ch in core if ch.isalnum())
    if (
        password.lower().strip() in words
        or len(set(password)) < 5
        or len(squeezed) < 4
        or core in words
        or squeezed in words
        or _repeated(squeezed)
    ):
        return TOO_EASY
    return None

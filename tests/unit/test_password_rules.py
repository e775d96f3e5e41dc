"""An editor's password: long, and not a common or Dutch word dressed up with digits."""

import pytest

from newsletter.auth.accounts import AccountError, check_password

EASY = [
    "wachtwoord12",
    "welkom12345!",
    "Welkom2026!!",
    "W4chtw00rd12",  # letters written as digits
    "P@ssw0rd2024!",
    "zomerzomer2026",  # one word twice
    "Amsterdam2026!",
    "feyenoord1908",
    "Oranje Boven 2026",
    "overhetravijn1",
    "12-12-2012!!!",  # a date and signs, no word at all
    "raden raden raden",
]
GOOD = [
    "een lang en goed wachtwoord",
    "fiets-lamp-koffie-dak",
    "Welkom bij VNG 2026",  # a sentence that starts with a listed word
    "correct horse battery staple",
]


@pytest.mark.parametrize("password", EASY)
def test_a_common_or_dutch_word_with_digits_around_it_is_refused_in_dutch(password):
    with pytest.raises(AccountError) as refused:
        check_password(password)
    assert "te makkelijk te raden" in str(refused.value)
    assert "Kies een zin van een paar woorden" in str(refused.value)


@pytest.mark.parametrize("password", GOOD)
def test_a_passphrase_is_accepted(password):
    check_password(password)


def test_too_short_says_how_long():
    with pytest.raises(AccountError, match="minstens 12 tekens"):
        check_password("Kort!2")

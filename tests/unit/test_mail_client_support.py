"""caniemail's data over every mail (tests/caniemail.py): nothing we use is unsupported in
Outlook for Windows, Outlook.com, Gmail or Apple Mail, except the few things ALLOWED names."""

from __future__ import annotations

import os

import pytest

from tests import caniemail
from tests.mails import every_mail


@pytest.fixture(autouse=True)
def _runnable() -> None:
    why = caniemail.unavailable()
    if why and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the caniemail data must be there in CI: {why}")
    if why:
        pytest.skip(f"the caniemail data is not here: {why}")


@pytest.mark.parametrize("name", sorted(every_mail()))
def test_nothing_in_the_mail_breaks_in_the_four_client_families(name):
    assert [str(problem) for problem in caniemail.check(every_mail()[name])] == []


def test_the_checker_finds_what_a_client_does_not_support():
    html = (
        "<html><head><style>@media (prefers-color-scheme: dark) { a { color: #fff; } }</style>"
        '</head><body><p style="white-space:nowrap;border-radius:4px;">x</p>'
        '<!--[if !mso]><!--><p style="border-radius:4px">knop</p><!--<![endif]-->'
        '<!--[if mso]><p style="opacity:0.5">alleen Outlook</p><![endif]--></body></html>'
    )
    found = {str(p) for p in caniemail.check(html)}
    assert "css-white-space is unsupported in Outlook for Windows" in found
    assert "css-border-radius is unsupported in Outlook for Windows" in found
    assert "css-opacity is unsupported in Outlook for Windows" in found  # what Word alone reads
    assert not any("prefers-color-scheme" in p for p in found)  # ALLOWED: an enhancement
    # hidden from Word: the same border-radius only in !mso is no problem for it
    hidden = html.replace('<p style="white-space:nowrap;border-radius:4px;">x</p>', "")
    assert "css-border-radius is unsupported in Outlook for Windows" not in {
        str(p) for p in caniemail.check(hidden)
    }


def test_every_allowed_feature_says_why_and_exists_in_the_data():
    for slug, (clients, why) in caniemail.ALLOWED.items():
        assert slug in caniemail._features() and clients <= set(caniemail.CLIENTS.values())
        assert len(why) > 20, slug

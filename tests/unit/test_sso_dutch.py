"""The single sign-on pages speak to editors with "je", never "u" (readers get "u", editors
"je", one of the two throughout the admin), and the button says "Inloggen met je
VNG-account"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TEMPLATES = ["login.html", "sso_refused.html", "sso_no_role.html"]
#: where the texts of those pages come from: the refusals, the flashes of logging in and out
MODULES = [
    *sorted((ROOT / "newsletter/auth/sso").glob("*.py")),
    ROOT / "newsletter/auth/views.py",
    ROOT / "newsletter/auth/sessions.py",
]
FORMAL = re.compile(r"\b(u|uw|U|Uw|kunt u|heeft u)\b")


def texts(module: Path) -> list[str]:
    """The module's string constants that are no docstrings (those are English, for us)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and " " in node.value  # a sentence, not a key or a claim name
    ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_sso_pages_say_je(name):
    html = (ROOT / "templates/beheer" / name).read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>|\{[{%#].*?[}%#]\}", " ", html, flags=re.S)
    assert not FORMAL.findall(words), name
    if name == "sso_no_role.html":  # the others show a message from the modules below
        assert re.search(r"\b(je|Je)\b", words)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_the_sso_messages_say_je(module):
    formal = [text for text in texts(module) if FORMAL.search(text)]
    assert not formal, formal


def test_the_button_names_the_vng_account_with_je():
    html = (ROOT / "templates/beheer/login.html").read_text(encoding="utf-8")
    assert ">Inloggen met je VNG-account<" in html
    assert "uw VNG-account" not in html


def test_the_check_sees_a_formal_sentence():
    """So the checks above can fail."""
    assert FORMAL.search("Log in met uw VNG-account.")
    assert FORMAL.search("Vraag de beheerder of u toegang krijgt.")
    assert not FORMAL.search("Je bent uitgelogd. Sluit je browser.")
    views = texts(ROOT / "newsletter/auth/sso/views.py")
    assert any("Inloggen met je VNG-account is niet gelukt" in text for text in views)

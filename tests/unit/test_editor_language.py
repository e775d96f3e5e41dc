"""Editors are addressed with "je", readers with "u" (docs/editors.md#je-en-u): no "u" or "uw"
in the pages of /beheer, the mails to editors, or the Dutch messages the editor side shows
(flash messages, form errors, errors of editions, sends and accounts)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from newsletter.errors import EDITOR_TEXTS

ROOT = Path(__file__).parent.parent.parent
#: "u" or "uw" as a word (not "u" in a path, a unit or a template expression)
FORMAL = re.compile(r"(?<![\w\-/.{%+])(u|uw)(?![\w\-/])", re.IGNORECASE)
#: text that quotes what readers see, and so says "u" on purpose
QUOTES_OF_READER_TEXT = ("In uw agenda", "Afmelden met uw e-mailadres")
#: example editions (their text is for readers)
EXAMPLE_EDITIONS = {("newsletter/editions/forms.py", "STARTER"), ("newsletter/api/schemas.py", "")}
EDITOR_SIDE = [
    "newsletter/editions",
    "newsletter/delivery",
    "newsletter/auth",
    "newsletter/api/keys_views.py",
    "newsletter/api/keys.py",
    "newsletter/webhooks",
    "newsletter/subscribers/admin",
    "newsletter/subscribers/imports",
    "newsletter/subscribers/privacy.py",
    "newsletter/cli.py",
    "newsletter/forms.py",
]


def formal_words(text: str) -> list[str]:
    for quote in QUOTES_OF_READER_TEXT:
        text = text.replace(quote, "")
    return [m.group(0) for m in FORMAL.finditer(text)]


def editor_templates() -> list[Path]:
    found = sorted((ROOT / "templates" / "beheer").glob("*.html"))
    return found + sorted((ROOT / "templates" / "emails").glob("editor_*"))


def strings_shown(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, without docstrings and example editions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and (str(path.relative_to(ROOT)), t.id) in EXAMPLE_EDITIONS
            for t in node.targets
        ):
            skipped.update(id(n) for n in ast.walk(node.value))
    if (str(path.relative_to(ROOT)), "") in EXAMPLE_EDITIONS:
        return []
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in skipped
    ]


def modules() -> list[Path]:
    found: list[Path] = []
    for name in EDITOR_SIDE:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def test_the_pattern_finds_u_and_uw_and_nothing_else():
    assert formal_words("Vul uw naam in. Heeft u vragen? U kunt") == ["uw", "u", "U"]
    assert formal_words("Je bent ingelogd. /u/1 {{u}} 10 u-bocht menu ‘In uw agenda’") == []


def test_the_pages_and_mails_of_the_editor_side_say_je():
    templates = editor_templates()
    assert len(templates) > 25  # the scan does find the templates
    wrong = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if formal_words(line)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_messages_of_the_editor_side_say_je():
    found = modules()
    assert len(found) > 60
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {text[:120]!r}"
        for path in found
        for line, text in strings_shown(path)
        if formal_words(text)
    ]
    wrong += [
        f"errors.EDITOR_TEXTS[{code}]" for code, text in EDITOR_TEXTS.items() if formal_words(text)
    ]
    assert not wrong, "\n".join(wrong)

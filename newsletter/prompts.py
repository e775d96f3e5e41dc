"""The command line in Dutch, for operators: questions answered with j/n, a password asked
twice, and click's own texts (errors, usage, help) translated.

Click writes its texts through `gettext` but ships no translations; each of its modules binds
`_` at import, so those names are replaced here by a lookup in `TEXTS` (a text without an
entry stays as click has it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click

TEXTS = {
    "Aborted!": "Afgebroken; er is niets veranderd.",
    "Error: {message}": "Fout: {message}",
    "Error: The two entered values do not match.": "De twee invoeren zijn niet gelijk.",
    "Error: invalid input": "Antwoord met j (ja) of n (nee).",
    "Repeat for confirmation": "Nog een keer, ter controle",
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Show this message and exit.": "Toon deze uitleg en stop.",
    "Try '{command} {option}' for help.": "Uitleg: '{command} {option}'.",
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende waarde",
    "Missing command.": "Geef een opdracht.",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet tussen {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "Could not open file {filename!r}: {message}": "Kan {filename!r} niet openen: {message}",
    "default: {default}": "standaard: {default}",
    "Confirm the action without prompting.": "Bevestig zonder het te vragen.",
    "required": "verplicht",
    "Do you want to continue?": "Doorgaan?",
}
CLICK_MODULES = ("core", "exceptions", "termui", "types", "formatting", "decorators", "parser")


def _dutch(text: str) -> str:
    return TEXTS.get(text, text)


def install() -> None:
    """Click's texts in Dutch (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is not None:
            module._ = _dutch  # type: ignore[attr-defined]


def confirm(question: str, ask: Callable[..., str] = click.prompt) -> None:
    """Ask a yes/no question (default no); anything but j/ja stops the command."""
    while True:
        answer = ask(f"{question} [j/N]", default="", show_default=False).strip().lower()
        if answer in ("j", "ja"):
            return
        if answer in ("", "n", "nee"):
            raise click.ClickException("Afgebroken; er is niets veranderd.")
        click.echo("Antwoord met j (ja) of n (nee).", err=True)


def password(label: str = "Wachtwoord") -> str:
    """A password, typed twice without echo."""
    return click.prompt(
        label, hide_input=True, confirmation_prompt="Herhaal het wachtwoord ter controle"
    )

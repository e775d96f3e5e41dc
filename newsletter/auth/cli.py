"""`flask editors …`: editor accounts from the server's shell (the operator's door)."""

from __future__ import annotations

import sys

import click

from newsletter.auth import accounts

editors = click.Group("editors", help="Redacteuren beheren.")


@editors.command("create")
@click.argument("email")
@click.option("--name", default="", help="Naam van de redacteur.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin.")
def create_editor(email: str, name: str, password_stdin: bool) -> None:
    """Maak een redacteur aan; het wachtwoord wordt gevraagd (of van stdin gelezen)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    try:
        editor = accounts.create_editor(email, password, name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Redacteur {editor.email} aangemaakt.")

"""`flask editors …`: editor accounts from the server's shell (the operator's door, audited as
the command line)."""

from __future__ import annotations

import sys

import click

from newsletter import prompts
from newsletter.auth import accounts, roles

editors = click.Group(
    "editors", help="Redacteuren beheren: aanmaken, rollen, uitschakelen, wachtwoord, tweestaps."
)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return prompts.password()


def _roles(text: str) -> tuple[str, ...]:
    try:
        return roles.parse(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _run(action, *args):
    try:
        return action(*args)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None


@editors.command("create")
@click.argument("email")
@click.option("--name", default="", help="Naam van de redacteur.")
@click.option(
    "--roles",
    "role_text",
    default="",
    help="Rollen, met komma's: redacteur, eindredacteur, beheerder. Zonder: de eerste "
    "redacteur krijgt alle rollen, latere alleen redacteur.",
)
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin.")
def create_editor(email: str, name: str, role_text: str, password_stdin: bool) -> None:
    """Maak een redacteur aan; het wachtwoord wordt gevraagd (of van stdin gelezen)."""
    chosen = _roles(role_text) if role_text else None
    editor = _run(lambda: accounts.create_editor(email, _password(password_stdin), name, chosen))
    click.echo(f"Redacteur {editor.email} aangemaakt ({editor.roles.replace(',', ', ')}).")


@editors.command("list")
def list_editors() -> None:
    """Alle redacteuren met hun rollen."""
    for editor in accounts.all_editors():
        state = "uitgeschakeld" if editor.disabled_at else "actief"
        factor = "2FA aan" if editor.has_second_factor else "2FA niet ingesteld"
        roles_text = editor.roles.replace(",", ", ")
        click.echo(f"{editor.email:<40} {state:<13} {factor:<18} {roles_text}")


@editors.command("set-roles")
@click.argument("email")
@click.argument("role_text", metavar="ROLLEN")
def set_roles(email: str, role_text: str) -> None:
    """Geef EMAIL precies deze rollen (met komma's); lopende sessies eindigen."""
    editor = _run(accounts.set_roles, email, _roles(role_text))
    click.echo(f"{editor.email}: {editor.roles.replace(',', ', ')}.")


@editors.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Schakel een redacteur uit: inloggen kan niet meer, sessies eindigen meteen."""
    click.echo(f"{_run(accounts.disable, email).email} is uitgeschakeld.")


@editors.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Schakel een redacteur weer in."""
    click.echo(f"{_run(accounts.enable, email).email} kan weer inloggen.")


@editors.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin.")
def reset_password(email: str, password_stdin: bool) -> None:
    """Zet een nieuw wachtwoord; alle sessies van die redacteur eindigen."""
    editor = _run(lambda: accounts.reset_password(email, _password(password_stdin)))
    click.echo(f"Nieuw wachtwoord voor {editor.email}; alle sessies zijn beëindigd.")


@editors.command("logout-everywhere")
@click.argument("email")
def logout_everywhere(email: str) -> None:
    """Beëindig alle sessies van een redacteur (bijvoorbeeld na een verloren laptop)."""
    click.echo(f"Alle sessies van {_run(accounts.log_out_everywhere, email).email} zijn beëindigd.")


@editors.command("reset-2fa")
@click.argument("email")
def reset_second_factor(email: str) -> None:
    """Wis de tweestapsverificatie (telefoon en herstelcodes kwijt); bij de volgende keer
    inloggen stelt de redacteur haar opnieuw in. Alle sessies eindigen."""
    editor = _run(accounts.reset_second_factor, email)
    click.echo(f"Tweestapsverificatie van {editor.email} gewist; alle sessies zijn beëindigd.")

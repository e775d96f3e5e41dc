"""`flask api-keys create|list|revoke`: keys for VNG's other systems."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from newsletter.api import keys
from newsletter.auth.audit import CLI

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def date_time(value: datetime) -> str:
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


api_keys = AppGroup("api-keys", help="API-sleutels voor andere systemen van de VNG.")


@api_keys.command("create")
@click.option("--name", required=True, help="Waarvoor de sleutel is, bijvoorbeeld 'CRM'.")
@click.option(
    "--scope", "scopes", multiple=True, required=True, type=click.Choice(sorted(keys.SCOPES)),
    help="Een recht; herhaal de optie voor meer rechten.",
)  # fmt: skip
@click.option("--days", default=365, show_default=True, help="Zo lang geldt de sleutel.")
def create(name: str, scopes: tuple[str, ...], days: int) -> None:
    """Maak een sleutel. Hij wordt één keer getoond: bewaar hem meteen in een kluis."""
    try:
        made = keys.create(name, list(scopes), days, CLI)
    except keys.KeyRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(made.secret)
    click.echo(
        f"Sleutel {made.key.prefix} ({made.key.name}) geldt tot {date_time(made.key.expires_at)}."
        " Deze tekst wordt niet nog eens getoond.",
        err=True,
    )


@api_keys.command("list")
def list_() -> None:
    """Alle sleutels: naam, rechten, geldigheid, laatst gebruikt (nooit de sleutel zelf)."""
    for key in keys.all_keys():
        status = "ingetrokken" if key.revoked_at else f"geldig tot {date_time(key.expires_at)}"
        used = date_time(key.last_used_at) if key.last_used_at else "nooit"
        click.echo(f"{key.id}\t{key.prefix}\t{key.name}\t{key.scopes}\t{status}\tgebruikt: {used}")


@api_keys.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id: int) -> None:
    """Trek een sleutel in: vanaf nu weigert de API hem."""
    if not keys.revoke(key_id, CLI):
        raise click.ClickException(f"Er is geen geldige sleutel met nummer {key_id}.")
    click.echo(f"Sleutel {key_id} is ingetrokken.")

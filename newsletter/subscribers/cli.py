"""`flask subscribers import|export|export-person|erase`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsletter import prompts
from newsletter.auth.audit import CLI
from newsletter.subscribers import privacy as services
from newsletter.subscribers.imports import checks, transaction

subscribers = click.Group("subscribers", help="Lezers importeren, exporteren en wissen.")


@subscribers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Alleen controleren en tellen; niets opslaan.")
def import_csv(path: Path, dry_run: bool) -> None:
    """Importeer lezers uit een CSV-bestand (alles of niets)."""
    lines = checks.count_rows(path)
    try:
        with click.progressbar(length=lines, label="Controleren", file=sys.stderr) as bar:
            checked = checks.check(path, progress=bar.update)
    except checks.ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    for line, reason in checked.problems:
        click.echo(f"{path.name}:{line}: {reason}", err=True)
    if checked.problem_count > len(checked.problems):
        click.echo(f"… en nog {checked.problem_count - len(checked.problems)} fouten", err=True)
    click.echo(
        f"{checked.rows} regels gelezen ({checked.encoding}), {checked.problem_count} fout, "
        f"{checked.duplicates} dubbel."
    )
    if checked.problem_count:
        raise click.ClickException("Niets geïmporteerd: los eerst de fouten op.")
    with click.progressbar(length=checked.rows, label="Importeren", file=sys.stderr) as bar:
        result = transaction.apply(
            path, checked.encoding, CLI, name=path.name, dry_run=dry_run, progress=bar.update
        )
    click.echo(result.summary(dry_run))


@subscribers.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_csv(path: Path) -> None:
    """Schrijf alle actieve lezers naar een CSV-bestand."""
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            for chunk in services.export_active(CLI, path.name):
                handle.write(chunk)
    except OSError as exc:
        raise click.ClickException(f"{path}: kan niet schrijven ({exc.strerror}).") from None
    click.echo(f"{path} geschreven.")


@subscribers.command("export-person")
@click.argument("email")
def export_person(email: str) -> None:
    """Alles wat we over één adres bewaren, als JSON (inzageverzoek)."""
    try:
        data = services.person_export(email)
    except services.SubscriberError as exc:
        raise click.ClickException(str(exc)) from None
    if data is None:
        raise click.ClickException("Over dit adres bewaren we niets.")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@subscribers.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
def erase(email: str, yes: bool) -> None:
    """Wis alle gegevens van een adres; alleen een sleutel-hash blijft (geen nieuwe import)."""
    if not yes:
        prompts.confirm(f"Alle gegevens van {email} wissen?")
    try:
        erased = services.erase(email, CLI)
    except services.SubscriberError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Gewist." if erased else "Over dit adres bewaren we niets; er is niets gewist.")

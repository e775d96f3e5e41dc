"""`flask editions …`: for editors who work in files, and for scripts."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.editions import services

editions = click.Group("editions", help="Edities importeren, bekijken en tonen.")


@editions.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def import_edition(path: Path) -> None:
    """Importeer FILE.md als concept en toon het nieuwe nummer."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(
            f"{path}: kan het bestand niet lezen als UTF-8 ({exc})."
        ) from None
    preview = services.preview(source)
    if preview.errors:
        for problem in preview.errors:
            click.echo(f"{path}: {problem}", err=True)
        raise SystemExit(1)
    for problem in preview.warnings:
        click.echo(f"{path}: {problem}", err=True)
    edition, _ = services.create(source)
    click.echo(edition.id)


@editions.command("preview")
@click.argument("edition_id", type=int)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def preview_edition(edition_id: int, out: Path) -> None:
    """Schrijf de HTML van editie ID naar een bestand (met voorbeeldlinks)."""
    try:
        edition = services.get(edition_id)
    except services.EditionError as exc:
        raise click.ClickException(str(exc)) from None
    html = services.sample(edition).html
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{out}: kan niet schrijven ({exc}).") from None
    for problem in services.preview(edition.source).rendered.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{out} ({len(html.encode()) // 1000} kB)")


@editions.command("list")
def list_editions() -> None:
    """Alle edities, nieuwste eerst."""
    for edition in services.all_editions():
        day = edition.edition_date.isoformat() if edition.edition_date else "----------"
        click.echo(f"{edition.id:>5}  {day}  {edition.state.value:<10}  {edition.title}")

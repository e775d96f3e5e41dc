"""`flask editions …`: for editors who work in files, and for scripts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from newsletter.auth import accounts
from newsletter.auth.audit import CLI, Actor, record
from newsletter.auth.roles import REDACTEUR
from newsletter.editions import media, services
from newsletter.extensions import db

editions = click.Group("editions", help="Edities importeren, bekijken en tonen.")


def _writer(email: str | None) -> Actor:
    """`--as`: the editor responsible for what the command writes; without it "opdrachtregel",
    and then nobody may approve the draft until an editor saved it (four-eyes)."""
    if email is None:
        return CLI
    try:
        editor = accounts.by_email(email)
    except accounts.AccountError as exc:
        raise click.BadParameter(str(exc), param_hint="--as") from None
    if not editor.is_active or not editor.has_role(REDACTEUR):
        raise click.BadParameter(
            f"{editor.email} is uitgeschakeld of geen redacteur.", param_hint="--as"
        )
    return Actor(f"{editor.email} (opdrachtregel)", editor.id)


@editions.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--as", "as_email", metavar="ADRES",
    help="De redacteur die de tekst schreef. Zonder --as kan niemand het concept goedkeuren "
    "(vier ogen) tot een redacteur het heeft opgeslagen.",
)  # fmt: skip
def import_edition(path: Path, as_email: str | None) -> None:
    """Importeer FILE.md als concept en toon het nieuwe nummer."""
    actor = _writer(as_email)
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
    edition, _ = services.create(source, actor.editor_id)
    record(actor, "edition-import", f"editie {edition.id}", path.name[:200])
    db.session.commit()
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


@editions.command("process-images")
def process_images() -> None:
    """Afbeeldingen van vóór de verwerking één keer verwerken (verkleind, zonder metadata,
    JPEG of PNG), onder hun eigen naam: hun links in verzonden mails blijven werken."""
    seen = skipped = 0
    for name, summary in media.process_stored():
        click.echo(f"{name}: {summary}")
        seen += 1
        skipped += summary.startswith(media.SKIPPED)
    if not seen:
        click.echo("Niets te verwerken.")
    else:
        click.echo(f"{seen - skipped} verwerkt, {skipped} overgeslagen.")


@editions.command("import-media")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def import_media(directory: Path | None) -> None:
    """Afbeeldingen uit een map van vóór migratie 0023 (standaard instance/media) in de database
    zetten, onder hun eigen naam: hun links blijven werken. Draai dit op elke machine die
    afbeeldingen bewaarde; daarna `flask editions process-images`."""
    folder = directory or current_app.config["SETTINGS"].instance_path / "media"
    moved = 0
    for name in media.import_folder(folder):
        click.echo(name)
        moved += 1
    click.echo(f"{moved} afbeeldingen in de database gezet." if moved else "Niets te verplaatsen.")

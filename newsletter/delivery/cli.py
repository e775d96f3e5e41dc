"""`flask delivery publish|pause|resume|cancel|status ID`, `flask delivery ingest-bounces PATH`."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from newsletter import prompts
from newsletter.delivery import bounces as bounce_service
from newsletter.delivery import control, progress
from newsletter.delivery.reconcile import reconcile
from newsletter.editions import services as editions
from newsletter.editions import states
from newsletter.editions.models import EditionState
from newsletter.extensions import db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
delivery = click.Group(
    "delivery", help="Edities versturen en volgen; teruggekomen mail (DSN's) verwerken."
)


def _edition(edition_id: int):
    try:
        return editions.get(edition_id)
    except editions.EditionError as exc:
        raise click.ClickException(str(exc)) from None


def parse_when(value: str) -> datetime:
    """'2026-12-01 09:00' (Amsterdam time) or ISO 8601 with an offset."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is geen tijdstip; schrijf bijvoorbeeld '2026-12-01 09:00'."
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=AMSTERDAM)).astimezone(UTC)


@delivery.command("publish")
@click.argument("edition_id", type=int)
@click.option("--at", "at", help="Later versturen: '2026-12-01 09:00' (Amsterdamse tijd).")
def publish(edition_id: int, at: str | None) -> None:
    """Verstuur editie ID nu, of plan haar in met --at."""
    edition = _edition(edition_id)
    try:
        if at:
            when = parse_when(at)
            editions.schedule(edition.id, when)
            click.echo(
                f"Editie {edition.id} ingepland op {when.astimezone(AMSTERDAM):%Y-%m-%d %H:%M}."
            )
            return
        recipients = states.check_sendable(edition, None).recipients
        control.publish(edition.id)
    except editions.EditionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Editie {edition.id} wordt verzonden naar {recipients} lezers.")


@delivery.command("pause")
@click.argument("edition_id", type=int)
def pause(edition_id: int) -> None:
    """Pauzeer het versturen (binnen enkele seconden)."""
    _edition(edition_id)
    if not control.pause(edition_id, "Gepauzeerd vanaf de opdrachtregel."):
        raise click.ClickException("Alleen een editie die wordt verzonden, kan pauzeren.")
    click.echo(f"Editie {edition_id} gepauzeerd.")


@delivery.command("resume")
@click.argument("edition_id", type=int)
def resume(edition_id: int) -> None:
    """Hervat een gepauzeerde editie, of zet vastgelopen batches opnieuw in de wachtrij."""
    edition = _edition(edition_id)
    if edition.state == EditionState.paused:
        control.resume(edition_id)
    elif edition.state != EditionState.sending:
        raise click.ClickException(f"Editie {edition_id} is {edition.state_label.lower()}.")
    report = reconcile(edition_id, force=True)
    click.echo(f"Editie {edition_id} wordt verzonden; {report.batches} batch(es) in de wachtrij.")


@delivery.command("cancel")
@click.argument("edition_id", type=int)
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
def cancel(edition_id: int, yes: bool) -> None:
    """Annuleer het versturen; wie nog niets kreeg, krijgt deze editie niet."""
    _edition(edition_id)
    if not yes:
        prompts.confirm("De rest van de lezers krijgt deze editie dan niet. Doorgaan?")
    if not control.cancel(edition_id):
        raise click.ClickException("Alleen een editie die wordt verzonden of gepauzeerd is.")
    click.echo(f"Editie {edition_id} geannuleerd.")


def status_line(shown: progress.Progress) -> str:
    line = (
        f"{shown.state_label}: {shown.done}/{shown.total} ({shown.percent}%), "
        f"{shown.sent} verzonden, {shown.failed} mislukt, {shown.skipped} overgeslagen, "
        f"{shown.pending} te gaan, {shown.rate:g}/s"
    )
    if shown.eta_seconds is not None:
        line += f", nog ongeveer {_duration(shown.eta_seconds)}"
    if not shown.snapshot_done and shown.state in ("sending", "paused"):
        line += " (lezerslijst wordt nog vastgelegd)"
    if shown.relay and shown.state in ("sending", "paused"):
        line += f", via {shown.relay_text()}"
    return line + (f". {shown.note}" if shown.note else "")


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} uur"


@delivery.command("status")
@click.argument("edition_id", type=int)
@click.option("--follow", is_flag=True, help="Blijf volgen tot het versturen klaar is.")
@click.option("--interval", default=2.0, show_default=True, help="Seconden tussen regels.")
def status(edition_id: int, follow: bool, interval: float) -> None:
    """Voortgang: verzonden, mislukt, te gaan, snelheid en resterende tijd."""
    while True:
        db.session.expire_all()
        edition = _edition(edition_id)
        click.echo(f"Editie {edition_id}: {status_line(progress.progress(edition))}")
        if not follow or edition.state not in (EditionState.sending, EditionState.paused):
            return
        sys.stdout.flush()
        time.sleep(max(0.2, interval))


@delivery.command("ingest-bounces")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def ingest(path: Path) -> None:
    """Lees bounces (DSN, RFC 3464) en klachten (ARF, RFC 5965) uit een Maildir, een map met
    .eml of één .eml."""
    report = bounce_service.ingest(path)
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(
        f"{report.messages} bericht(en) gelezen: {report.hard} harde bounce(s) verwerkt, "
        f"{report.soft} tijdelijke genegeerd, {report.unknown} onbekend adres, "
        f"{report.unproven} zonder bewijs dat ze over onze mail gaan (genegeerd), "
        f"{len(report.problems)} onleesbaar, {report.complaints} klacht(en) over spam verwerkt."
    )

"""Command-line tools (`flask …`): `doctor` here, and each package's own group."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import text

from newsletter import prompts
from newsletter.extensions import db
from newsletter.mail.outgoing import Session
from newsletter.mail.transport import TemporaryFailure


@click.command("doctor")
@click.option(
    "--dns", "check_dns", is_flag=True, help="Controleer ook SPF, DKIM, DMARC en de uitlijning."
)
def doctor(check_dns: bool) -> None:
    """Controleer of de database, Redis en de mailserver antwoorden (en met --dns de DNS)."""
    settings = current_app.config["SETTINGS"]
    if check_dns:
        from newsletter.ops import dns_check

        results = dns_check.run(settings)
        for result in results:
            click.echo(result.line())
        if any(not r.ok and not r.warning for r in results):
            raise SystemExit(1)
        return
    problems = 0
    try:
        db.session.execute(text("SELECT 1"))
        click.echo("database: ok")
    except Exception as exc:  # report every failure, not just the first
        problems += 1
        click.echo(f"database: FAILED ({exc.__class__.__name__}: {exc})")
    try:
        current_app.extensions["redis"].ping()
        click.echo("redis: ok")
    except Exception as exc:
        problems += 1
        click.echo(f"redis: FAILED ({exc})")
    if settings.broker_url.startswith("amqp"):
        try:
            current_app.extensions["broker"].connection.process_data_events(time_limit=0)
            click.echo("rabbitmq: ok")
        except Exception as exc:
            problems += 1
            click.echo(f"rabbitmq: FAILED ({exc})")
    try:
        with Session(settings, timeout=10) as session:
            session.connection.open()
            click.echo("smtp: ok")
    except TemporaryFailure as exc:
        problems += 1
        click.echo(f"smtp: FAILED ({exc})")
    if settings.sso is not None:
        problems += _sso(settings.sso)
    if problems:
        raise SystemExit(1)


def _sso(sso) -> int:
    """The issuer's discovery document (single sign-on): 1 when it is missing or wrong."""
    from newsletter.auth.sso.client import backchannel_note, discovery_problem

    problem = discovery_problem(sso)
    if problem:
        click.echo(f"sso: FAILED ({problem})")
        return 1
    note = backchannel_note(sso)
    click.echo(f"sso: ok ({sso.issuer}){f'; let op: {note}' if note else ''}")
    return 0


def register(app: Flask) -> None:
    """Each package owns one group: editors, editions, delivery, subscribers, api-keys."""
    from newsletter.api.cli import api_keys
    from newsletter.auth.cli import editors
    from newsletter.delivery.cli import delivery
    from newsletter.editions.cli import editions
    from newsletter.subscribers.cli import subscribers

    prompts.install()
    for command in (doctor, editors, editions, delivery, subscribers, api_keys):
        app.cli.add_command(command)
    # Flask-Migrate's group, in the same language (Flask's own run/shell/routes keep theirs)
    if "db" in app.cli.commands:
        app.cli.commands["db"].help = app.cli.commands["db"].short_help = (
            "Databasemigraties: `flask db upgrade` bij elke nieuwe versie."
        )

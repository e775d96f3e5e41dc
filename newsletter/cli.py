"""Command-line tools (`flask …`). Each feature adds its own group here."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import text

from newsletter.delivery.transport import SmtpConnection, TemporaryFailure
from newsletter.extensions import db


@click.command("doctor")
def doctor() -> None:
    """Check that the database, Redis and the SMTP relay answer."""
    settings = current_app.config["SETTINGS"]
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
        with SmtpConnection(settings.smtp_url, timeout=10):
            click.echo("smtp: ok")
    except TemporaryFailure as exc:
        problems += 1
        click.echo(f"smtp: FAILED ({exc})")
    if problems:
        raise SystemExit(1)


def register(app: Flask) -> None:
    from newsletter.delivery.cli import register as delivery_commands
    from newsletter.editions.cli import editions, editors
    from newsletter.readers.cli import subscribers

    app.cli.add_command(doctor)
    app.cli.add_command(editors)
    app.cli.add_command(editions)
    app.cli.add_command(subscribers)
    for group in delivery_commands(editions):
        app.cli.add_command(group)

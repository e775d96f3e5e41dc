"""Thin actors: take ids, call a service, nothing else. Queues come from newsletter.jobs."""

from __future__ import annotations

import functools
import secrets
import sqlite3

import dramatiq
import psycopg
import redis
import sqlalchemy.exc
from dramatiq.middleware import CurrentMessage
from flask import current_app

from newsletter.auth import mails as editor_mails
from newsletter.database import utcnow
from newsletter.delivery import reconcile as reconciler
from newsletter.delivery import sender, snapshot, testsend
from newsletter.editions import notices
from newsletter.jobs import ACTOR_QUEUES, QUEUE_PRIORITY
from newsletter.mail.transport import PermanentFailure
from newsletter.subscribers import import_jobs, lifecycle, mails
from newsletter.webhooks import notice as webhook_notice
from newsletter.webhooks import sender as webhooks

TRANSACTIONAL_RETRIES = 8
#: the database or Redis away: try again every 1 to 3 s, for up to about five minutes
OUTAGE_RETRIES = 150
OUTAGE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    psycopg.OperationalError,  # the ledger's marks use the driver's own connection
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    redis.ConnectionError,
    redis.TimeoutError,
)


class Outage(dramatiq.Retry):
    """The database or Redis could not be reached: retried soon, not after a growing wait."""


def _through_outages(fn):
    """Dramatiq's back-off grows to minutes, which after a database restart left sending
    standing still long after the database was back; an outage is retried in 1–3 s instead.
    Outages keep their own count in the message (up to OUTAGE_RETRIES), so they do not use up
    the retries a mail has for its own failures."""

    @functools.wraps(fn)
    def run(*args: object) -> None:
        try:
            fn(*args)
        except OUTAGE as exc:
            message = CurrentMessage.get_current_message()
            if message is None:
                raise
            outages = message.options.get("outages", 0) + 1
            if outages > OUTAGE_RETRIES:
                raise  # a very long outage: the ordinary retries (and the reconciler) take over
            message.options["outages"] = outages
            message.options["retries"] = message.options.get("retries", 0) - 1  # Retries adds 1
            delay = 1000 + secrets.randbelow(2000)
            raise Outage(f"{exc.__class__.__name__}: retry in {delay} ms", delay=delay) from exc

    return run


def _retry_when(retries: int, exception: BaseException) -> bool:
    if isinstance(exception, Outage):
        return True  # counted apart, in _through_outages
    # 5xx means the address will never take this mail: retrying only annoys the relay
    return retries < TRANSACTIONAL_RETRIES and not isinstance(exception, PermanentFailure)


def _bulk_retry_when(retries: int, exception: BaseException) -> bool:
    return isinstance(exception, Outage) or retries < 20


def _transactional(fn):
    queue = ACTOR_QUEUES[fn.__name__]
    fn = _through_outages(fn)
    return dramatiq.actor(
        fn,
        queue_name=queue,
        priority=QUEUE_PRIORITY[queue],
        retry_when=_retry_when,
        min_backoff=1_000,
        max_backoff=300_000,
        time_limit=60_000,
    )


@_transactional
def process_signup(submitted_id: int) -> None:
    interval = current_app.config["SETTINGS"].confirmation_interval_seconds
    lifecycle.process_signup(submitted_id, interval)


@_transactional
def send_confirmation(subscriber_id: int) -> None:
    mails.send_confirmation(subscriber_id)


@_transactional
def send_welcome(subscriber_id: int) -> None:
    mails.send_welcome(subscriber_id)


@_transactional
def send_already_subscribed(subscriber_id: int) -> None:
    mails.send_already_subscribed(subscriber_id)


@_transactional
def send_preferences_link(subscriber_id: int) -> None:
    mails.send_preferences_link(subscriber_id)


@_transactional
def send_manage_link(subscriber_id: int) -> None:
    mails.send_manage_link(subscriber_id)


@_transactional
def process_unsubscribe_request(request_id: int) -> None:
    lifecycle.process_unsubscribe_request(request_id)


@_transactional
def send_unsubscribe_link(subscriber_id: int) -> None:
    mails.send_unsubscribe_link(subscriber_id)


@_transactional
def send_goodbye(subscriber_id: int) -> None:
    mails.send_goodbye(subscriber_id)


@_transactional
def send_address_confirmation(subscriber_id: int) -> None:
    mails.send_address_confirmation(subscriber_id)


@_transactional
def send_address_notice(subscriber_id: int) -> None:
    mails.send_address_notice(subscriber_id)


@_transactional
def send_test_edition(edition_id: int, editor_id: int, index: int = -1) -> None:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message else 0
    last_try = retries >= TRANSACTIONAL_RETRIES
    testsend.send_test(edition_id, editor_id, index, last_try=last_try)


@_transactional
def send_editor_password_link(editor_id: int, welcome: bool) -> None:
    editor_mails.send_password_link(editor_id, welcome)


@_transactional
def send_editor_notice(kind: int, edition_id: int) -> None:
    notices.send(kind, edition_id)


@_transactional
def send_webhook_notice(webhook_id: int) -> None:
    webhook_notice.send_switched_off(webhook_id)


@dramatiq.actor(
    queue_name=ACTOR_QUEUES["deliver_webhook"],
    priority=QUEUE_PRIORITY[ACTOR_QUEUES["deliver_webhook"]],
    max_retries=0,  # the delivery plans its own next try; the clock finds a lost one
    time_limit=60_000,
)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id)


def _bulk(fn):
    queue = ACTOR_QUEUES[fn.__name__]
    fn = _through_outages(fn)
    return dramatiq.actor(
        fn,
        queue_name=queue,
        priority=QUEUE_PRIORITY[queue],
        retry_when=_bulk_retry_when,  # the reconciler covers whatever gives up
        min_backoff=2_000,
        max_backoff=120_000,
        time_limit=300_000,  # a batch yields after 1.5 s; this only stops a hung one
    )


@_bulk
def send_repermission(subscriber_id: int) -> None:
    mails.send_repermission(subscriber_id)


@_bulk
def fan_out(edition_id: int) -> None:
    snapshot.fan_out(edition_id)


@_bulk
def send_batch(edition_id: int, batch_no: int) -> None:
    # every run leases under a name of its own; the message remembers it, so that a retry of
    # this message (after an outage) takes back the rows this run held, at once
    message = CurrentMessage.get_current_message()
    holder = secrets.token_hex(16)
    previous = message.options.get("lease") if message else None
    if message is not None:
        message.options["lease"] = holder
    sender.send_batch(edition_id, batch_no, holder, previous)


@dramatiq.actor(
    queue_name=ACTOR_QUEUES["reconcile"],
    priority=QUEUE_PRIORITY[ACTOR_QUEUES["reconcile"]],
    max_retries=0,  # the next tick comes soon enough
    time_limit=300_000,
)
def reconcile() -> None:
    """The clock's tick: due and stranded sends, then the retention of unconfirmed sign-ups."""
    reconciler.reconcile()
    webhooks.sweep()
    lifecycle.retention(utcnow(), current_app.config["SETTINGS"].confirm_max_age_seconds)


@dramatiq.actor(
    queue_name=ACTOR_QUEUES["import_subscribers"],
    priority=QUEUE_PRIORITY[ACTOR_QUEUES["import_subscribers"]],
    max_retries=0,  # all or nothing already happened; the job row says how it ended
    time_limit=3_600_000,
)
def import_subscribers(job_id: int) -> None:
    import_jobs.run(job_id)

"""Thin actors: take ids, call a service, nothing else. One table gives every job declared
in newsletter/jobs.py its actor; the queue and priority come from the job."""

from __future__ import annotations

import functools
import secrets
import sqlite3
from collections.abc import Callable

import dramatiq
import psycopg
import redis
import sqlalchemy.exc
from dramatiq.middleware import CurrentMessage
from flask import current_app

from newsletter import jobs
from newsletter.auth import mails as editor_mails
from newsletter.auth import passwords as editor_passwords
from newsletter.database import database_now, read_only, utcnow
from newsletter.delivery import batches, snapshot, testsend
from newsletter.delivery import reconcile as reconciler
from newsletter.editions import notices, test_addresses
from newsletter.extensions import db
from newsletter.mail.transport import PermanentFailure
from newsletter.subscribers import lifecycle, mails
from newsletter.subscribers.imports import stale, uploads
from newsletter.webhooks import deliveries as webhooks
from newsletter.webhooks import switched_off as webhook_notice
from workers import outbox

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
    """Dramatiq's back-off grows to minutes: after a database restart, sending would stand
    still long after the database is back. An outage is retried in 1–3 s instead.
    A primary that became read-only (SQLSTATE 25006, a failover) is an outage too; the pool
    has already dropped its connections to it (database._read_only_is_a_disconnect).
    Outages keep their own count in the message (up to OUTAGE_RETRIES), so they do not use up
    the retries a mail has for its own failures."""

    @functools.wraps(fn)
    def run(*args: object) -> None:
        try:
            fn(*args)
        except Exception as exc:
            if not isinstance(exc, OUTAGE) and not read_only(exc):
                raise
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
    if isinstance(exception, Outage | outbox.Held):
        return True  # counted apart, in _through_outages; a held row is no failure
    # 5xx means the address will never take this mail: retrying only annoys the relay
    return retries < TRANSACTIONAL_RETRIES and not isinstance(exception, PermanentFailure)


def _bulk_retry_when(retries: int, exception: BaseException) -> bool:
    return isinstance(exception, Outage) or retries < 20


def _send_test_edition(edition_id: int, editor_id: int, address_id: int = -1) -> None:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message else 0
    last_try = retries >= TRANSACTIONAL_RETRIES
    testsend.send_test(edition_id, editor_id, address_id, last_try=last_try)


def _process_signup(submitted_id: int) -> None:
    interval = current_app.config["SETTINGS"].confirmation_interval_seconds
    lifecycle.process_signup(submitted_id, interval)


def _process_link_request(request_id: int) -> None:
    interval = current_app.config["SETTINGS"].confirmation_interval_seconds
    lifecycle.process_link_request(request_id, interval)


def _send_batch(edition_id: int, batch_no: int) -> None:
    # every run leases under a name of its own; the message remembers it, so that a retry of
    # this message (after an outage) takes back the rows this run held, at once
    message = CurrentMessage.get_current_message()
    holder = secrets.token_hex(16)
    previous = message.options.get("lease") if message else None
    if message is not None:
        message.options["lease"] = holder
    batches.send_batch(edition_id, batch_no, holder, previous)


def _reconcile() -> None:
    """The clock's tick: due and stranded sends, lost mail and webhooks, imports whose worker
    stopped, then the retention of unconfirmed sign-ups."""
    reconciler.reconcile()
    webhooks.sweep()
    outbox.sweep()
    uploads.end_stale(database_now(db.session))
    editor_passwords.requeue_stranded(utcnow())
    settings = current_app.config["SETTINGS"]
    lifecycle.retention(utcnow(), settings.confirm_max_age_seconds, settings.outbox_lost_seconds)


#: how a job is retried: a mail to one person, a part of a send, or not at all
MAIL = {
    "retry_when": _retry_when, "min_backoff": 1_000, "max_backoff": 300_000,
    "time_limit": 60_000,
}  # fmt: skip
BULK = {
    "retry_when": _bulk_retry_when,  # the reconciler covers whatever gives up
    "min_backoff": 2_000, "max_backoff": 120_000,
    "time_limit": 300_000,  # a batch yields after 1.5 s; this only stops a hung one
}  # fmt: skip
ONCE = {"max_retries": 0, "time_limit": 60_000}

#: a mail to one person, or the request that may lead to one: MAIL's retries, through outages
TO_ONE_PERSON: dict[jobs.Job, Callable[..., None]] = {
    jobs.PROCESS_SIGNUP: _process_signup,
    jobs.PROCESS_LINK_REQUEST: _process_link_request,
    jobs.PROCESS_PASSWORD_REQUEST: editor_passwords.process_request,
    jobs.SEND_CONFIRMATION: mails.send_confirmation,
    jobs.SEND_WELCOME: mails.send_welcome,
    jobs.SEND_ALREADY_SUBSCRIBED: mails.send_already_subscribed,
    jobs.SEND_PREFERENCES_LINK: mails.send_preferences_link,
    jobs.SEND_MANAGE_LINK: mails.send_manage_link,
    jobs.PROCESS_UNSUBSCRIBE_REQUEST: lifecycle.process_unsubscribe_request,
    jobs.SEND_UNSUBSCRIBE_LINK: mails.send_unsubscribe_link,
    jobs.SEND_GOODBYE: mails.send_goodbye,
    jobs.SEND_ADDRESS_CONFIRMATION: mails.send_address_confirmation,
    jobs.SEND_ADDRESS_NOTICE: mails.send_address_notice,
    jobs.SEND_TEST_EDITION: _send_test_edition,
    jobs.SEND_TEST_ADDRESS_LINK: test_addresses.send_link,
    jobs.SEND_EDITOR_PASSWORD_LINK: editor_mails.send_password_link,
    jobs.SEND_EDITOR_NOTICE: notices.send,
    jobs.SEND_WEBHOOK_NOTICE: webhook_notice.send_switched_off,
}
#: every job's actor: what it calls, how it is retried, and whether an outage is retried soon
ACTORS: dict[jobs.Job, tuple[Callable[..., None], dict[str, object], bool]] = {
    **{job: (fn, MAIL, True) for job, fn in TO_ONE_PERSON.items()},
    # the delivery plans its own next try; the clock finds a lost one
    jobs.DELIVER_WEBHOOK: (webhooks.deliver, ONCE, False),
    jobs.SEND_REPERMISSION: (mails.send_repermission, BULK, True),
    jobs.FAN_OUT: (snapshot.fan_out, BULK, True),
    jobs.SEND_BATCH: (_send_batch, BULK, True),
    jobs.RECONCILE: (_reconcile, {**ONCE, "time_limit": 300_000}, False),  # next tick is soon
    # all or nothing already happened; the job row says how it ended
    jobs.IMPORT_SUBSCRIBERS: (
        uploads.run,
        {**ONCE, "time_limit": stale.TIME_LIMIT_SECONDS * 1000},
        False,
    ),
}


def _build(job: jobs.Job) -> dramatiq.Actor:
    fn, options, through_outages = ACTORS[job]
    if job.outbox:
        fn = outbox.through_outbox(fn, OUTAGE, TRANSACTIONAL_RETRIES)
    return dramatiq.actor(
        _through_outages(fn) if through_outages else fn,
        actor_name=job.name,
        queue_name=job.queue,
        priority=job.priority,
        **options,
    )


#: the actors, by job; declared with the broker that `workers/__init__.py` set up
BUILT: dict[jobs.Job, dramatiq.Actor] = {job: _build(job) for job in jobs.ALL}

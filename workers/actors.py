"""Thin actors: take ids, call a service, nothing else. Queues come from newsletter.jobs."""

from __future__ import annotations

import dramatiq

from newsletter import mail
from newsletter.delivery.transport import PermanentFailure
from newsletter.jobs import ACTOR_QUEUES, QUEUE_PRIORITY


def _retry_when(retries: int, exception: BaseException) -> bool:
    # 5xx means the address will never take this mail: retrying only annoys the relay
    return retries < 8 and not isinstance(exception, PermanentFailure)


def _transactional(fn):
    queue = ACTOR_QUEUES[fn.__name__]
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
def send_confirmation(subscriber_id: int) -> None:
    mail.send_confirmation(subscriber_id)


@_transactional
def send_welcome(subscriber_id: int) -> None:
    mail.send_welcome(subscriber_id)


@_transactional
def send_already_subscribed(subscriber_id: int) -> None:
    mail.send_already_subscribed(subscriber_id)


@_transactional
def send_goodbye(subscriber_id: int) -> None:
    mail.send_goodbye(subscriber_id)


@_transactional
def send_test_edition(edition_id: int, editor_id: int) -> None:
    mail.send_test_edition(edition_id, editor_id)

"""Test mails have a queue of their own, after readers' mail, and every deployment serves it."""

from __future__ import annotations

import re

from newsletter import jobs
from newsletter.dev.runner import worker_command
from newsletter.jobs import QUEUE_PRIORITY, TESTSEND, TRANSACTIONAL
from newsletter.settings import PROJECT_ROOT


def test_test_mails_and_their_links_queue_apart_and_after_confirmations():
    assert jobs.SEND_TEST_EDITION.queue == TESTSEND
    assert jobs.SEND_TEST_ADDRESS_LINK.queue == TESTSEND
    assert TESTSEND != TRANSACTIONAL
    assert QUEUE_PRIORITY[TRANSACTIONAL] < QUEUE_PRIORITY[TESTSEND]
    assert jobs.SEND_CONFIRMATION.queue == TRANSACTIONAL


def test_every_queue_is_served_by_the_production_layout_and_by_make_run():
    operations = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    layout = operations.split("## Production", 1)[1].split("```", 2)[1]
    served = {
        queue
        for line in re.findall(r"dramatiq workers --queues ([\w ]+?) --", layout)
        for queue in line.split()
    }
    assert {job.queue for job in jobs.ALL} <= served
    assert TESTSEND in served
    # without --queues, Dramatiq serves every queue the actors declare
    assert "--queues" not in worker_command("python")

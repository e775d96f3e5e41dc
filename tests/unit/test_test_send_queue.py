"""Test mails have a queue of their own, after readers' mail, and every deployment serves it."""

from __future__ import annotations

import re

from newsletter.dev.runner import worker_command
from newsletter.jobs import ACTOR_QUEUES, QUEUE_PRIORITY, TESTSEND, TRANSACTIONAL
from newsletter.settings import PROJECT_ROOT


def test_test_mails_and_their_links_queue_apart_and_after_confirmations():
    assert ACTOR_QUEUES["send_test_edition"] == TESTSEND
    assert ACTOR_QUEUES["send_test_address_link"] == TESTSEND
    assert TESTSEND != TRANSACTIONAL
    assert QUEUE_PRIORITY[TRANSACTIONAL] < QUEUE_PRIORITY[TESTSEND]
    assert ACTOR_QUEUES["send_confirmation"] == TRANSACTIONAL


def test_every_queue_is_served_by_the_production_layout_and_by_make_run():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Production", 1)[1].split("```", 2)[1]
    served = {
        queue
        for line in re.findall(r"dramatiq workers --queues ([\w ]+?) --", layout)
        for queue in line.split()
    }
    assert set(ACTOR_QUEUES.values()) <= served
    assert TESTSEND in served
    # without --queues, Dramatiq serves every queue the actors declare
    assert "--queues" not in worker_command("python")

"""The same delivery with RabbitMQ as the broker (BROKER_URL=amqp://…); Redis keeps only the
shared limits. A worker process killed mid-send loses nothing here either."""

from __future__ import annotations

import os
import socket

import pytest

from tests.acceptance.fleet import Fleet, finish, publish, sent_count, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # stops or floods shared services
RABBIT = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def rabbit_up() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5672)) == 0


def purge() -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(RABBIT))
    try:
        channel = connection.channel()
        for queue in ("transactional", "testsend", "bulk", "maintenance"):
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                try:
                    channel.queue_purge(name)
                except Exception:  # not declared yet: nothing to purge
                    channel = connection.channel()
    finally:
        connection.close()


@pytest.fixture
def rabbit_fleet(app, db, editor, paused_worker, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("many worker processes on one ledger: PostgreSQL, as in production")
    if not rabbit_up():
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    purge()
    fleet = Fleet(tmp_path, BROKER_URL=RABBIT, SEND_RATE="500")
    yield fleet
    fleet.stop()
    purge()


def test_send_over_rabbitmq_with_a_killed_worker(rabbit_fleet, db, editor):
    assert "rabbitmq: ok" in rabbit_fleet.flask("doctor")
    edition_id, addresses = publish(rabbit_fleet, db, editor, subscribers=3000)
    assert wait_until(lambda: sent_count(db, edition_id) >= 800, timeout=120)
    rabbit_fleet.kill_one_worker()
    finish(rabbit_fleet, db, edition_id, addresses, bound=4)

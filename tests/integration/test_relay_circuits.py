"""Relay circuits in the real Redis: how long a relay that went away rests before it is tried
again, and how its failures add up to an automatic pause. Its sessions fail together; that is
one failure, not four."""

from __future__ import annotations

from newsletter.mail import relays
from newsletter.settings import parse_smtp_url

RELAY = parse_smtp_url("smtp://127.0.0.1:2599")


def test_sessions_failing_together_open_the_circuit_once(db):
    circuit = relays.Circuit(RELAY)
    assert [relays.failed(RELAY) for _ in range(4)] == [1, 1, 1, 1]  # four open sessions
    assert circuit.failures() == 1  # one failure on the way to an automatic pause
    assert 0 < circuit.wait_seconds(probe=False) <= 1  # and the back-off of one failure


def test_each_failed_probe_doubles_the_back_off(db):
    circuit = relays.Circuit(RELAY)
    relays.failed(RELAY)
    redis = relays._client()
    for failures, expected in enumerate((2, 4, 8, 15, 15), start=2):
        redis.hset(circuit.key, "open_until", 0)  # the back-off has passed
        assert circuit.wait_seconds() == 0  # this caller probes
        assert circuit.wait_seconds() == 2.0  # the others wait for its verdict
        assert relays.failed(RELAY) == failures  # the probe fails too
        assert expected - 0.5 < circuit.wait_seconds(probe=False) <= expected
    relays.succeeded(RELAY)
    assert circuit.wait_seconds() == 0 and circuit.failures() == 0

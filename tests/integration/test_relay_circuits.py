"""Relay circuits in the real Redis: how long a relay that went away rests before it is tried
again, and how its failures add up to an automatic pause. Its sessions fail together; that is
one failure, not four."""

from __future__ import annotations

from newsletter.mail import relays
from newsletter.mail.outgoing import Session
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


class _FailsFirst:
    """The app's Redis client, but the first command that could take the probe's turn (a
    write or a script) waits until another worker's probe has failed: the interleaving that
    once kept a relay that was back from getting mail for 35 s."""

    def __init__(self, real, before) -> None:
        self.real, self.before = real, before

    def register_script(self, source):
        from redis.commands.core import Script

        return Script(self, source)

    def __getattr__(self, name):
        command = getattr(self.real, name)
        if self.before and name in {"set", "evalsha", "eval", "script_load"}:
            before, self.before = self.before, None
            before()
        return command


def test_a_turn_taken_as_a_probe_fails_is_never_left_held(db, monkeypatch):
    circuit = relays.Circuit(RELAY)
    relays.failed(RELAY)
    real = relays._client()
    real.hset(circuit.key, "open_until", 0)  # the back-off has passed
    assert circuit.wait_seconds() == 0  # worker A probes ...
    # ... and worker B asks for a turn just as A's probe fails (the circuit opens for 2 s)
    proxy = _FailsFirst(real, before=lambda: relays.failed(RELAY))
    with monkeypatch.context() as patched:
        patched.setattr(relays, "_client", lambda: proxy)
        took = circuit.wait_seconds() == 0
    if took:  # B tries the relay as well, and fails in the circuit A's failure opened
        relays.failed(RELAY)
    real.hset(circuit.key, "open_until", 0)  # that back-off has passed too
    assert circuit.wait_seconds() == 0  # someone probes now, not 35 s later


def test_a_turn_taken_and_not_used_is_given_back_by_its_session(app, db):
    circuit = relays.Circuit(RELAY)
    relays.failed(RELAY)
    relays._client().hset(circuit.key, "open_until", 0)  # the back-off has passed
    choice = relays.choose((RELAY,))
    assert choice.relay == RELAY and choice.turn  # this caller probes ...
    assert circuit.wait_seconds() == 2.0  # ... the others wait for its verdict
    relays.give_back(RELAY, "not-the-takers-token")
    assert circuit.wait_seconds() == 2.0  # only the taker gives it back
    Session(app.config["SETTINGS"], RELAY, turn=choice.turn).close()  # never connected
    assert circuit.wait_seconds() == 0  # the next caller probes at once, not in 35 s


def test_a_probe_that_fails_in_a_circuit_opened_meanwhile_ends_its_own_turn(db):
    circuit = relays.Circuit(RELAY)
    relays.failed(RELAY)
    real = relays._client()
    real.hset(circuit.key, "open_until", 0)
    choice = relays.choose((RELAY,))
    assert choice.turn
    real.hset(circuit.key, "open_until", real.time()[0] + 100)  # reopened by someone else
    relays.failed(RELAY, choice.turn)
    assert not real.exists(circuit.probe)


def test_transactional_mail_goes_on_to_the_next_relay_and_leaves_no_turn_held(
    app, db, sink, settings, allow_smtp
):
    """The first relay is away: a mail (a confirmation, a test-send) goes to the second one,
    and once the back-off has passed the next caller probes the first again at once."""
    from newsletter.dev.sink import free_port
    from newsletter.mail import outgoing

    away = parse_smtp_url(f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    allow_smtp(away.port)
    settings(smtp_url=away, smtp_fallbacks=(app.config["SETTINGS"].smtp_url,))
    circuit = relays.Circuit(away)
    message = b"From: a@vng.example\r\nTo: b@gemeente.example\r\nSubject: x\r\n\r\nx\r\n"
    try:
        for number in (1, 2):
            outgoing.send(message, "b@gemeente.example")
            assert len(sink.wait_for(number, timeout=10)) == number
            assert circuit.failures() >= 1
            relays._client().hset(circuit.key, "open_until", 0)  # the back-off has passed
            assert circuit.wait_seconds(probe=False) == 0
            assert not relays._client().exists(circuit.probe)  # no turn left held
    finally:
        outgoing.close_pooled()

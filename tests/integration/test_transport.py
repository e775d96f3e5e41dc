"""The SMTP client against postfix's smtp-sink: pipelined sends, dot-stuffing, and how each
kind of refusal is classified (4xx retry, 5xx at RCPT bounce, sender refused = relay problem)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsletter.dev.sink import free_port
from newsletter.mail.transport import (
    ConnectionFailure,
    RecipientRefused,
    SmtpConnection,
    TemporaryFailure,
)
from newsletter.settings import parse_smtp_url

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
pytestmark = pytest.mark.skipif(
    not Path(SMTP_SINK).exists(), reason="postfix's smtp-sink (apt-get install postfix)"
)
MESSAGE = (
    b"From: a@x.example\r\nTo: b@x.example\r\nSubject: punt\r\n\r\n"
    b"eerste regel\r\n.tweede regel begint met een punt\r\n.\r\nlaatste\r\n"
)


@contextmanager
def smtp_sink(allow_smtp, *flags: str) -> Iterator[int]:
    port = free_port()
    allow_smtp(port)
    process = subprocess.Popen(
        [SMTP_SINK, "-u", "nobody", *flags, f"127.0.0.1:{port}", "64"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait()


def dumps(dump_dir: Path, expected: int, timeout: float = 5) -> list[bytes]:
    """The sink's dumps of whole messages (up to MESSAGE's last line) once `expected` of them
    are there; fails after `timeout`. smtp-sink keeps the dump of an aborted DATA as well."""
    deadline = time.monotonic() + timeout
    while True:
        found = [p.read_bytes() for p in sorted(dump_dir.glob("mail.*"))]
        found = [d for d in found if d.endswith(b"laatste\n\n")]
        if len(found) >= expected:
            return found
        assert time.monotonic() < deadline, f"{len(found)} van {expected} berichten in de sink"
        time.sleep(0.02)


def connection(port: int) -> SmtpConnection:
    return SmtpConnection(parse_smtp_url(f"smtp://127.0.0.1:{port}"), timeout=5)


@pytest.fixture
def dump_dir() -> Iterator[Path]:
    """Where smtp-sink, running as "nobody", may write (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="ravijn-smtp-sink-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_pipelined_session_sends_many_and_keeps_dots(allow_smtp, dump_dir):
    tmp_path = dump_dir
    with smtp_sink(allow_smtp, "-d", f"{tmp_path}/mail.") as port, connection(port) as smtp:
        for i in range(5):
            smtp.send(MESSAGE, "a@x.example", f"b{i}@x.example")
        assert smtp._smtp is not None and smtp._smtp.has_extn("pipelining")
    time.sleep(0.2)
    dumps = sorted(tmp_path.glob("mail.*"))
    assert len(dumps) == 5
    body = dumps[0].read_bytes()
    assert b"\n.tweede regel begint met een punt" in body
    assert b"\n..tweede" not in body and b"\n.\nlaatste" in body  # dumped with LF


def test_soft_refusal_at_rcpt_is_temporary_and_session_survives(allow_smtp):
    with smtp_sink(allow_smtp, "-r", "RCPT") as port, connection(port) as smtp:
        for _ in range(2):
            with pytest.raises(TemporaryFailure) as caught:
                smtp.send(MESSAGE, "a@x.example", "b@x.example")
            assert not isinstance(caught.value, ConnectionFailure)
        assert smtp._smtp is not None  # same session, not reconnected


def test_hard_refusal_at_rcpt_is_a_bounce(allow_smtp):
    with (
        smtp_sink(allow_smtp, "-f", "RCPT") as port,
        connection(port) as smtp,
        pytest.raises(RecipientRefused),
    ):
        smtp.send(MESSAGE, "a@x.example", "b@x.example")


def test_refused_sender_is_a_relay_problem_not_a_bounce(allow_smtp):
    with (
        smtp_sink(allow_smtp, "-f", "MAIL") as port,
        connection(port) as smtp,
        pytest.raises(ConnectionFailure, match="sender refused"),
    ):
        smtp.send(MESSAGE, "a@x.example", "b@x.example")


def test_dropped_connection_during_data_is_a_connection_failure(allow_smtp):
    with (
        smtp_sink(allow_smtp, "-q", ".") as port,
        connection(port) as smtp,
        pytest.raises(ConnectionFailure),
    ):
        smtp.send(MESSAGE, "a@x.example", "b@x.example")


def test_the_next_envelope_rides_behind_the_final_dot(allow_smtp, dump_dir):
    """With `then`, MAIL/RCPT/DATA of the next message go out in the same write as this
    message's final dot: one round trip per message. Each reader still gets one message."""
    subscribers = [f"b{i}@x.example" for i in range(5)]
    writes: list[bytes] = []
    with smtp_sink(allow_smtp, "-d", f"{dump_dir}/mail.") as port, connection(port) as smtp:
        assert smtp._smtp is not None
        real_send = smtp._smtp.send
        smtp._smtp.send = lambda data: (
            writes.append(data.encode() if isinstance(data, str) else bytes(data))
            or real_send(data)
        )
        for i, subscriber in enumerate(subscribers):
            following = subscribers[i + 1] if i + 1 < len(subscribers) else None
            smtp.send(MESSAGE, "a@x.example", subscriber, then=following)
    envelopes = [w for w in writes if b"RCPT TO:" in w]
    assert len(envelopes) == 5
    assert envelopes[0].startswith(b"MAIL FROM:")  # the first one alone
    assert all(w.startswith(b".\r\nMAIL FROM:") for w in envelopes[1:])  # the rest behind a dot
    found = dumps(dump_dir, 5)
    assert sorted(d.count(b"tweede regel") for d in found) == [1] * 5
    for subscriber in subscribers:
        assert sum(subscriber.encode() in d for d in found) == 1


def test_closing_with_an_offered_envelope_delivers_nothing_more(allow_smtp, dump_dir):
    with smtp_sink(allow_smtp, "-d", f"{dump_dir}/mail.") as port, connection(port) as smtp:
        smtp.send(MESSAGE, "a@x.example", "b0@x.example", then="b1@x.example")
    found = dumps(dump_dir, 1)
    assert len(found) == 1 and b"b0@x.example" in found[0]


def test_a_failing_ready_step_leaves_the_message_undelivered(allow_smtp, dump_dir):
    """`ready` runs before the final dot (a send settles the previous mark there): when it
    fails, the connection is dropped and the relay never accepts the message."""

    def database_gone() -> None:
        raise RuntimeError("de database is weg")

    with smtp_sink(allow_smtp, "-d", f"{dump_dir}/mail.") as port, connection(port) as smtp:
        with pytest.raises(RuntimeError):
            smtp.send(MESSAGE, "a@x.example", "weg@x.example", ready=database_gone)
        assert smtp._smtp is None  # dropped, not QUIT inside the data
        smtp.send(MESSAGE, "a@x.example", "wel@x.example")  # a new session works
    found = dumps(dump_dir, 1)
    assert len(found) == 1 and b"wel@x.example" in found[0]

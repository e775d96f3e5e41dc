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

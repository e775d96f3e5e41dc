"""A local SMTP server (aiosmtpd) that accepts every mail and keeps it.

`make run` saves each mail into instance/outbox/; the tests also read them from memory.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from newsletter.dev import outbox


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    at: float

    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SinkHandler:
    outbox_dir: Path | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  # tests: a slow relay, so a worker can be killed mid-send
    started: int = 0
    generation: int = 0  # clear() starts a new one; a slow mail from before it is not kept
    # tests: replies to RCPT TO for chosen addresses, used up one per attempt ("450 …", "550 …")
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    keep: bool = True  # False: only count per recipient (10,000-mail tests, benchmarks)
    counts: Counter[str] = field(default_factory=Counter)
    #: with `keep` False, the mails to the recipients this accepts are kept as well
    keep_for: Callable[[str], bool] | None = None

    async def handle_RCPT(
        self, server: object, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        with self.lock:
            replies = self.rcpt_replies.get(address.lower())
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.started += 1
            generation = self.generation
        if not self.keep:
            recipients = [str(r).lower() for r in envelope.rcpt_tos]
            with self.lock:
                self.counts.update(recipients)
            if self.keep_for is None or not any(map(self.keep_for, recipients)):
                return "250 Message accepted"
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content or b""
        item = Received(
            sender=str(envelope.mail_from),
            recipients=[str(r) for r in envelope.rcpt_tos],
            data=data,
            at=time.monotonic(),
        )
        if self.outbox_dir is not None:
            outbox.save(self.outbox_dir, data)
        with self.lock:
            if generation == self.generation:
                self.received.append(item)
        return "250 Message accepted"


#: where the kernel picks the local port of an outgoing connection (Linux's default)
EPHEMERAL_PORTS = (32768, 60999)


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return EPHEMERAL_PORTS[0]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody holds now, below the ephemeral range: a port from bind(0) goes back into
    that range, and an outgoing connection may take it before our server binds it (a test's
    redis-server once could not start for that)."""
    low = _ephemeral_low()
    chooser = random.SystemRandom()  # not the tests' seeded generator: every process differs
    for _ in range(50 if low > 11000 else 0):
        port = chooser.randrange(10000, low)
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpSink:
    """Start/stop wrapper: `sink = SmtpSink(port=0).start()`, then `sink.port`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8025,
        outbox_dir: Path | None = None,
        keep: bool = True,
        keep_for: Callable[[str], bool] | None = None,
    ):
        self.handler = SinkHandler(outbox_dir=outbox_dir, keep=keep, keep_for=keep_for)
        self.host = host
        self.port = port or free_port(host)
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        """Listen (again, after stop(): a relay that comes back on the same port)."""
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def clear(self) -> None:
        """Forget what arrived, the .eml files in the outbox included (tests start empty)."""
        with self.handler.lock:
            if self.handler.outbox_dir is not None and self.handler.outbox_dir.is_dir():
                for path in self.handler.outbox_dir.glob("*.eml"):
                    path.unlink(missing_ok=True)
            self.handler.received.clear()
            self.handler.started = 0
            self.handler.generation += 1
            self.handler.rcpt_replies.clear()
        self.handler.delay = 0.0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """At least `count` mails; TimeoutError (naming what arrived) after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.received
            if len(items) >= count:
                return items
            time.sleep(0.02)
        items = self.received
        if len(items) >= count:
            return items
        subjects = [str(item.message()["Subject"]) for item in items]
        raise TimeoutError(f"waited {timeout:g} s for {count} mail(s); {len(items)}: {subjects}")

    def settle(self, seconds: float) -> list[Received]:
        """What arrived after waiting `seconds`: for tests that a mail does NOT come."""
        time.sleep(seconds)
        return self.received

"""Real `dramatiq workers` processes, a counting SMTP sink and READERS readers (4,000 in CI;
`ACCEPTANCE_READERS=10000` for the size the delivery issues named), for the exactly-once
tests. The fleet uses its own Redis database, so the test process's own worker never touches
its messages."""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from sqlalchemy import String, cast, func, insert, literal, select

from newsletter.database import utcnow
from newsletter.dev.sink import SmtpSink
from newsletter.editions import services as editions
from newsletter.editions.models import Edition, EditionState
from newsletter.settings import PROJECT_ROOT
from tests.factories import SOURCE
from tests.helpers import wait_until as _wait_until

READERS = int(os.environ.get("ACCEPTANCE_READERS", "4000"))
#: a point well inside a send: the faults are injected once this many mails went out
MID_SEND = READERS // 5


def _fleet_redis() -> str:
    """Nine databases away from the test run's own Redis database (15 → 6), clear of the
    parallel part's (14, 13, … one per pytest-xdist worker, tests/parallel.py), which runs at
    the same time."""
    url = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    base = int(url.path.lstrip("/") or 0)
    return urlunsplit(url._replace(path=f"/{base - 9 if base >= 9 else base + 9}"))


FLEET_REDIS = os.environ.get("TEST_FLEET_REDIS_URL") or _fleet_redis()


class Fleet:
    def __init__(
        self,
        log_dir: Path,
        redis_url: str = FLEET_REDIS,
        keep: bool = False,
        keep_for: Callable[[str], bool] | None = None,
        **settings: str,
    ) -> None:
        """`redis_url`: the test app's own Redis, for a fleet that serves its web requests;
        `keep`: the sink keeps each mail (not only a count per address); `keep_for`: only the
        mails to the addresses it accepts."""
        self.sink = SmtpSink(port=0, keep=keep, keep_for=keep_for).start()
        self.env = (
            dict(os.environ)
            | {
                "REDIS_URL": redis_url,
                "SMTP_URL": f"smtp://127.0.0.1:{self.sink.port}",
                "BATCH_SIZE": "250",
                "SMTP_MAX_CONNECTIONS": "4",
                "SEND_RATE": "0",
                "LEASE_SECONDS": "10",
                "RECONCILE_SECONDS": "2",
                "RETRY_BASE_SECONDS": "1",
            }
            | settings
        )
        self.redis = redis.Redis.from_url(redis_url)
        self.redis.flushdb()
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.others: list[subprocess.Popen[bytes]] = []
        self.starts = 0

    def _spawn(
        self, prefix: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        self.starts += 1
        log = open(self.log_dir / f"workers-{self.starts}.log", "wb")  # noqa: SIM115
        with log:
            return subprocess.Popen(
                [*prefix, sys.executable, "-m", "dramatiq", "workers", "-p", "2", "-t", "4"],
                cwd=PROJECT_ROOT,
                env=self.env | (env or {}),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self) -> None:
        self.process = self._spawn()

    def start_beside(self, *prefix: str, **env: str) -> None:
        """Another `dramatiq workers`, run under `prefix` (another machine: `faketime +30s`),
        with `env` added to the fleet's (its own INSTANCE_PATH: a disk of its own)."""
        self.others.append(self._spawn(prefix, env))

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def kill_one_worker(self) -> None:
        """SIGKILL one worker process; Dramatiq then stops the others, and we start anew
        (as systemd's Restart=always would)."""
        pids = self.worker_pids()
        os.kill(random.choice(pids), signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=60)
        self.start()

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def stop(self) -> None:
        for process in (self.process, *self.others):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:  # the test is over: a worker still shutting down after 5 s is killed
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.sink.stop()
        self.redis.flushdb()
        self.redis.close()

    def counts(self) -> Counter[str]:
        with self.sink.handler.lock:
            return Counter(self.sink.handler.counts)


def seed_subscribers(db, count: int) -> list[str]:
    """`count` confirmed readers in one INSERT … SELECT over generate_series (PostgreSQL): the
    rows are made by the database, not sent one by one; returns their addresses."""
    from newsletter.subscribers.models import Role, Subscriber, SubscriberState

    table = Subscriber.__table__
    tag = secrets.token_hex(3)
    i = func.generate_series(0, count - 1).column_valued("i")
    address = literal("lezer", String()) + cast(i, String()) + f".{tag}@gemeente.example"
    at = literal(utcnow() - timedelta(hours=1), table.c.confirmed_at.type)
    rows = select(
        func.md5(literal(f"{tag}p") + cast(i, String())),
        address,
        address,
        literal("Lezer ", String()) + cast(i, String()),
        literal(Role.raadslid, table.c.role.type),
        literal(SubscriberState.active, table.c.state.type),
        func.md5(literal(f"{tag}n") + cast(i, String())),
        at,
        at,
        at,
    )
    columns = ["public_id", "email", "email_key", "name", "role", "state", "confirm_nonce"]
    columns += ["created_at", "updated_at", "confirmed_at"]
    db.session.execute(insert(table).from_select(columns, rows))
    db.session.commit()
    return [f"lezer{n}.{tag}@gemeente.example" for n in range(count)]


def sent_count(db, edition_id: int) -> int:
    from newsletter.delivery.models import Delivery, DeliveryState

    n = db.session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.edition_id == edition_id, Delivery.state == DeliveryState.sent
        )
    )
    db.session.commit()
    return n or 0


def wait_until(predicate, timeout: float, step: float = 0.2, what: str = "the fleet") -> bool:
    """True once `predicate()` holds; fails the test after `timeout` s."""
    _wait_until(predicate, timeout, what, step)
    return True


def publish(fleet: Fleet, db, editor, subscribers: int = READERS) -> tuple[int, list[str]]:
    addresses = seed_subscribers(db, subscribers)
    edition, _ = editions.create(SOURCE, editor.id)
    fleet.start()
    out = fleet.flask("delivery", "publish", str(edition.id))
    assert f"naar {subscribers} lezers" in out
    return edition.id, addresses


def finish(fleet: Fleet, db, edition_id: int, addresses: list[str], bound: int) -> None:
    def done() -> bool:
        db.session.expire_all()
        state = db.session.get(Edition, edition_id).state
        db.session.commit()
        return state == EditionState.sent

    deadline = time.monotonic() + 300
    while not done():
        if time.monotonic() > deadline:  # say where the send stood, not only that it did not end
            status = fleet.flask("delivery", "status", str(edition_id))
            raise AssertionError(f"edition {edition_id} not sent within 300 s:\n{status}")
        time.sleep(1)
    time.sleep(1)
    counts = fleet.counts()
    lost = [a for a in addresses if counts[a] == 0]
    duplicates = sum(counts[a] - 1 for a in addresses if counts[a] > 1)
    print(f"\n{len(addresses)} readers: lost {len(lost)}, duplicates {duplicates} (bound {bound})")
    assert not lost
    assert duplicates <= bound
    assert sum(counts.values()) == len(addresses) + duplicates  # no mail to anyone else

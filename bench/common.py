"""What the benchmarks share: a clean PostgreSQL database, its migrations, worker processes."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    exists = subprocess.run(
        [
            "psql",
            "-h",
            parts.hostname or "127.0.0.1",
            "-U",
            parts.username or "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",  # noqa: S608 - our own name
            "postgres",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [
                "createdb",
                "-h",
                parts.hostname or "127.0.0.1",
                "-U",
                parts.username or "postgres",
                name,
            ],
            check=True,
        )
    subprocess.run(
        [
            "psql",
            "-h",
            parts.hostname or "127.0.0.1",
            "-U",
            parts.username or "postgres",
            "-q",
            "-c",
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
            name,
        ],
        check=True,
        capture_output=True,
    )


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def start_workers(
    env: dict[str, str], processes: int, threads: int, log: IO[Any], *, own_group: bool = False
) -> subprocess.Popen[bytes]:
    """`dramatiq workers`; own_group lets the caller signal the whole group at once."""
    return subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers", "-p", str(processes), "-t", str(threads)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=own_group,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Client(threading.local):
    """One keep-alive connection per thread to the server under test on 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body; a connection the server closed is opened once more."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                return response.status, dict(response.getheaders()), data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

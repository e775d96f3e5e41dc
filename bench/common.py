"""What the benchmarks share: a clean PostgreSQL database, its migrations, worker processes."""

from __future__ import annotations

import subprocess
import sys
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

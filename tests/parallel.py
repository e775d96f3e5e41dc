"""pytest-xdist: every worker process gets a PostgreSQL database and a Redis database of its
own, so tests in parallel never see each other's rows, queues or limits
(docs/testing.md#in-parallel)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def _index(worker: str) -> int:
    return int(worker.removeprefix("gw"))


def own_database(url: str, worker: str) -> str:
    """`…/test` → `…/test_gw1`, made on first use (the schema is made by the migrations)."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def own_redis_database(url: str, worker: str) -> str:
    """`redis://host/15` → database 14 for gw1, 13 for gw2 … (16 databases: up to 8 workers
    beside the serial run's 15)."""
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    number = base - 1 - _index(worker) if base >= 8 else base + 1 + _index(worker)
    return urlunsplit(parts._replace(path=f"/{number}"))

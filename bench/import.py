"""CSV import: rows per second and peak memory for 10,000 and 100,000 rows.

    .venv/bin/python bench/import.py [--rows 100000] [--small 10000]

Each size runs in a fresh child process (so its peak RSS is its own) against PostgreSQL
(BENCH_DATABASE_URL, default database ravijn_bench, schema rebuilt). Half the rows carry proof of
consent, half get a re-permission mail (queued, not sent: Redis db 14 is flushed). Baseline in
the same run: reading the same file with the csv module and nothing else.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import ensure_database, migrate  # noqa: E402

ROLES = ["burgemeester", "wethouder", "raadslid", "griffier"]
PLACES = ["Utrecht", "GM0363", "Súdwest-Fryslân", "den haag", "Arnhem", "Groningen"]


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            ["naam", "e-mailadres", "gemeente", "functie", "toestemming_datum", "toestemming_bron"]
        )
        for i in range(rows):
            proof = ("2025-06-01", "VNG-congres") if i % 2 else ("", "")
            writer.writerow(
                [
                    f"Lezer {i}",
                    f"lezer{i}@import.example",
                    PLACES[i % len(PLACES)],
                    ROLES[i % len(ROLES)],
                    *proof,
                ]
            )


def _run(path: str, env: dict[str, str], conn) -> None:
    os.environ.update(env)
    from sqlalchemy import text

    from newsletter import create_app
    from newsletter.auth.audit import CLI
    from newsletter.extensions import db
    from newsletter.subscribers.imports import checks, transaction

    app = create_app()
    with app.app_context():
        db.session.execute(
            text("TRUNCATE delivery, consent_event, subscriber, audit_event CASCADE")
        )
        db.session.commit()
        started = time.perf_counter()
        checked = checks.check(Path(path))
        result = transaction.apply(Path(path), checked.encoding, CLI, name=Path(path).name)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((checked.rows, seconds, peak, result.active + result.repermission))


def baseline(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle, delimiter=";"):
            pass
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    if min(args.rows, args.small) < 1:
        parser.error("row counts must be positive")
    database = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ravijn_bench"
    )
    ensure_database(database)
    tmp = Path(tempfile.mkdtemp(prefix="ravijn-bench-import-"))
    env = {
        "NEWSLETTER_ENV": "development",
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "PYTHONWARNINGS": "ignore",
    }
    migrate(dict(os.environ) | env)
    import redis

    for size in sorted({args.small, args.rows}):
        path = tmp / f"lezers-{size}.csv"
        write_file(path, size)
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.get_context("spawn").Process(
            target=_run, args=(str(path), env, child)
        )
        process.start()
        rows, seconds, peak, made = parent.recv()
        process.join()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        raw = baseline(path)
        print(
            f"{rows:>7} rows ({path.stat().st_size / 1e6:.1f} MB): {rows / seconds:,.0f} rows/s "
            f"({seconds:.1f} s, {made} readers made), peak RSS {peak:.0f} MiB; "
            f"baseline csv.reader {rows / raw:,.0f} rows/s, ratio {raw / seconds:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

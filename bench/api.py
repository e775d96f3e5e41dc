"""The JSON API under load: listing every reader page by page, and creating readers, against
gunicorn as production runs it, each set against a plain baseline in the same run.

    .venv/bin/python bench/api.py [--readers 100000] [--create 2000] [--concurrency 4]
                                  [--web-workers 4] [--database URL|sqlite]

Seeds N readers with one bulk insert per 5,000 (as bench/delivery.py does; spread over the 342
municipalities and the roles), makes API keys with every scope, starts gunicorn (the
production command of docs/operations.md#production, NEWSLETTER_ENV=production) and
measures with `--concurrency` client threads, each on its own keep-alive connection:

- baseline: GET /healthz, the app's plainest answer (same client, same threads, same headers);
- (a) GET /api/v1/readers?limit=500&cursor=… until next_cursor is null: every thread walks the
  whole list, as a system that syncs all readers does, and each walk must see N distinct
  readers;
- (b) POST /api/v1/readers with a new address each time, if the API document served at run
  time has that operation (else it says so and skips it); the body follows the document's own
  example and its schema.

Each prints requests/s and p50/p99 latency, and its ratio to the baseline. The API allows 600
calls a minute per key, so the calls are spread over enough keys that the limit never counts.

The database is made for the run and dropped after it (default: PostgreSQL database
ravijn_bench_api on this machine; `--database sqlite` uses a temporary file; an existing
database is reused with its schema rebuilt and not dropped). Redis: BENCH_REDIS_URL, default
database 12, flushed before and after.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Client, ensure_database, migrate, percentile  # noqa: E402

from newsletter.dev.sink import free_port  # noqa: E402

PAGE = 500
CALLS_PER_KEY = 500  # below the API's 600 per minute per key, whatever the run's speed
#: the body of the brief, used when the document has no example of its own
FALLBACK_BODY = {
    "email": "lezer@gemeente.example",
    "name": "Lezer",
    "gemeente_code": "GM0363",
    "role": "wethouder",
    "consent": {"date": "2026-11-01", "source": "CRM"},
}


class Keys:
    """API keys handed out round-robin, none used more than CALLS_PER_KEY times in a run."""

    def __init__(self, secrets_: list[str]) -> None:
        self._cycle = itertools.cycle(secrets_)
        self._lock = threading.Lock()

    def header(self) -> dict[str, str]:
        with self._lock:
            return {"Authorization": f"Bearer {next(self._cycle)}"}


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)  # ms, one per request
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, client: Client, method: str, path: str, **kw) -> tuple[int, bytes]:
        started = time.perf_counter()
        status, _, body = client.request(method, path, **kw)
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies.append(elapsed)
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, body

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, baseline: Phase | None = None, extra: str = "") -> str:
        p50, p99 = percentile(self.latencies, 50), percentile(self.latencies, 99)
        text = (
            f"{self.name:<34} {len(self.latencies):>6} requests in {self.seconds:6.1f} s = "
            f"{self.rate:7.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )
        if baseline is not None:
            text += (
                f"\n{'':<34} ratio to baseline: req/s {self.rate / baseline.rate:.3f}x, "
                f"p50 {p50 / percentile(baseline.latencies, 50):.1f}x, "
                f"p99 {p99 / percentile(baseline.latencies, 99):.1f}x"
            )
        return text + extra


def run_threads(concurrency: int, jobs: list, work) -> float:
    """Run `work(job)` for every job on `concurrency` threads (closed loop); wall seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in pool.map(work, jobs):
            pass
    return time.perf_counter() - started


def prepare_database(choice: str, tmp: Path) -> tuple[str, list[list[str]]]:
    """The database URL, and the commands that remove what this run made."""
    if choice == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}", []
    parts = urllib.parse.urlsplit(choice)
    name = parts.path.lstrip("/")
    server = ["-h", parts.hostname or "127.0.0.1", "-U", parts.username or "postgres"]
    query = f"SELECT 1 FROM pg_database WHERE datname='{name}'"  # noqa: S608 - our own name
    exists = subprocess.run(
        ["psql", *server, "-tAc", query, "postgres"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ensure_database(choice)  # creates it if missing, rebuilds its schema
    return choice, ([] if exists == "1" else [["dropdb", *server, name]])


def seed(app, count: int) -> float:
    """N active readers, one bulk insert per 5,000 (the path bench/delivery.py takes)."""
    from sqlalchemy import insert, select

    from newsletter.database import utcnow
    from newsletter.extensions import db
    from newsletter.reference.models import Gemeente
    from newsletter.subscribers.models import Role, Subscriber, SubscriberState

    started = time.perf_counter()
    with app.app_context():
        codes = list(db.session.scalars(select(Gemeente.code)))
        roles = list(Role)
        confirmed = utcnow() - timedelta(days=1)
        for start in range(0, count, 5000):
            rows = [
                {
                    "email": f"lezer{i}@bench.example",
                    "email_key": f"lezer{i}@bench.example",
                    "name": f"Lezer {i}",
                    "gemeente_code": codes[i % len(codes)],
                    "role": roles[i % len(roles)],
                    "state": SubscriberState.active,
                    "confirmed_at": confirmed,
                }
                for i in range(start, min(count, start + 5000))
            ]
            db.session.execute(insert(Subscriber), rows)
            db.session.commit()
    return time.perf_counter() - started


def make_keys(app, calls: int) -> list[str]:
    from newsletter.api import keys
    from newsletter.auth.audit import CLI

    with app.app_context():
        return [
            keys.create(f"Bench {n}", sorted(keys.SCOPES), 1, CLI).secret
            for n in range(calls // CALLS_PER_KEY + 1)
        ]


def reader_body(document: dict) -> tuple[dict | None, str]:
    """A body for POST /readers from the document served now, or None and why not."""
    operation = document.get("paths", {}).get("/readers", {}).get("post")
    if operation is None:
        return None, "POST /readers is not in the API document yet: creation not measured"
    media = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = media.get("schema", {})
    examples = [e.get("value") for e in media.get("examples", {}).values()]
    example = media.get("example") or next((e for e in examples if isinstance(e, dict)), None)
    body = copy.deepcopy(example if isinstance(example, dict) else FALLBACK_BODY)
    known = schema.get("properties")
    if known:
        body = {k: v for k, v in body.items() if k in known}
    if isinstance(body.get("consent"), dict) and "date" in body["consent"]:
        # proof of consent may not lie in the future; a month ago always fits
        body["consent"]["date"] = (date.today() - timedelta(days=30)).isoformat()
    missing = sorted(set(schema.get("required", [])) - set(body))
    if missing or "email" not in body:
        return None, f"cannot make a POST /readers body: no value for {missing or ['email']}"
    import jsonschema  # a dev dependency, as the benchmarks' others are

    try:
        # the body's schema names the document's components (#/components/schemas/…)
        jsonschema.validate(body, schema | {"components": document.get("components", {})})
    except jsonschema.ValidationError as exc:
        return None, f"the POST /readers body does not fit the document: {exc.message}"
    return body, "body from the document's example" if example else "body from the brief"


def web_env(tmp: Path, database: str, redis_url: str) -> dict[str, str]:
    """The web nodes' settings, as production has them. No worker runs: mail a request causes
    stays queued in Redis, and its relay address answers nothing."""
    return dict(os.environ) | {
        "NEWSLETTER_ENV": "production",
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "MAIL_FROM": "OVER het ravijn <nieuwsbrief@bench.example>",
        "BASE_URL": "https://ravijn.bench.example",
        "SECRET_KEYS": secrets.token_urlsafe(32),
        "SUPPRESSION_KEY": secrets.token_urlsafe(32),
        "PYTHONWARNINGS": "ignore",
    }


def start_gunicorn(env: dict[str, str], port: int, workers: int, log) -> subprocess.Popen:
    """The production command of docs/operations.md#production (it writes no access log)."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *("--workers", str(workers), "--threads", "4", "--worker-class", "gthread"),
            *("--bind", f"127.0.0.1:{port}"),
            *("--logger-class", "newsletter.accesslog.MaskedLogger", "wsgi:app"),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100_000, help="readers to seed (N)")
    parser.add_argument("--create", type=int, default=2000, help="POST /readers requests")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--baseline",
        type=int,
        default=0,
        help="GET /healthz requests (default: as many as (a), at least 2,000)",
    )
    parser.add_argument(
        "--database",
        default="postgresql://postgres@127.0.0.1:5432/ravijn_bench_api",
        help="a PostgreSQL URL (made and dropped if missing) or 'sqlite' (a temporary file)",
    )
    args = parser.parse_args()
    if min(args.readers, args.concurrency, args.web_workers) < 1 or args.create < 0:
        parser.error("readers, concurrency and web-workers must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="ravijn-bench-api-"))
    database, cleanup = prepare_database(args.database, tmp)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    import redis

    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    port = free_port()
    env = web_env(tmp, database, redis_url)
    web = app = None
    try:
        migrate(env)
        from newsletter import create_app
        from newsletter.settings import from_env

        app = create_app(from_env(env))
        seeded = seed(app, args.readers)
        walks = args.concurrency
        pages = walks * (args.readers // PAGE + 1)
        baseline_n = args.baseline or max(2000, pages)
        keys = Keys(make_keys(app, pages + args.create))
        log = (tmp / "gunicorn.log").open("wb")
        web = start_gunicorn(env, port, args.web_workers, log)
        client = Client(port)
        for _ in range(300):
            try:
                if client.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn did not answer; see {tmp / 'gunicorn.log'}")
        status, _, raw = client.request("GET", "/api/v1/openapi.json")
        document = json.loads(raw) if status == 200 else {}
        print(
            f"api bench: {args.readers} readers seeded in {seeded:.1f} s (bulk insert); "
            f"{'SQLite' if database.startswith('sqlite') else 'PostgreSQL'}; gunicorn "
            f"{args.web_workers} workers x 4 threads (gthread), NEWSLETTER_ENV=production; "
            f"{args.concurrency} client threads with keep-alive",
            flush=True,
        )
        # warm every gunicorn worker (imports, connection pools) before anything is timed
        run_threads(args.concurrency, range(200), lambda _: client.request("GET", "/healthz"))

        baseline = Phase("baseline GET /healthz")
        baseline.seconds = run_threads(
            args.concurrency,
            range(baseline_n),
            lambda _: baseline.timed(client, "GET", "/healthz", headers=keys.header()),
        )
        print(baseline.line(), flush=True)

        listing = Phase(f"(a) GET /api/v1/readers?limit={PAGE}")
        seen: list[int] = []

        def walk(_: int) -> None:
            ids: set[str] = set()
            cursor: str | None = ""
            while cursor is not None:
                path = f"/api/v1/readers?limit={PAGE}" + (
                    f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""
                )
                status, raw = listing.timed(client, "GET", path, headers=keys.header())
                if status != 200:
                    raise SystemExit(f"GET {path} answered {status}: {raw[:300]!r}")
                page = json.loads(raw)
                ids.update(r["id"] for r in page["readers"])
                cursor = page["next_cursor"]
            seen.append(len(ids))

        listing.seconds = run_threads(args.concurrency, range(walks), walk)
        counted = "all" if all(n == args.readers for n in seen) else "NOT all"
        print(
            listing.line(
                baseline,
                f"\n{'':<34} {walks} walks, each saw {sorted(set(seen))} distinct readers of "
                f"{args.readers} ({counted}); "
                f"{args.readers * walks / listing.seconds:,.0f} readers/s listed",
            ),
            flush=True,
        )

        body, why = reader_body(document)
        if body is None or args.create == 0:
            print(f"(b) POST /api/v1/readers: {why if body is None else 'skipped (--create 0)'}")
        else:
            creating = Phase("(b) POST /api/v1/readers")
            tag = secrets.token_hex(3)

            def create(i: int) -> None:
                made = body | {"email": f"nieuw{i}.{tag}@bench.example"}
                if "name" in made:
                    made["name"] = f"Nieuwe lezer {i}"
                creating.timed(
                    client,
                    "POST",
                    "/api/v1/readers",
                    body=json.dumps(made).encode(),
                    headers=keys.header() | {"Content-Type": "application/json"},
                )

            creating.seconds = run_threads(args.concurrency, range(args.create), create)
            print(creating.line(baseline, f"\n{'':<34} {why}"), flush=True)
        if sorted(seen) != [args.readers] * walks:
            return 1
        return 0
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            try:
                web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(web.pid, signal.SIGKILL)
                web.wait()
        broker.flushdb()
        if app is not None:
            from newsletter.extensions import db

            with app.app_context():
                db.engine.dispose()  # dropdb refuses while our own connections are open
        for command in cleanup:
            subprocess.run(command, check=False, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Sign-up under load: gunicorn + Dramatiq workers + PostgreSQL + Redis + an SMTP sink.

Sends sign-up POSTs at a fixed rate (open loop: each request leaves at its scheduled time,
so a slow server cannot slow the load down), measures their latency, and the time from each
POST to its confirmation mail at the sink. In the same run it measures a baseline: a plain page
(GET of the "check your inbox" page) at the same rate, so the ratio says what sign-up costs.

    .venv/bin/python bench/signup.py [--rate 100] [--seconds 10] [--rounds 3] [--web-workers 4]

The sign-up phase runs `--rounds` times against the same processes (fresh addresses each
round); each round prints its figures, and the last lines give min/median/max over the rounds.

Needs the machine's PostgreSQL (BENCH_DATABASE_URL, default: database ravijn_bench, made if
missing) and Redis (BENCH_REDIS_URL, default db 14, flushed).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Client, ensure_database, migrate, percentile, start_workers  # noqa: E402

from newsletter.dev.sink import SmtpSink, free_port  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]*)"')


def prepare_forms(client: Client, count: int, round_no: int = 0) -> list[dict[str, str]]:
    forms = []
    for n in range(count):
        i = f"{round_no}-{n}"
        status, headers, raw = client.request("GET", "/aanmelden")
        assert status == 200, status
        html = raw.decode()
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        body = urllib.parse.urlencode(
            {
                "csrf_token": CSRF.search(html).group(1),
                "started": STARTED.search(html).group(1),
                "name": f"Lezer {i}",
                "email": f"lezer{i}@bench.example",
                "gemeente": "Utrecht",
                "role": "raadslid",
                "consent": "y",
                "website": "",
            }
        )
        forms.append({"cookie": cookie, "body": body, "email": f"lezer{i}@bench.example"})
    return forms


def open_loop(rate: float, jobs: list, send) -> list[tuple[float, float, int]]:
    """Fire job i at start + i/rate; returns (scheduled, latency, status) per job."""
    start = time.perf_counter() + 0.2
    results: list[tuple[float, float, int]] = [None] * len(jobs)  # type: ignore[list-item]

    def run(i: int) -> None:
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        status = send(jobs[i])
        results[i] = (
            time.time() - (time.perf_counter() - sent),
            time.perf_counter() - sent,
            status,
        )

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(run, range(len(jobs))))
    return results


def _sink_process(port: int, conn) -> None:
    """The SMTP sink in its own process, so the load generator's threads do not slow it."""
    sink = SmtpSink(port=port).start()
    conn.send("ready")
    while conn.recv() == "report":
        wall_now, mono_now = time.time(), time.monotonic()
        conn.send([(r.recipients[0], wall_now - (mono_now - r.at)) for r in sink.received])
    sink.stop()


def sign_up_round(
    client: Client, sink_conn, rate: float, count: int, round_no: int, base_lat: list[float]
) -> tuple[float, int]:
    """One sign-up phase; prints its figures, returns (p99 ms, confirmations within 2 s)."""
    forms = prepare_forms(client, count, round_no)
    time.sleep(2.1)  # the time-trap: a form younger than 2 s is dropped quietly

    def post(form: dict[str, str]) -> int:
        return client.request(
            "POST",
            "/aanmelden",
            body=form["body"],
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": form["cookie"],
            },
        )[0]

    results = open_loop(rate, forms, post)
    sent_at = {form["email"]: r[0] for form, r in zip(forms, results, strict=True)}
    time.sleep(5)  # let the last mails arrive
    sink_conn.send("report")
    to_sink = [at - sent_at[rcpt] for rcpt, at in sink_conn.recv() if rcpt in sent_at]
    statuses = [r[2] for r in results]
    lat = [r[1] * 1000 for r in results]
    achieved = count / (max(r[0] for r in results) - min(r[0] for r in results) or 1)
    within = sum(1 for t in to_sink if t <= 2.0)
    print(
        f"round {round_no}: sign-up POST p50 {percentile(lat, 50):6.1f} ms  "
        f"p99 {percentile(lat, 99):6.1f} ms  max {max(lat):6.1f} ms  ({achieved:.0f} req/s "
        f"sent, {statuses.count(303)}/{count} answered 303); ratio to baseline p50 "
        f"{percentile(lat, 50) / percentile(base_lat, 50):.2f}x p99 "
        f"{percentile(lat, 99) / percentile(base_lat, 99):.2f}x"
    )
    if to_sink:
        print(
            f"round {round_no}: confirmation at sink {len(to_sink)}/{count}, "
            f"p50 {statistics.median(to_sink) * 1000:.0f} ms, "
            f"p99 {percentile(to_sink, 99) * 1000:.0f} ms, max {max(to_sink) * 1000:.0f} ms, "
            f"within 2 s: {within}/{count}",
            flush=True,
        )
    else:
        print(f"round {round_no}: no confirmation arrived", flush=True)
    return percentile(lat, 99), within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="sign-up phases, one after another")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--workers", type=int, default=1, help="Dramatiq worker processes")
    parser.add_argument(
        "--worker-threads", type=int, default=4, help="threads per Dramatiq process"
    )
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0 or min(args.web_workers, args.workers) < 1:
        parser.error("rate, seconds and web-workers must be positive")

    database = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ravijn_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    ensure_database(database)
    import redis

    redis.Redis.from_url(redis_url).flushdb()

    tmp = Path(tempfile.mkdtemp(prefix="ravijn-bench-"))
    import multiprocessing

    sink_port = free_port()
    sink_conn, child_conn = multiprocessing.Pipe()
    sink = multiprocessing.Process(target=_sink_process, args=(sink_port, child_conn), daemon=True)
    sink.start()
    assert sink_conn.recv() == "ready"
    port = free_port()
    env = dict(os.environ) | {
        "NEWSLETTER_ENV": "development",
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SMTP_URL": f"smtp://127.0.0.1:{sink_port}",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SIGNUP_RATE_LIMIT": "1000000 per minute",
        "SIGNUP_ADDRESS_LIMIT": "1000000 per hour",
        "PYTHONWARNINGS": "ignore",
    }
    bin_dir = Path(sys.executable).parent
    migrate(env)
    log = (tmp / "processes.log").open("w")
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--workers",
            str(args.web_workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    worker = start_workers(env, args.workers, args.worker_threads, log)
    try:
        client = Client(port)
        for _ in range(100):
            try:
                if client.request("GET", "/aanmelden")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)  # the worker boots too
        count = int(args.rate * args.seconds)
        print(
            f"sign-up bench: {count} requests per phase at {args.rate:.0f}/s, "
            f"gunicorn {args.web_workers} workers x 4 threads, Dramatiq {args.workers} x "
            f"{args.worker_threads} threads",
            flush=True,
        )

        baseline = open_loop(
            args.rate,
            list(range(count)),
            lambda _: client.request("GET", "/aanmelden/controleer-je-inbox")[0],
        )
        base_lat = [r[1] * 1000 for r in baseline]
        print(
            f"baseline GET   p50 {percentile(base_lat, 50):6.1f} ms  "
            f"p99 {percentile(base_lat, 99):6.1f} ms  max {max(base_lat):6.1f} ms"
        )
        rounds = [
            sign_up_round(client, sink_conn, args.rate, count, n, base_lat)
            for n in range(1, args.rounds + 1)
        ]
        p99s = sorted(r[0] for r in rounds)
        withins = sorted(r[1] for r in rounds)
        print(
            f"over {len(rounds)} rounds: sign-up p99 min {p99s[0]:.1f} / median "
            f"{statistics.median(p99s):.1f} / max {p99s[-1]:.1f} ms; confirmations within 2 s "
            f"min {withins[0]} / median {statistics.median(withins):.0f} / max {withins[-1]} "
            f"of {count}"
        )
        target_ok = statistics.median(p99s) < 50 and statistics.median(withins) == count
        print(
            f"target (median round: p99 < 50 ms at {args.rate:.0f}/s, every mail within 2 s): "
            f"{'met' if target_ok else 'NOT met'}"
        )
        return 0
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        sink_conn.send("stop")
        sink.join(timeout=10)


if __name__ == "__main__":
    sys.exit(main())

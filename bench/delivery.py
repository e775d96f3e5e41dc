"""Delivery throughput: publish an edition to N readers and time it against postfix's own
SMTP load generator into the same sink.

    .venv/bin/python bench/delivery.py [--readers 100000] [--small 10000] [--runs 3]

Every mail is DKIM-signed with a fresh 2048-bit RSA key, as in production (bench/signing.py);
first it prints the CPU milliseconds per signature of dkimpy (the signer before) and of ours, in
this process, on the edition's message.
For each size (the small one, then N), `--runs` times, it seeds N confirmed readers in
PostgreSQL, starts real `dramatiq workers` processes, publishes, and reports: end-to-end
messages/s (publish to last 250), time from publish to the first accepted mail, fan-out
(snapshot) time, and the peak RSS of the worker processes. Right after each run `smtp-source`
sends messages of the same size (signature included) over the same number of connections into
the same sink: that raw rate is the run's baseline, and the ratio says how much of the relay's
speed the service uses; min/median/max of the ratios close each size. Once more at N readers
without DKIM: the unsigned rate, and signed/unsigned (medians of the signed runs).

Then once more at N readers, signed, under the production layout
(docs/operations.md#production): gunicorn, a transactional pool (1 process x 4 threads), a bulk
pool (4 processes x 1 thread), `flask delivery publish ID` as a command,
timed from the command's start until the edition's state is "sent" ("Verzonden"), against the
time smtp-source needs for N messages. The sink is postfix's `smtp-sink` when installed (Debian
package postfix), else aiosmtpd in its own process.

Needs the machine's PostgreSQL (BENCH_DATABASE_URL, default database ravijn_bench, made if
missing, its schema dropped) and Redis (BENCH_REDIS_URL, default db 14, flushed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import signing  # noqa: E402
from common import ensure_database, migrate, start_workers  # noqa: E402

from newsletter.dev.sink import SmtpSink, free_port  # noqa: E402

SOURCE = (ROOT / "tests" / "fixtures" / "edition-jeugdzorg.md").read_text()


def _aiosmtpd_sink(port: int, conn) -> None:
    sink = SmtpSink(port=port, keep=False).start()
    conn.send("ready")
    conn.recv()
    sink.stop()


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self.postfix = shutil.which("smtp-sink") or (
            "/usr/sbin/smtp-sink" if Path("/usr/sbin/smtp-sink").exists() else None
        )
        if self.postfix:
            self.proc = subprocess.Popen(
                [self.postfix, "-u", "nobody", f"127.0.0.1:{self.port}", "1024"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            self.name = "postfix smtp-sink"
        else:
            self.conn, child = multiprocessing.Pipe()
            self.proc = multiprocessing.Process(
                target=_aiosmtpd_sink, args=(self.port, child), daemon=True
            )
            self.proc.start()
            assert self.conn.recv() == "ready"
            self.name = "aiosmtpd (postfix not installed)"

    def stop(self) -> None:
        if self.postfix:
            self.proc.terminate()
            self.proc.wait()
        else:
            self.conn.send("stop")
            self.proc.join(5)


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_jiffies() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot, from /proc/stat (idle and iowait are
    not busy; steal is, as the time is gone from us)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def seed(app, count: int) -> None:
    from sqlalchemy import insert, text

    from newsletter.database import utcnow
    from newsletter.extensions import db
    from newsletter.subscribers.models import Role, Subscriber, SubscriberState

    with app.app_context():
        db.session.execute(text("TRUNCATE delivery, consent_event, subscriber, edition CASCADE"))
        db.session.commit()
        confirmed = utcnow() - timedelta(hours=1)
        for start in range(0, count, 5000):
            rows = [
                {
                    "email": f"lezer{i}@bench.example",
                    "email_key": f"lezer{i}@bench.example",
                    "name": f"Lezer {i}",
                    "role": Role.raadslid,
                    "state": SubscriberState.active,
                    "confirmed_at": confirmed,
                }
                for i in range(start, min(count, start + 5000))
            ]
            db.session.execute(insert(Subscriber), rows)
            db.session.commit()


def message_size(app, edition_id: int) -> int:
    from newsletter.delivery.prepared import PreparedEdition
    from newsletter.editions import services as editions
    from newsletter.mail.dkim import signed

    with app.app_context():
        settings = app.config["SETTINGS"]
        prepared = PreparedEdition(
            edition_id,
            editions.render(editions.get(edition_id)),
            mail_from=settings.mail_from,
            list_id=settings.list_id,
        )
        return len(signed(sample(prepared), settings))  # unsigned when DKIM is off


def sample(prepared) -> bytes:
    from newsletter.delivery.prepared import Recipient

    return prepared.bytes_for(Recipient(1, "lezer1@bench.example", "Lezer 1", "x" * 22))


def run_once(app, env: dict[str, str], readers: int, args, tmp: Path) -> dict[str, float]:
    import redis
    from sqlalchemy import func, select

    from newsletter.delivery import control
    from newsletter.delivery.models import Delivery
    from newsletter.editions import services as editions
    from newsletter.editions.models import Edition, EditionState
    from newsletter.extensions import db

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    seed(app, readers)
    with app.app_context():
        edition_id = editions.create(SOURCE)[0].id
    size = message_size(app, edition_id)
    log_path = tmp / f"workers-{readers}.log"
    with log_path.open("wb") as log:
        workers = start_workers(env, args.processes, args.threads, log, own_group=True)
    deadline = time.monotonic() + 60
    while log_path.read_text().count("ready for action") < args.processes:
        if time.monotonic() > deadline or workers.poll() is not None:
            raise SystemExit(f"workers did not start; see {log_path}")
        time.sleep(0.1)
    peak_rss, fan_out_at = 0, None
    pids = children(workers.pid)  # once: `ps` four times a second would cost the run a core's 2 %
    with app.app_context():
        control.publish(edition_id)
        published = time.monotonic()
        jiffies = machine_jiffies()
        while True:
            peak_rss = max(peak_rss, sum(rss_kib(p) for p in pids))
            edition = db.session.get(Edition, edition_id)
            if fan_out_at is None and edition.snapshot_done:
                fan_out_at = time.monotonic()
            if edition.state == EditionState.sent:
                break
            db.session.commit()
            db.session.expire_all()
            if time.monotonic() - published > 3600:
                raise SystemExit("the send did not finish within an hour")
            time.sleep(0.25)
        busy, every = (b - a for a, b in zip(jiffies, machine_jiffies(), strict=True))
        hwm = sum(rss_kib(p, "VmHWM") for p in pids)
        cpu = sum(cpu_seconds(p) for p in [workers.pid, *pids])
        first, last, sent = db.session.execute(
            select(func.min(Delivery.sent_at), func.max(Delivery.sent_at), func.count()).where(
                Delivery.edition_id == edition_id
            )
        ).one()
        start = edition.published_at
        db.session.commit()
    os.killpg(workers.pid, signal.SIGTERM)
    workers.wait(60)
    seconds = (last - start).total_seconds()
    return {
        "readers": readers,
        "sent": sent,
        "size": size,
        "seconds": seconds,
        "rate": sent / seconds,
        "first_ms": (first - start).total_seconds() * 1000,
        "fan_out_s": (fan_out_at or published) - published,
        "rss_mib": max(peak_rss, hwm) / 1024,
        # what a mail costs the workers, whatever else the machine does (start-up included)
        "cpu_ms": cpu * 1000 / max(1, sent),
        # what a mail costs the whole machine (workers, PostgreSQL, Redis, the sink, this
        # process), from publish to the end; busy: how much of the machine's time was used
        "machine_ms": busy / os.sysconf("SC_CLK_TCK") * 1000 / max(1, sent),
        "busy": busy / max(1, every),
    }


def production_layout(app, env: dict[str, str], readers: int, tmp: Path) -> dict[str, float]:
    """The layout of docs/operations.md#production: gunicorn, a transactional pool, a bulk
    pool of 4 processes x 1 thread; the publish command's start until the edition reads
    "sent"."""
    import redis

    from newsletter.dev.sink import free_port
    from newsletter.editions import services as editions
    from newsletter.editions.models import Edition, EditionState
    from newsletter.extensions import db

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    seed(app, readers)
    with app.app_context():
        edition_id = editions.create(SOURCE)[0].id
    bin_dir = Path(sys.executable).parent
    log = (tmp / "production.log").open("wb")
    commands = [
        [str(bin_dir / "gunicorn"), "--workers", "2", "--threads", "4", "--worker-class",
         "gthread", "--bind", f"127.0.0.1:{free_port()}", "wsgi:app"],
        [sys.executable, "-m", "dramatiq", "workers", "--queues", "transactional", "testsend",
         "maintenance", "--processes", "1", "--threads", "4"],
        [sys.executable, "-m", "dramatiq", "workers", "--queues", "bulk", "--processes", "4",
         "--threads", "1"],
    ]  # fmt: skip
    processes = [
        subprocess.Popen(c, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True)
        for c in commands
    ]  # fmt: skip
    try:
        time.sleep(5)  # all three ready (a worker says so only in its log)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "delivery", "publish",
             str(edition_id)],
            env=env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        with app.app_context():
            while True:
                state = db.session.get(Edition, edition_id).state
                db.session.commit()
                db.session.expire_all()
                if state == EditionState.sent:
                    break
                if time.monotonic() - started > 3600:
                    raise SystemExit("the send did not finish within an hour")
                time.sleep(0.1)
        seconds = time.monotonic() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(60)
        log.close()
    return {"readers": readers, "seconds": seconds, "rate": readers / seconds,
            "size": message_size(app, edition_id)}  # fmt: skip


def smtp_source_rate(sink: Sink, size: int, connections: int, messages: int) -> float | None:
    tool = shutil.which("smtp-source") or (
        "/usr/sbin/smtp-source" if Path("/usr/sbin/smtp-source").exists() else None
    )
    if tool is None:
        return None
    started = time.perf_counter()
    subprocess.run(
        [
            tool,
            "-s",
            str(connections),
            "-m",
            str(messages),
            "-l",
            str(size),
            "-f",
            "nieuwsbrief@bench.example",
            "-t",
            "lezer@bench.example",
            f"127.0.0.1:{sink.port}",
        ],
        check=True,
        capture_output=True,
    )
    return messages / (time.perf_counter() - started)


def report(r: dict[str, float], raw: float | None, signed: bool = True) -> None:
    ratio = f"; smtp-source {raw:.0f} msg/s, ratio {r['rate'] / raw:.2f}" if raw else ""
    print(
        f"{r['readers']:>7} readers, {'signed' if signed else 'UNSIGNED'}: {r['sent']} sent "
        f"in {r['seconds']:.1f} s = "
        f"{r['rate']:.0f} msg/s end to end; first mail {r['first_ms']:.0f} ms after "
        f"publish; fan-out {r['fan_out_s']:.2f} s; worker CPU {r['cpu_ms']:.2f} ms a mail, "
        f"machine CPU {r['machine_ms']:.2f} ms a mail ({r['busy']:.0%} busy); "
        f"worker RSS peak {r['rss_mib']:.0f} MiB "
        f"(message {r['size'] / 1000:.1f} kB){ratio}",
        flush=True,
    )


def per_signature(app, dns) -> tuple[float, float, float]:
    """dkimpy's and our ms per signature, on this edition's message for one reader."""
    from newsletter.delivery.prepared import PreparedEdition
    from newsletter.rendering.edition import render_edition

    settings = app.config["SETTINGS"]
    with app.test_request_context():
        prepared = PreparedEdition(
            0, render_edition(SOURCE), mail_from=settings.mail_from, list_id=settings.list_id
        )
        return signing.per_signature(sample(prepared), settings, dns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="first, smaller run (RSS)")
    parser.add_argument("--connections", type=int, default=4, help="SMTP_MAX_CONNECTIONS")
    # the bulk pool of docs/operations.md#production: a process per SMTP connection
    parser.add_argument("--processes", type=int, default=4, help="Dramatiq worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker process (all: = connections)"
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--source-messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per size")
    args = parser.parse_args()
    if min(args.readers, args.small, args.connections, args.processes, args.threads, args.runs) < 1:
        parser.error("every number must be at least 1")

    database = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ravijn_bench"
    )
    ensure_database(database)
    tmp = Path(tempfile.mkdtemp(prefix="ravijn-bench-delivery-"))
    sink = Sink()
    env = dict(os.environ) | {
        "NEWSLETTER_ENV": "development",
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
        "BASE_URL": "https://ravijn.bench.example",
        "MAIL_FROM": "OVER het ravijn <nieuwsbrief@bench.example>",
        "SEND_RATE": "0",
        "SMTP_MAX_CONNECTIONS": str(args.connections),
        "BATCH_SIZE": str(args.batch_size),
        "PYTHONWARNINGS": "ignore",
    }
    unsigned_env = dict(env)
    dkim_env, dns = signing.key(tmp)
    env |= dkim_env
    migrate(env)
    from newsletter import create_app
    from newsletter.settings import from_env

    app = create_app(from_env(env))
    try:
        before, after, alone = per_signature(app, dns)
        print(
            f"DKIM (RSA 2048), CPU time a signature: dkimpy {before:.2f} ms, ours (OpenSSL) "
            f"{after:.3f} ms ({before / after:.0f}x; the RSA operation alone {alone:.3f} ms), "
            "one reader's message, in this process",
            flush=True,
        )
        runs: dict[int, list[tuple[dict[str, float], float | None]]] = {}
        for n in sorted({args.small, args.readers}):
            for _ in range(args.runs):
                r = run_once(app, env, n, args, tmp)
                raw = smtp_source_rate(sink, r["size"], args.connections, args.source_messages)
                runs.setdefault(n, []).append((r, raw))
                report(r, raw)
        unsigned = run_once(app, unsigned_env, args.readers, args, tmp)
        unsigned_raw = smtp_source_rate(
            sink, unsigned["size"], args.connections, args.source_messages
        )
        report(unsigned, unsigned_raw, signed=False)
        production = production_layout(app, env, args.readers, tmp)
        production_raw = smtp_source_rate(sink, production["size"], args.connections, args.readers)
    finally:
        sink.stop()
    print(
        f"sink: {sink.name}; {args.processes} worker processes x {args.threads} threads, "
        f"{args.connections} SMTP connections, batches of {args.batch_size}"
    )
    for n, results in runs.items():
        ratios = sorted(r["rate"] / raw for r, raw in results if raw)
        rss = max(r["rss_mib"] for r, _ in results)
        rate = statistics.median(r["rate"] for r, _ in results)
        raws = [raw for _, raw in results if raw]
        source = f", smtp-source {statistics.median(raws):.0f} msg/s" if raws else ""
        print(
            f"{n:>7} readers, {len(results)} runs, signed: end to end {rate:.0f} msg/s{source} "
            f"(medians); worker RSS peak {rss:.0f} MiB"
        )
        if ratios:
            print(
                f"{n:>7} readers: ratio end-to-end / smtp-source min {ratios[0]:.2f} / median "
                f"{statistics.median(ratios):.2f} / max {ratios[-1]:.2f}"
            )
    signed_rate = statistics.median(r["rate"] for r, _ in runs[args.readers])
    signed_cpu = statistics.median(r["cpu_ms"] for r, _ in runs[args.readers])
    signed_machine = statistics.median(r["machine_ms"] for r, _ in runs[args.readers])
    print(
        f"{args.readers:>7} readers unsigned: {unsigned['rate']:.0f} msg/s; signed/unsigned "
        f"{signed_rate / unsigned['rate']:.2f} (median signed run / the unsigned run); worker "
        f"CPU a mail {signed_cpu:.2f} ms signed, {unsigned['cpu_ms']:.2f} ms unsigned; machine "
        f"CPU a mail {signed_machine:.2f} ms signed, {unsigned['machine_ms']:.2f} ms unsigned"
    )
    if len(runs) > 1:
        small, large = (max(r["rss_mib"] for r, _ in runs[n]) for n in sorted(runs))
        print(f"RSS {max(runs)} vs {min(runs)} readers: {large / small:.2f}x")
    line = (
        f'production layout, {args.readers} readers: publish command to "Verzonden" '
        f"{production['seconds']:.1f} s = {production['rate']:.0f} msg/s"
    )
    if production_raw:
        line += (
            f"; smtp-source {args.readers} messages {args.readers / production_raw:.1f} s = "
            f"{production_raw:.0f} msg/s; ratio {production['rate'] / production_raw:.2f}"
        )
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

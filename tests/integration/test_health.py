"""/healthz and /readyz (issue 14, acceptance 4, first half): /readyz turns 503 within 2 s of
stopping Redis and 200 again after it returns. A Redis server of its own, started and stopped
by the test (the suite's Redis stays up)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from newsletter.dev.sink import free_port

REDIS_SERVER = shutil.which("redis-server")


def start(port: int, directory) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


def status_within(client, wanted: int, seconds: float) -> float:
    """Seconds until /readyz answers `wanted`; fails the test after `seconds`."""
    begin = time.monotonic()
    while True:
        if client.get("/readyz").status_code == wanted:
            return time.monotonic() - begin
        assert time.monotonic() - begin < seconds, f"/readyz did not turn {wanted}"
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
def test_readyz_follows_redis_down_and_back(app, client, db, tmp_path, monkeypatch):
    port = free_port()
    server = start(port, tmp_path)
    probe = redis.Redis(port=port, socket_timeout=1)
    monkeypatch.setitem(app.extensions, "redis", probe)
    try:
        assert client.get("/readyz").status_code == 200
        server.terminate()
        server.wait(timeout=10)
        took = status_within(client, 503, 2)
        answer = client.get("/readyz")
        assert answer.get_json()["checks"]["redis"] == "onbereikbaar"
        print(f"503 after {took:.2f} s")
        server = start(port, tmp_path)
        status_within(client, 200, 5)
    finally:
        probe.close()  # its sockets, or their ResourceWarning fails whichever test collects them
        server.terminate()
        server.wait(timeout=10)

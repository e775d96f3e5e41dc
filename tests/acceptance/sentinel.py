"""A Redis primary, one replica and three sentinels (Debian's redis-server and redis-sentinel)
on spare loopback ports, started and stopped by a test: Redis without a single point of
failure, on one machine standing in for three."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from newsletter.dev.sink import free_port

SERVICE = "ravijn"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_SENTINEL = shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"


def _client(port: int) -> redis.Redis:
    return redis.Redis(port=port, socket_timeout=1, retry=Retry(NoBackoff(), 0))


class SentinelRedis:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.processes: list[subprocess.Popen[bytes]] = []
        self.primary, self.replica = free_port(), free_port()
        self.sentinels = [free_port() for _ in range(3)]

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def _spawn(self, *argv: str) -> None:
        self.processes.append(
            subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    def _wait(self, what: str, ready, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if ready():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in self.dir.glob("*.log"))
                pytest.fail(f"{what} not ready in {seconds} s\n{logs}")
            time.sleep(0.1)

    def start(self) -> SentinelRedis:
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.dir)]
        self._spawn(REDIS_SERVER, "--port", str(self.primary), *common,
                    "--logfile", str(self.dir / "primary.log"))  # fmt: skip
        self._spawn(REDIS_SERVER, "--port", str(self.replica), *common,
                    "--replicaof", "127.0.0.1", str(self.primary),
                    "--logfile", str(self.dir / "replica.log"))  # fmt: skip
        self._wait("the replica", lambda: _client(self.replica).info("replication").get(
            "master_link_status") == "up")  # fmt: skip
        for port in self.sentinels:
            conf = self.dir / f"sentinel-{port}.conf"  # sentinels rewrite their file
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n"
                f"logfile {self.dir / f'sentinel-{port}.log'}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                f"sentinel failover-timeout {SERVICE} 5000\n"
            )
            self._spawn(REDIS_SENTINEL, str(conf))
        for port in self.sentinels:
            self._wait(f"sentinel {port}", lambda p=port: self.primary_port(p) == self.primary)
        # each sentinel knows the others and the replica: a failover can be agreed on
        self._wait("the sentinels", lambda: all(
            int(_client(p).sentinel_master(SERVICE)["num-other-sentinels"]) == 2
            and int(_client(p).sentinel_master(SERVICE)["num-slaves"]) == 1
            for p in self.sentinels))  # fmt: skip
        return self

    def primary_port(self, sentinel: int | None = None) -> int:
        address = _client(sentinel or self.sentinels[0]).sentinel_get_master_addr_by_name(SERVICE)
        return int(address[1])

    def fail_over(self) -> None:
        """SENTINEL FAILOVER: the replica becomes the primary now (the old one, a replica)."""
        _client(self.sentinels[0]).execute_command("SENTINEL", "FAILOVER", SERVICE)

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait(timeout=10)

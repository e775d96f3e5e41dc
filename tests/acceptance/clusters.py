"""PostgreSQL servers of a test's own (initdb on free ports, beside the machine's PostgreSQL,
which stays untouched), for the tests that stop, crash or promote a database server. Those
tests can then run beside every other test (docs/testing.md#in-parallel)."""

from __future__ import annotations

import dataclasses
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsletter import create_app
from newsletter.database_url import normalise
from newsletter.dev.sink import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip(f"PostgreSQL's {name} is not installed")
    return found[-1]


def as_postgres(*args: object) -> None:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout


@dataclasses.dataclass
class Server:
    data: Path
    port: int

    def ctl(self, *args: str) -> None:
        as_postgres(_bin("pg_ctl"), "-D", self.data, *args)

    def start(self) -> None:
        self.ctl("-l", f"{self.data}.log", "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("stop", "-m", mode)


@contextmanager
def servers(replica: bool = False) -> Iterator[list[Server]]:
    """A primary with database `ravijn` and, with `replica`, a streaming replica of it."""
    if os.geteuid() != 0:
        pytest.skip("needs root: the servers run as the user postgres")
    base = Path(tempfile.mkdtemp(prefix="ravijn-pg-"))
    shutil.chown(base, "postgres", "postgres")
    made = [Server(base / "primary", free_port())]
    try:
        primary = made[0]
        as_postgres(
            _bin("initdb"), "-D", primary.data, "-A", "trust", "-U", "postgres", "--no-sync"
        )
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nwal_level = replica\n"
                "max_wal_senders = 5\nhot_standby = on\nfsync = off\n"
            )
        primary.start()
        at_primary = ("-h", "127.0.0.1", "-p", primary.port, "-U", "postgres")
        as_postgres(_bin("createdb"), *at_primary, "ravijn")
        if replica:
            made.append(Server(base / "replica", free_port()))
            # -c fast: the backup's checkpoint at once, not spread over minutes
            as_postgres(
                _bin("pg_basebackup"),
                *at_primary,
                "-D",
                made[1].data,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            )
            with open(made[1].data / "postgresql.conf", "a") as conf:
                conf.write(f"port = {made[1].port}\n")
            made[1].start()
        yield made
    finally:
        for server in made:
            stop = [_bin("pg_ctl"), "-D", str(server.data), "stop", "-m", "immediate"]
            subprocess.run(["runuser", "-u", "postgres", "--", *stop], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def url_of(*found: Server) -> str:
    hosts = ",".join(f"127.0.0.1:{server.port}" for server in found)
    return f"postgresql://postgres@{hosts}/ravijn?target_session_attrs=read-write"


def app_on(app, url: str):
    """The test app's settings with another database: run the test inside its app context."""
    return create_app(dataclasses.replace(app.config["SETTINGS"], database_url=normalise(url)))

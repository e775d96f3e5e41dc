"""Issue 28, acceptance 3: a primary and a streaming replica of our own (initdb and
pg_basebackup on two free ports, beside the machine's PostgreSQL, which stays untouched), the
app given both in one DATABASE_URL with target_session_attrs=read-write. Mid-send the primary
is stopped and the replica promoted: the workers find the new primary by themselves and every
reader gets the edition."""

from __future__ import annotations

import dataclasses
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from newsletter import create_app
from newsletter.database_url import normalise
from newsletter.dev.sink import free_port
from tests.acceptance.fleet import Fleet, finish, publish, sent_count, wait_until
from tests.factories import make_editor

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # processes and servers of its own, timing
READERS = 3000
RATE = 300


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip(f"PostgreSQL's {name} is not installed")
    return found[-1]


def _as_postgres(*args: object) -> None:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.fixture
def replicated():
    """(primary port, replica port, pg_ctl of the primary, of the replica)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: the two servers run as the user postgres")
    base = Path(tempfile.mkdtemp(prefix="ravijn-failover-"))
    shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    ports = free_port(), free_port()
    ctl = _bin("pg_ctl")
    try:
        _as_postgres(_bin("initdb"), "-D", primary, "-A", "trust", "-U", "postgres", "--no-sync")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {ports[0]}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nwal_level = replica\n"
                "max_wal_senders = 5\nhot_standby = on\nfsync = off\n"
            )
        _as_postgres(ctl, "-D", primary, "-l", base / "primary.log", "-w", "start")
        at_primary = ("-h", "127.0.0.1", "-p", ports[0], "-U", "postgres")
        _as_postgres(_bin("createdb"), *at_primary, "ravijn")
        _as_postgres(_bin("pg_basebackup"), *at_primary, "-D", replica, "-R", "-X", "stream")
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {ports[1]}\n")
        _as_postgres(ctl, "-D", replica, "-l", base / "replica.log", "-w", "start")
        yield ports, (ctl, "-D", primary), (ctl, "-D", replica)
    finally:
        for data in (primary, replica):
            stop = [ctl, "-D", str(data), "stop", "-m", "immediate"]
            subprocess.run(["runuser", "-u", "postgres", "--", *stop], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_the_primary_stopped_and_the_replica_promoted_mid_send(
    app, db, paused_worker, replicated, tmp_path
):
    (first, second), primary, replica = replicated
    url = (
        f"postgresql://postgres@127.0.0.1:{first},127.0.0.1:{second}/ravijn"
        "?target_session_attrs=read-write"
    )
    fleet = Fleet(tmp_path, DATABASE_URL=url, SEND_RATE=str(RATE))
    failover = create_app(dataclasses.replace(app.config["SETTINGS"], database_url=normalise(url)))
    try:
        fleet.flask("db", "upgrade")
        with failover.app_context():
            edition_id, addresses = publish(fleet, db, make_editor(), subscribers=READERS)
            wait_until(lambda: sent_count(db, edition_id) >= READERS // 3, timeout=120)
            db.session.remove()
            _as_postgres(*primary, "stop", "-m", "fast")  # the old primary goes
            _as_postgres(*replica, "promote", "-w")  # and the replica takes over
            db.engine.dispose()  # this process's own pool pointed at the old one
            # a mark that did not reach the old primary: that mail may go twice
            finish(fleet, db, edition_id, addresses, bound=RATE + 8)
            db.session.remove()
            db.engine.dispose()
    finally:
        fleet.stop()

"""Issue 28, acceptance 3: a primary and a streaming replica of our own (initdb and
pg_basebackup on two free ports, beside the machine's PostgreSQL, which stays untouched), the
app given both in one DATABASE_URL with target_session_attrs=read-write. Mid-send the primary
is stopped and the replica promoted: the workers find the new primary by themselves and every
reader gets the edition."""

from __future__ import annotations

import pytest

from tests.acceptance.clusters import app_on, servers, url_of
from tests.acceptance.fleet import Fleet, finish, publish, sent_count, wait_until
from tests.factories import make_editor

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # processes and servers of its own, timing
READERS = 3000
RATE = 300


def test_the_primary_stopped_and_the_replica_promoted_mid_send(app, db, paused_worker, tmp_path):
    with servers(replica=True) as (primary, replica):
        url = url_of(primary, replica)
        _send_through_a_failover(
            app, db, Fleet(tmp_path, DATABASE_URL=url, SEND_RATE=str(RATE)), url, primary, replica
        )


def _send_through_a_failover(app, db, fleet, url, primary, replica) -> None:
    failover = app_on(app, url)
    try:
        fleet.flask("db", "upgrade")
        with failover.app_context():
            edition_id, addresses = publish(fleet, db, make_editor(), subscribers=READERS)
            wait_until(lambda: sent_count(db, edition_id) >= READERS // 3, timeout=120)
            db.session.remove()
            primary.stop()  # the old primary goes
            replica.ctl("promote", "-w")  # and the replica takes over
            db.engine.dispose()  # this process's own pool pointed at the old one
            # a mark that did not reach the old primary: that mail may go twice
            finish(fleet, db, edition_id, addresses, bound=RATE + 8)
            db.session.remove()
            db.engine.dispose()
    finally:
        fleet.stop()

"""After a failover (issue 28): DATABASE_URL names several servers and each new connection
goes to the first that takes writes; a demoted primary that still answers, read-only (SQLSTATE
25006), is an outage: its connections leave the pool and the job is retried soon."""

from __future__ import annotations

import pytest
import sqlalchemy.exc
from dramatiq import Message
from dramatiq.middleware import CurrentMessage
from sqlalchemy import create_engine, make_url

from newsletter.database import read_only
from newsletter.database_url import normalise
from newsletter.dev.sink import free_port


@pytest.fixture
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's failover")
    return make_url(str(db.engine.url.render_as_string(hide_password=False)))


def test_a_failover_url_skips_a_server_that_is_down(postgres):
    dead = free_port()
    url = normalise(
        f"postgresql://{postgres.username}@127.0.0.1:{dead},{postgres.host}:{postgres.port}"
        f"/{postgres.database}?target_session_attrs=read-write"
    )
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT inet_server_port()").scalar() == (
                postgres.port
            )
    finally:
        engine.dispose()


WRITE = "UPDATE edition SET id = id WHERE false"  # a write, though it changes nothing


def test_a_demoted_primary_empties_the_pool(postgres):
    engine = create_engine(postgres, pool_size=2, max_overflow=0)
    try:
        with engine.connect() as a, engine.connect() as b:  # both pooled connections
            for connection in (a, b):  # the server they reach is now a read-only standby
                connection.exec_driver_sql("SET SESSION default_transaction_read_only = on")
                connection.commit()
        with pytest.raises(sqlalchemy.exc.DBAPIError) as refused, engine.begin() as connection:
            connection.exec_driver_sql(WRITE)
        assert read_only(refused.value) and refused.value.connection_invalidated
        # every connection of the pool went with it: the next write gets a fresh one
        for _ in range(2):
            with engine.begin() as connection:
                connection.exec_driver_sql(WRITE)
    finally:
        engine.dispose()


def test_a_job_meeting_a_read_only_primary_is_retried_soon(app, postgres):
    from workers.actors import Outage, _through_outages

    def write() -> None:
        from newsletter.extensions import db

        db.session.connection().exec_driver_sql("SET TRANSACTION READ ONLY")
        db.session.connection().exec_driver_sql(WRITE)

    message = Message(queue_name="q", actor_name="a", args=(), kwargs={}, options={})
    token = CurrentMessage._MESSAGE.set(message)
    try:
        with app.app_context(), pytest.raises(Outage, match="InternalError"):
            _through_outages(write)()
    finally:
        CurrentMessage._MESSAGE.reset(token)
        with app.app_context():
            from newsletter.extensions import db

            db.session.remove()
    assert message.options["outages"] == 1

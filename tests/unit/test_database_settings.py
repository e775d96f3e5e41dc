"""DATABASE_URL with several servers (failover) and the pool's size (issue 28)."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from newsletter.settings import ConfigError, from_env
from tests.unit.test_settings import GOOD

FAILOVER = "postgresql://app:geheim@db1:5432,db2:5433/ravijn?target_session_attrs=read-write"


def test_several_servers_become_sqlalchemy_hosts_in_order():
    settings = from_env(dict(GOOD, DATABASE_URL=FAILOVER))
    url = make_url(settings.database_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.query["host"] == ("db1:5432", "db2:5433")
    assert url.query["target_session_attrs"] == "read-write"
    assert (url.username, url.password, url.database) == ("app", "geheim", "ravijn")


def test_the_query_form_and_one_server_pass_as_they_are():
    query_form = "postgresql://app@/ravijn?host=db1&host=db2:5433&target_session_attrs=primary"
    assert from_env(dict(GOOD, DATABASE_URL=query_form)).database_url == (
        "postgresql+psycopg://app@/ravijn?host=db1&host=db2:5433&target_session_attrs=primary"
    )
    one = from_env(dict(GOOD, DATABASE_URL="postgres://app@db:6432/ravijn?sslmode=require"))
    assert one.database_url == "postgresql+psycopg://app@db:6432/ravijn?sslmode=require"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://app@db1,db2/ravijn", "zet er ?target_session_attrs=read-write achter"),
        (
            "postgresql://app@db1,db2/ravijn?target_session_attrs=any",
            "zet er ?target_session_attrs=read-write achter",
        ),
        ("postgresql://app@db1:5432,db2:99999/r?target_session_attrs=read-write", "poort 99999"),
        ("postgresql://app@db1:5432,db2:x/r?target_session_attrs=read-write", "geen server"),
    ],
)
def test_a_failover_url_that_would_go_wrong_stops_start_up(url, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        from_env(dict(GOOD, DATABASE_URL=url))


def test_pool_sizes_come_from_the_environment():
    default = from_env(GOOD).flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert default == {"pool_size": 5, "max_overflow": 10, "pool_timeout": 30}
    env = dict(GOOD, DB_POOL_SIZE="2", DB_MAX_OVERFLOW="0", DB_POOL_TIMEOUT="5")
    env["DB_SERVER_PREPARE"] = "off"  # behind PgBouncer in transaction mode
    assert from_env(env).flask_config()["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_size": 2,
        "max_overflow": 0,
        "pool_timeout": 5,
        "connect_args": {"prepare_threshold": None},
    }
    with pytest.raises(ConfigError, match="DB_POOL_SIZE moet minstens 1 zijn"):
        from_env(dict(GOOD, DB_POOL_SIZE="0"))

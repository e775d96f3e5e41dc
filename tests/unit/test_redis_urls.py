"""Redis Sentinel URLs: checked when the settings are read (a mistake stops the start, not
the first request), and turned into the same primary for the app, the broker and the limiter."""

from __future__ import annotations

import pytest

from newsletter import redis_urls
from newsletter.settings import ConfigError, from_env
from tests.unit.test_settings import GOOD

SENTINELS = "redis+sentinel://:geheim@10.0.0.11:26379,10.0.0.12:26379,[::1]:26380/ravijn/3"


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_db():
    target = redis_urls.parse_sentinel(SENTINELS)
    assert target.sentinels == (("10.0.0.11", 26379), ("10.0.0.12", 26379), ("::1", 26380))
    assert (target.service, target.db, target.password) == ("ravijn", 3, "geheim")
    assert redis_urls.parse_sentinel("redis+sentinel://h:1/ravijn").db == 0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis+sentinel://h:26379", "naam van de Redis-dienst"),
        ("redis+sentinel://h:26379/ravijn/nul", "naam van de Redis-dienst"),
        ("redis+sentinel://h/ravijn", "host:poort"),
        ("redis+cluster://h:7000/0", r"redis\+cluster:// kennen we niet"),
    ],
)
def test_the_settings_refuse_a_redis_url_they_cannot_use(url, says):
    with pytest.raises(ConfigError, match=says):
        from_env(dict(GOOD, REDIS_URL=url))
    with pytest.raises(ConfigError, match=says):
        from_env(dict(GOOD, BROKER_URL=url))


def test_the_settings_take_a_sentinel_url_for_redis_and_the_broker():
    settings = from_env(dict(GOOD, REDIS_URL=SENTINELS, BROKER_URL=SENTINELS))
    assert settings.redis_url == settings.broker_url == SENTINELS


def test_the_limiter_gets_the_sentinels_with_the_db_as_an_option_and_never_a_replica():
    uri, options = redis_urls.limiter_storage(SENTINELS)
    assert uri == "redis+sentinel://:geheim@10.0.0.11:26379,10.0.0.12:26379,[::1]:26380/ravijn"
    assert options["db"] == 3 and options["use_replicas"] is False
    assert options["socket_timeout"] == redis_urls.COMMAND_TIMEOUT
    assert redis_urls.limiter_storage("unix:///r.sock")[0] == "redis+unix:///r.sock"


def test_every_client_has_socket_timeouts():
    plain = redis_urls.connect("redis://127.0.0.1:6379/0")
    watched = redis_urls.connect(SENTINELS)
    for client in (plain, watched):
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs["socket_timeout"] == redis_urls.COMMAND_TIMEOUT
        assert kwargs["socket_connect_timeout"] == redis_urls.CONNECT_TIMEOUT
    assert watched.connection_pool.service_name == "ravijn"
    assert watched.connection_pool.connection_kwargs["db"] == 3

import pytest

from newsletter.settings import ConfigError, from_env, parse_smtp_url

KEY_A = "q3Vx8LrT0mNf2WbKc7YhZp4Ud9GsEa1J"
KEY_B = "h6Ty2Rb9Xw4Nq8Mv1Lc5Zk3Pf7Gd0Sj2"
GOOD = {
    "NEWSLETTER_ENV": "production",
    "DATABASE_URL": "postgresql://app@db/ravijn",
    "REDIS_URL": "redis://cache:6379/0",
    "SMTP_URL": "smtp+starttls://user:p%40ss@relay.vng.nl:587",
    "MAIL_FROM": "OVER het ravijn <nieuwsbrief@vng.nl>",
    "BASE_URL": "https://ravijn.vng.nl/",
    "SECRET_KEYS": f"{KEY_A},{KEY_B}",
    "SUPPRESSION_KEY": "Wm4Qz8Tn1Xr6Ck3Vb9Hf2Js7Lp5Dg0Ya",
}


@pytest.mark.parametrize("mode", ["production", "development"])
@pytest.mark.parametrize(
    "token",
    ["abc", "x" * 40, "Wm4Qz8Tn1Xr6Ck3Vb9Hf2Js7Lp5Dg0Y", "Wm4Qz8Tn1Xr6 Ck3Vb9Hf2Js7Lp5Dg0Ya"],
)
def test_a_short_or_strange_metrics_token_is_refused_at_start(mode, token):
    env = dict(GOOD, NEWSLETTER_ENV=mode, METRICS_TOKEN=token)
    with pytest.raises(ConfigError, match="METRICS_TOKEN moet minstens 32 willekeurige tekens"):
        from_env(env)
    good = "Wm4Qz8Tn1Xr6Ck3Vb9Hf2Js7Lp5Dg0Ya-_.~+/="
    assert from_env(dict(env, METRICS_TOKEN=good)).metrics_token == good
    assert from_env(dict(env, METRICS_TOKEN="")).metrics_token == ""


def test_production_settings_parse():
    settings = from_env(GOOD)
    assert settings.is_production
    assert settings.database_url == "postgresql+psycopg://app@db/ravijn"
    assert settings.base_url == "https://ravijn.vng.nl"
    assert settings.smtp_url.starttls and settings.smtp_url.password == "p@ss"
    assert settings.secret_keys == (KEY_A, KEY_B)
    assert settings.flask_config()["SECRET_KEY"] == KEY_A


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", None, "DATABASE_URL is niet ingesteld"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL moet beginnen met"),
        ("REDIS_URL", None, "REDIS_URL is niet ingesteld"),
        ("SMTP_URL", "http://relay", "SMTP_URL moet beginnen met"),
        ("SMTP_URL", "smtp://relay:notaport", "SMTP_URL klopt niet"),
        ("SECRET_KEYS", "short", "SECRET_KEYS"),
        ("SECRET_KEYS", None, "SECRET_KEYS is niet ingesteld"),
        ("SUPPRESSION_KEY", None, "SUPPRESSION_KEY"),
        ("SUPPRESSION_KEY", "kort", "SUPPRESSION_KEY"),
        # finding 12: a key that is long but not random, a suppression key that is a secret key
        ("SECRET_KEYS", "a" * 32, "SECRET_KEYS"),
        ("SECRET_KEYS", "ab" * 20, "SECRET_KEYS"),
        ("SUPPRESSION_KEY", KEY_B, "moet anders zijn"),
        ("MAIL_FROM", "OVER het ravijn\u2028Bcc: x@y.nl <nb@vng.nl>", "MAIL_FROM"),
        ("BASE_URL", "http://ravijn.vng.nl", "BASE_URL moet in productie een https"),
        ("MAIL_FROM", "nieuwsbrief", "MAIL_FROM"),
        ("MAIL_FROM", "a@b.nl\r\nBcc: x@y.nl", "MAIL_FROM"),
        ("NEWSLETTER_ENV", "staging", "NEWSLETTER_ENV"),
        ("BATCH_SIZE", "many", "BATCH_SIZE moet een geheel getal"),
        ("BROKER_URL", "kafka://k:9092", "BROKER_URL moet beginnen met"),
    ],
)
def test_production_refuses_missing_or_malformed_settings(name, value, message):
    env = dict(GOOD)
    if value is None:
        env.pop(name)
    else:
        env[name] = value
    with pytest.raises(ConfigError, match=message):
        from_env(env)


def test_development_has_embedded_defaults(tmp_path):
    settings = from_env({"NEWSLETTER_ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'ravijn.sqlite3'}"
    assert settings.outbox_dir == tmp_path / "outbox"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay", ("smtp", "relay", 25, None)),
        ("smtps://u:p@relay", ("smtps", "relay", 465, "u")),
        ("smtp+starttls://relay", ("smtp+starttls", "relay", 587, None)),
        ("smtp://127.0.0.1:2525", ("smtp", "127.0.0.1", 2525, None)),
    ],
)
def test_smtp_urls(url, expected):
    parsed = parse_smtp_url(url)
    assert (parsed.scheme, parsed.host, parsed.port, parsed.username) == expected


def test_wsgi_stops_with_one_clear_line():
    import subprocess
    import sys

    env = {"NEWSLETTER_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Fout in de instellingen: SECRET_KEYS is niet ingesteld (komma's ertussen; de eerste "
        "ondertekent)"
    ]


def test_development_finds_the_services_of_a_running_make_run(tmp_path):
    (tmp_path / "running.env").write_text(
        "REDIS_URL=unix:///tmp/x/redis.socket\nSMTP_URL=smtp://127.0.0.1:4025\nSECRET_KEYS=nee\n"
    )
    settings = from_env({"NEWSLETTER_ENV": "development", "INSTANCE_PATH": str(tmp_path)})
    assert settings.redis_url == "unix:///tmp/x/redis.socket"
    assert settings.smtp_url.port == 4025
    assert "nee" not in settings.secret_keys  # only the two service URLs are taken
    explicit = from_env(
        {"NEWSLETTER_ENV": "development", "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "redis://r"}
    )
    assert explicit.redis_url == "redis://r"
    production = dict(GOOD, INSTANCE_PATH=str(tmp_path))
    assert from_env(production).redis_url == GOOD["REDIS_URL"]  # production never reads it


def test_broker_url_picks_rabbitmq_or_defaults_to_redis():
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    from newsletter.jobs import build_broker

    assert from_env(GOOD).broker_url == ""
    rabbit = from_env(dict(GOOD, BROKER_URL="amqp://guest:guest@mq:5672/%2F"))
    assert rabbit.broker_url.startswith("amqp://")
    assert isinstance(build_broker(rabbit.broker_url), RabbitmqBroker)  # connects lazily
    assert isinstance(build_broker(GOOD["REDIS_URL"]), RedisBroker)


def test_several_relays_in_order_with_a_rate_each(tmp_path):
    env = {"NEWSLETTER_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    settings = from_env(env | {"SMTP_URL": "smtp://a:25?rate=20, smtps://u:p@b"})
    assert [r.label for r in settings.relays] == ["a:25", "b:465"]
    assert settings.smtp_url.rate == 20 and settings.smtp_fallbacks[0].rate == 0
    assert [r.label for r in from_env(env | {"SMTP_URLS": "smtp://c smtp://d"}).relays] == [
        "c:25",
        "d:25",
    ]
    for bad, message in (
        ("smtp://a, smtp://a:25", "dezelfde mailserver"),
        ("smtp://a?snel=ja", "rate="),
        ("smtp://a?rate=-2", "rate="),
        ("smtp://a, http://b", "moet beginnen met"),
    ):
        with pytest.raises(ConfigError, match=message):
            from_env(env | {"SMTP_URL": bad})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TESTSEND_PER_EDITOR_HOUR", "veel", "TESTSEND_PER_EDITOR_HOUR moet een geheel getal"),
        ("TESTSEND_PER_EDITOR_HOUR", "0", "TESTSEND_PER_EDITOR_HOUR moet minstens 1 zijn"),
        ("TESTSEND_PER_EDITION_HOUR", "1,5", "TESTSEND_PER_EDITION_HOUR moet een geheel getal"),
        ("TESTSEND_PER_EDITION_HOUR", "-3", "TESTSEND_PER_EDITION_HOUR moet minstens 1 zijn"),
    ],
)
def test_test_send_limits_are_whole_numbers_of_at_least_one(name, value, message):
    with pytest.raises(ConfigError, match=message):
        from_env(GOOD | {name: value})


def test_test_send_limits_default_and_read():
    assert (from_env(GOOD).testsend_per_editor_hour, from_env(GOOD).testsend_per_edition_hour) == (
        20,
        40,
    )
    chosen = from_env(GOOD | {"TESTSEND_PER_EDITOR_HOUR": "3", "TESTSEND_PER_EDITION_HOUR": "9"})
    assert (chosen.testsend_per_editor_hour, chosen.testsend_per_edition_hour) == (3, 9)

"""Typed settings read from the environment.

Production refuses to start on a missing or malformed setting (one clear line naming it);
the embedded defaults exist only for `make run` (development) and the tests.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from newsletter import database_url, redis_urls
from newsletter.proxies import parse_trusted
from newsletter.sso_settings import SsoConfigError, SsoSettings
from newsletter.sso_settings import from_env as sso_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development", "test")
DEV_SECRET = "dev-only-not-secret-" + "0" * 32
BODY_MAX = 64 * 1024  # every form a reader fills in fits many times over
FORM_PARTS_MAX = 100


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class SmtpUrl:
    scheme: str  # smtp, smtps, smtp+starttls
    host: str
    port: int
    username: str | None
    password: str | None
    rate: int = 0  # messages per second for this relay (`?rate=20`); 0 = no limit of its own

    @property
    def label(self) -> str:
        """host:port, never the credentials: for logs, metrics and the progress page."""
        return f"{self.host}:{self.port}"

    @property
    def ssl(self) -> bool:
        return self.scheme == "smtps"

    @property
    def starttls(self) -> bool:
        return self.scheme == "smtp+starttls"


def parse_smtp_url(value: str) -> SmtpUrl:
    """Parse `smtp://user:pass@host:port`, `smtps://…` or `smtp+starttls://…`, with an
    optional `?rate=N` (messages per second through this relay)."""
    try:
        parts = urlsplit(value)
        port = parts.port
        query = parse_qs(parts.query, strict_parsing=bool(parts.query))
        rate = int(query.pop("rate", ["0"])[-1])
    except ValueError as exc:
        raise ConfigError(f"SMTP_URL klopt niet: {exc}") from None
    if query or rate < 0:
        raise ConfigError("SMTP_URL: na ? kan alleen rate=<mails per seconde> staan")
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ConfigError("SMTP_URL moet beginnen met smtp://, smtps:// of smtp+starttls://")
    if not parts.hostname:
        raise ConfigError("SMTP_URL noemt geen server")
    default_port = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[parts.scheme]
    return SmtpUrl(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        rate=rate,
    )


def parse_relays(value: str) -> tuple[SmtpUrl, ...]:
    """Several relays, in order of preference, separated by commas or spaces."""
    urls = [part for part in re.split(r"[,\s]+", value) if part]
    relays = tuple(parse_smtp_url(url) for url in urls)
    if len({relay.label for relay in relays}) != len(relays):
        raise ConfigError("SMTP_URL noemt dezelfde mailserver (host:poort) twee keer")
    return relays


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} moet een geheel getal zijn, niet {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} moet minstens {minimum} zijn, niet {value}")
    return value


#: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h: the last try ~24 h after the first
WEBHOOK_RETRIES = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 28800.0)


def _seconds_list(env: dict[str, str], name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        found = tuple(float(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name} is een lijst seconden met komma's, niet {raw!r}") from None
    if not found or any(not 0 < s <= 86_400 for s in found):
        raise ConfigError(f"{name}: elke wachttijd is meer dan 0 en hoogstens 86400 seconden")
    return found


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name} moet on of off zijn (1/0, true/false), niet {raw!r}")
    return raw in ("1", "true", "yes", "on")


def _url(env: dict[str, str], name: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is niet ingesteld")
    scheme = value.split(":", 1)[0] if ":" in value else ""
    if scheme.split("+", 1)[0] not in schemes:
        raise ConfigError(f"{name} moet beginnen met een van {', '.join(s + ':' for s in schemes)}")
    return value


def _redis_url(env: dict[str, str], name: str, others: tuple[str, ...]) -> str:
    """A Redis (or, with `others`, another broker's) URL; `redis+sentinel://` checked here,
    so that a mistake stops the start instead of the first request."""
    value = _url(env, name, ("redis", "rediss", "unix", *others))
    scheme = value.split(":", 1)[0]
    if "+" in scheme and scheme != redis_urls.SENTINEL_SCHEME:
        raise ConfigError(f"{name}: {scheme}:// kennen we niet; wel redis+sentinel://")
    if redis_urls.is_sentinel(value):
        try:
            redis_urls.parse_sentinel(value)
        except ValueError as exc:
            raise ConfigError(
                f"{name}: {exc} (redis+sentinel://host:26379,host:26379/dienst/db)"
            ) from None
    return value


def _database_url(value: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used; several servers
    (failover) as SQLAlchemy takes them (newsletter/database_url.py)."""
    try:
        return database_url.normalise(value)
    except database_url.DatabaseUrlError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    redis_url: str
    smtp_url: SmtpUrl  # the preferred relay
    mail_from: str
    base_url: str
    secret_keys: tuple[str, ...]
    instance_path: Path
    #: further relays, in order: mail goes there while the ones before have an open circuit
    smtp_fallbacks: tuple[SmtpUrl, ...] = ()
    outbox_dir: Path | None = None
    signup_min_seconds: int = 2
    signup_rate_limit: str = "10 per minute;60 per hour"
    signup_address_limit: str = "5 per hour"
    confirmation_interval_seconds: int = 3600
    confirm_max_age_seconds: int = 72 * 3600
    batch_size: int = 500
    list_id: str = "OVER het ravijn <ravijn.nieuwsbrief.vng.nl>"
    send_rate: int = 50  # messages per second over all workers; 0 = as fast as the relay takes
    smtp_max_connections: int = 4  # parallel SMTP sessions for editions, over all workers
    lease_seconds: int = 120  # a claimed batch row is someone else's to retry after this
    pause_after_failures: int = 8  # consecutive failed connection attempts before auto-pause
    retry_base_seconds: int = 60  # first wait after a 4xx; doubles each attempt
    retry_max_attempts: int = 6
    reconcile_seconds: int = 30  # clock tick: reconciler and scheduled editions
    #: a transactional mail due this long and not sent: its message was lost, the clock nudges
    outbox_lost_seconds: int = 60
    #: each worker process serves /metrics on this port (+ its index); 0: none
    worker_metrics_port: int = 0
    worker_metrics_address: str = "0.0.0.0"  # noqa: S104  (scraped from another machine)
    schedule_max_delay_hours: int = 24
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    dkim_key_file: Path | None = None  # RSA, PEM
    #: optional second signature, Ed25519 (RFC 8463), beside the RSA one and under its own selector
    dkim_ed25519_selector: str | None = None
    dkim_ed25519_key_file: Path | None = None
    suppression_key: str = ""  # keys the hashes of erased addresses; never change it
    broker_url: str = ""  # the job queue; empty = REDIS_URL (amqp://… for RabbitMQ)
    #: hops (an int) or networks of reverse proxies whose X-Forwarded-For is believed
    trusted_proxies: int | tuple[object, ...] = 0
    preferences_link_days: int = 90  # a preferences link opens a page with the reader's details
    #: the goodbye mail waits this long; a reader back within it gets neither goodbye nor welcome
    return_window_seconds: int = 900
    retired_keys: tuple[str, ...] = ()  # verify unsubscribe links only (old mails keep working)
    session_idle_minutes: int = 30  # an editor's session ends after this long without a request
    session_max_hours: int = 12  # and after this long in any case
    #: "json": one JSON object per log line (for the operator's log collector); else plain text
    log_format: str = "text"
    #: /metrics answers only with this bearer token (unset: no /metrics at all)
    metrics_token: str = ""
    #: `flask doctor --dns` asks this server (host or host:port); empty: the system resolver
    dns_resolver: str = ""
    #: the privacy page: who is responsible, whom to write to, the data protection officer
    privacy_controller: str = (
        "Vereniging van Nederlandse Gemeenten (VNG), Nassaulaan 12, 2514 JS Den Haag"
    )
    privacy_contact: str = "privacy@vng.nl"
    privacy_dpo: str = "fg@vng.nl"
    #: an edition goes out only after a second eindredacteur approved that exact version
    four_eyes: bool = True
    #: editors log in with a second factor (TOTP); always so in production
    require_second_factor: bool = False
    #: waits between a webhook's attempts; when they run out (about a day), the delivery fails
    webhook_retry_seconds: tuple[float, ...] = WEBHOOK_RETRIES
    #: webhooks to private, loopback or link-local addresses (and http outside production)
    webhook_allow_private: bool = False
    #: test mails in any hour: per editor, and per edition over all its editors
    testsend_per_editor_hour: int = 20
    testsend_per_edition_hour: int = 40
    #: editors log in through the organisation's OpenID Connect provider (None: off)
    sso: SsoSettings | None = None
    #: database connections each process keeps open, and how many more it may open at a peak
    #: (each gunicorn worker and each Dramatiq process has a pool of its own)
    db_pool_size: int = 5
    db_max_overflow: int = 10
    #: seconds a request waits for a free connection before it gives up
    db_pool_timeout: int = 30
    #: psycopg prepares a query on the server after 5 runs; off behind PgBouncer in
    #: transaction mode older than 1.21 (the statement lives on one server connection)
    db_server_prepare: bool = True
    #: edition links go through /l/<edition>/<n> and are counted per hour (docs/security-and-
    #: privacy.md#link-counts); off: every mail carries the original links untouched
    link_counts: bool = True

    def engine_options(self) -> dict[str, object]:
        if not self.database_url.startswith("postgresql"):
            return {}  # SQLite: SQLAlchemy's own choice of pool for a file
        options: dict[str, object] = {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
        }
        if not self.db_server_prepare:
            options["connect_args"] = {"prepare_threshold": None}
        return options

    @property
    def relays(self) -> tuple[SmtpUrl, ...]:
        return (self.smtp_url, *self.smtp_fallbacks)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def limiter_storage_uri(self) -> str:
        return redis_urls.limiter_storage(self.redis_url)[0]

    def flask_config(self) -> dict[str, object]:
        """The Flask config keys that extensions read."""
        return {
            "SETTINGS": self,
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_keys[0],
            "SECRET_KEY_FALLBACKS": list(self.secret_keys[1:]),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # idle connections are pinged before use (database.configure_engines), busy ones not
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            "RATELIMIT_STORAGE_URI": self.limiter_storage_uri,
            "RATELIMIT_STORAGE_OPTIONS": redis_urls.limiter_storage(self.redis_url)[1],
            # Redis away: a limit lets the request through (leaving must always work); the
            # sign-up still needs Redis for its own checks and answers 503 (errors.py)
            "RATELIMIT_SWALLOW_ERRORS": True,
            "RATELIMIT_STRATEGY": "sliding-window-counter",
            "RATELIMIT_HEADERS_ENABLED": False,
            "RATELIMIT_KEY_PREFIX": "ravijn",
            # the session ends the token; a slow reader must not lose the form
            "WTF_CSRF_TIME_LIMIT": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.base_url.startswith("https://"),
            # __Host-: only this host, only over https, path / (production)
            "SESSION_COOKIE_NAME": "__Host-ravijn" if self.is_production else "session",
            # small for everyone; larger only for logged-in editors' uploads (see security.py)
            "MAX_CONTENT_LENGTH": BODY_MAX,
            "MAX_FORM_MEMORY_SIZE": BODY_MAX,
            "MAX_FORM_PARTS": FORM_PARTS_MAX,
            "PREFERRED_URL_SCHEME": "https" if self.base_url.startswith("https") else "http",
        }


def _running_services(env: dict[str, str], instance: Path) -> None:
    """While `make run` runs, it writes its embedded Redis and sink URLs to
    instance/running.env, so `flask …` in a second terminal reaches the same services."""
    try:
        lines = (instance / "running.env").read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for line in lines:
        name, _, value = line.partition("=")
        if name in ("REDIS_URL", "SMTP_URL") and value:
            env.setdefault(name, value)


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables (NEWSLETTER_ENV picks the mode)."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("NEWSLETTER_ENV", "production").strip() or "production"
    if mode not in ENVIRONMENTS:
        choices = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"NEWSLETTER_ENV moet een van {choices} zijn, niet {mode!r}")
    instance = Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    if mode != "production":
        _running_services(env, instance)
        env.setdefault("DATABASE_URL", f"sqlite:///{instance / 'ravijn.sqlite3'}")
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        env.setdefault("SMTP_URL", "smtp://127.0.0.1:8025")
        env.setdefault("MAIL_FROM", "OVER het ravijn <nieuwsbrief@localhost>")
        env.setdefault("BASE_URL", f"http://127.0.0.1:{env.get('PORT', '5000')}")
        env.setdefault("SECRET_KEYS", DEV_SECRET)

    keys = tuple(k.strip() for k in env.get("SECRET_KEYS", "").split(",") if k.strip())
    if not keys:
        raise ConfigError("SECRET_KEYS is niet ingesteld (komma's ertussen; de eerste ondertekent)")
    if mode == "production" and any(_weak(k) for k in keys):
        raise ConfigError("SECRET_KEYS: elke sleutel moet minstens 32 willekeurige tekens hebben")
    base_url = _url(env, "BASE_URL", ("http", "https")).rstrip("/")
    if mode == "production" and not base_url.startswith("https://"):
        raise ConfigError("BASE_URL moet in productie een https://-adres zijn")
    mail_from = env.get("MAIL_FROM", "").strip()
    if "@" not in mail_from or not mail_from.isprintable():  # one line, nothing invisible
        raise ConfigError("MAIL_FROM moet een adres zijn zoals 'OVER het ravijn <nb@vng.nl>'")
    outbox = env.get("OUTBOX_DIR") or (str(instance / "outbox") if mode != "production" else "")
    return Settings(
        env=mode,
        database_url=_database_url(_url(env, "DATABASE_URL", ("sqlite", "postgresql", "postgres"))),
        redis_url=_redis_url(env, "REDIS_URL", ()),
        **_relays(env),
        mail_from=mail_from,
        base_url=base_url,
        secret_keys=keys,
        instance_path=instance,
        outbox_dir=Path(outbox) if outbox else None,
        signup_min_seconds=_int(env, "SIGNUP_MIN_SECONDS", 2),
        signup_rate_limit=env.get("SIGNUP_RATE_LIMIT", "10 per minute;60 per hour"),
        signup_address_limit=env.get("SIGNUP_ADDRESS_LIMIT", "5 per hour"),
        confirmation_interval_seconds=_int(env, "CONFIRMATION_INTERVAL_SECONDS", 3600),
        batch_size=_int(env, "BATCH_SIZE", 500, minimum=1),
        send_rate=_int(env, "SEND_RATE", 50),
        smtp_max_connections=_int(env, "SMTP_MAX_CONNECTIONS", 4, minimum=1),
        lease_seconds=_int(env, "LEASE_SECONDS", 120, minimum=5),
        pause_after_failures=_int(env, "PAUSE_AFTER_FAILURES", 8, minimum=1),
        retry_base_seconds=_int(env, "RETRY_BASE_SECONDS", 60, minimum=1),
        retry_max_attempts=_int(env, "RETRY_MAX_ATTEMPTS", 6, minimum=1),
        reconcile_seconds=_int(env, "RECONCILE_SECONDS", 30, minimum=1),
        outbox_lost_seconds=_int(env, "OUTBOX_LOST_SECONDS", 60, minimum=1),
        worker_metrics_port=_int(env, "WORKER_METRICS_PORT", 0),
        worker_metrics_address=env.get("WORKER_METRICS_ADDRESS", "0.0.0.0").strip(),  # noqa: S104
        schedule_max_delay_hours=_int(env, "SCHEDULE_MAX_DELAY_HOURS", 24, minimum=1),
        suppression_key=_suppression_key(env, mode, keys),
        broker_url=_redis_url(env, "BROKER_URL", ("amqp", "amqps"))
        if env.get("BROKER_URL", "").strip()
        else "",
        trusted_proxies=_trusted_proxies(env),
        preferences_link_days=_int(env, "PREFERENCES_LINK_DAYS", 90, minimum=1),
        return_window_seconds=_int(env, "RETURN_WINDOW_SECONDS", 900),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 30, minimum=1),
        session_max_hours=_int(env, "SESSION_MAX_HOURS", 12, minimum=1),
        four_eyes=_flag(env, "FOUR_EYES", True),
        link_counts=_flag(env, "LINK_COUNTS", True),
        webhook_retry_seconds=_seconds_list(env, "WEBHOOK_RETRY_SECONDS", WEBHOOK_RETRIES),
        webhook_allow_private=_flag(env, "WEBHOOK_ALLOW_PRIVATE", False),
        testsend_per_editor_hour=_int(env, "TESTSEND_PER_EDITOR_HOUR", 20, minimum=1),
        testsend_per_edition_hour=_int(env, "TESTSEND_PER_EDITION_HOUR", 40, minimum=1),
        db_pool_size=_int(env, "DB_POOL_SIZE", 5, minimum=1),
        db_max_overflow=_int(env, "DB_MAX_OVERFLOW", 10),
        db_pool_timeout=_int(env, "DB_POOL_TIMEOUT", 30, minimum=1),
        db_server_prepare=_flag(env, "DB_SERVER_PREPARE", True),
        log_format=_log_format(env),
        metrics_token=_metrics_token(env),
        dns_resolver=env.get("DNS_RESOLVER", "").strip(),
        **_privacy(env),
        require_second_factor=mode == "production" or _flag(env, "REQUIRE_2FA", False),
        sso=_sso(env, mode),
        retired_keys=tuple(k.strip() for k in env.get("RETIRED_KEYS", "").split(",") if k.strip()),
        **_dkim(env, mail_from),
    )


def _relays(env: dict[str, str]) -> dict[str, object]:
    """SMTP_URLS (or SMTP_URL) may list several relays: the first is preferred."""
    name = "SMTP_URLS" if env.get("SMTP_URLS", "").strip() else "SMTP_URL"
    relays = parse_relays(_url(env, name, ("smtp", "smtps")))
    return {"smtp_url": relays[0], "smtp_fallbacks": relays[1:]}


def _sso(env: dict[str, str], mode: str) -> SsoSettings | None:
    try:
        return sso_from_env(env, production=mode == "production")
    except SsoConfigError as exc:
        raise ConfigError(str(exc)) from exc


def _log_format(env: dict[str, str]) -> str:
    value = env.get("LOG_FORMAT", "text").strip().lower() or "text"
    if value not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT moet text of json zijn, niet {value!r}")
    return value


def _privacy(env: dict[str, str]) -> dict[str, str]:
    """The privacy page's contacts; an address that is not one is a configuration error."""
    found = {}
    for name, key in (
        ("PRIVACY_CONTROLLER", "privacy_controller"),
        ("PRIVACY_CONTACT", "privacy_contact"),
        ("PRIVACY_DPO", "privacy_dpo"),
    ):
        value = env.get(name, "").strip()
        if not value:
            continue
        if key != "privacy_controller" and ("@" not in value or not value.isprintable()):
            raise ConfigError(f"{name} moet een e-mailadres zijn, niet {value!r}")
        found[key] = value
    return found


def _trusted_proxies(env: dict[str, str]) -> int | tuple[object, ...]:
    try:
        return parse_trusted(env.get("TRUSTED_PROXIES", ""))
    except ValueError:
        raise ConfigError(
            "TRUSTED_PROXIES moet een aantal proxy's zijn, of netwerken zoals 10.0.0.0/8"
        ) from None


#: what a bearer token may hold (RFC 6750's b64token): it goes into a header, on one line
BEARER_TOKEN = re.compile(r"^[A-Za-z0-9._~+/-]+=*$")


def _metrics_token(env: dict[str, str]) -> str:
    """Unset: no /metrics. Set: long and random enough that guessing it is hopeless."""
    token = env.get("METRICS_TOKEN", "").strip()
    if not token:
        return ""
    if _weak(token) or not BEARER_TOKEN.match(token):
        raise ConfigError(
            "METRICS_TOKEN moet minstens 32 willekeurige tekens hebben "
            "(letters, cijfers en - . _ ~ + /)"
        )
    return token


def _weak(key: str) -> bool:
    """Too short, the development key, or plainly not random ('a' * 32, 'abab…')."""
    return len(key) < 32 or key == DEV_SECRET or len(set(key)) < 8


def _suppression_key(env: dict[str, str], mode: str, keys: tuple[str, ...]) -> str:
    """Its own key: SECRET_KEYS rotate, and a rotated key would forget every erased address."""
    key = env.get("SUPPRESSION_KEY", "").strip()
    if not key and mode != "production":
        return "dev-suppression-" + keys[0]
    if _weak(key):
        raise ConfigError("SUPPRESSION_KEY moet minstens 32 willekeurige tekens hebben")
    if key in keys:
        raise ConfigError("SUPPRESSION_KEY moet anders zijn dan elke sleutel in SECRET_KEYS")
    return key


def _dkim(env: dict[str, str], mail_from: str) -> dict[str, object]:
    """DKIM is optional; half a configuration is an error, not a silent unsigned send."""
    selector = env.get("DKIM_SELECTOR", "").strip()
    key_file = env.get("DKIM_PRIVATE_KEY_FILE", "").strip()
    ed_selector = env.get("DKIM_ED25519_SELECTOR", "").strip()
    ed_file = env.get("DKIM_ED25519_KEY_FILE", "").strip()
    if not selector and not key_file and not ed_selector and not ed_file:
        return {}
    if not selector or not key_file:
        raise ConfigError("DKIM heeft zowel DKIM_SELECTOR als DKIM_PRIVATE_KEY_FILE nodig")
    domain = env.get("DKIM_DOMAIN", "").strip() or mail_from.rpartition("@")[2].strip(" >")
    found = {"dkim_selector": selector, "dkim_domain": domain}
    found["dkim_key_file"] = _dkim_key("DKIM_PRIVATE_KEY_FILE", key_file, "rsa")
    if ed_selector or ed_file:
        if not ed_selector or not ed_file or ed_selector == selector:
            raise ConfigError(
                "Ed25519 heeft zowel DKIM_ED25519_SELECTOR als DKIM_ED25519_KEY_FILE nodig, "
                "met een andere selector dan DKIM_SELECTOR"
            )
        found["dkim_ed25519_selector"] = ed_selector
        found["dkim_ed25519_key_file"] = _dkim_key("DKIM_ED25519_KEY_FILE", ed_file, "ed25519")
    return found


def _dkim_key(setting: str, key_file: str, kind: str) -> Path:
    """The key file, checked now: a key that cannot sign fails at start, not at the first mail."""
    path = Path(key_file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{setting} is niet te lezen: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{setting} is geen private key in PEM-vorm (zonder wachtzin)") from None
    wanted = rsa.RSAPrivateKey if kind == "rsa" else ed25519.Ed25519PrivateKey
    if not isinstance(key, wanted):
        raise ConfigError(f"{setting} is geen {kind.upper()}-sleutel")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 1024:
        raise ConfigError(f"{setting}: een RSA-sleutel heeft minstens 1024 bits (2048 aangeraden)")
    return path

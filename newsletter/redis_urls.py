"""Redis clients from a URL, for the app, the job broker and the rate limiter alike: one Redis
(`redis://`, `rediss://`, `unix://`) or one watched by Redis Sentinel, so that no single Redis
takes the service down (docs/operations.md#redis).

    redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/service_name[/db]

The sentinels are asked where the primary is; after a failover the next command finds the new
one. Every client has socket timeouts: a Redis that hangs costs a request seconds, not forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
#: seconds: to connect, and for one command (the broker's fetch is a short script, no BLPOP)
CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 5.0
TIMEOUTS = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT}


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    password: str | None = None
    username: str | None = None


def parse_sentinel(url: str) -> SentinelUrl:
    """ValueError (in Dutch, for the settings check) when the URL is not usable."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"geen {SENTINEL_SCHEME}://-adres")
    hosts = parts.netloc.rsplit("@", 1)[-1]
    sentinels = []
    for item in hosts.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{item!r} is geen host:poort van een sentinel")
        sentinels.append((host.strip("[]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError("zet de naam van de Redis-dienst (en eventueel het db-nummer) in het pad")
    return SentinelUrl(
        sentinels=tuple(sentinels),
        service=path[0],
        db=int(path[1]) if len(path) == 2 else 0,
        password=unquote(parts.password) if parts.password else None,
        username=unquote(parts.username) if parts.username else None,
    )


def is_sentinel(url: str) -> bool:
    return url.startswith(SENTINEL_SCHEME + "://")


def connect(url: str, **options: object) -> redis.Redis:
    """A client for `url`, with TIMEOUTS unless `options` say otherwise."""
    options = TIMEOUTS | options
    if not is_sentinel(url):
        return redis.Redis.from_url(url, **options)  # type: ignore[arg-type]
    target = parse_sentinel(url)
    auth = {"password": target.password, "username": target.username}
    auth = {k: v for k, v in auth.items() if v}
    sentinel = Sentinel(
        list(target.sentinels),
        # asking a sentinel must not hang either; sentinels may have their own password
        sentinel_kwargs={"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": 1.0},
    )
    return sentinel.master_for(target.service, db=target.db, **auth, **options)  # type: ignore[arg-type]


def limiter_storage(url: str) -> tuple[str, dict[str, object]]:
    """Flask-Limiter's storage URI and options for `url` (the limits package writes the
    sentinel URL without a db number; it comes as an option). Never a replica: a replica's
    count lags, so a limit would let more through."""
    if is_sentinel(url):
        target = parse_sentinel(url)
        auth = url.split("://", 1)[1].rsplit("@", 1)[0] + "@" if "@" in url else ""
        hosts = ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in target.sentinels)
        options: dict[str, object] = {"db": target.db, "use_replicas": False, **TIMEOUTS}
        options["sentinel_kwargs"] = {"socket_connect_timeout": CONNECT_TIMEOUT,
                                      "socket_timeout": 1.0}  # fmt: skip
        return f"{SENTINEL_SCHEME}://{auth}{hosts}/{target.service}", options
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :], dict(TIMEOUTS)
    return url, dict(TIMEOUTS)

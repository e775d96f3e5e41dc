"""DATABASE_URL as operators write it, turned into what SQLAlchemy and psycopg 3 take.

libpq lists several servers in one URL (`postgresql://u@db1:5432,db2:5432/ravijn?
target_session_attrs=read-write`): psycopg tries them in order and keeps the first that
takes writes, so after a failover the app finds the new primary by itself. SQLAlchemy cannot
parse that host list; it takes the same servers as `?host=db1:5432&host=db2:5432`, which is
what this module writes. Several servers without `target_session_attrs=read-write` (or
`primary`) are refused: the app could land on a replica that only reads.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

POSTGRES_PREFIXES = ("postgresql+psycopg://", "postgresql://", "postgres://")
WRITABLE = {"read-write", "primary"}
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::(\d+))?$")


class DatabaseUrlError(ValueError):
    """The message is Dutch, for the operator."""


def normalise(value: str) -> str:
    for prefix in POSTGRES_PREFIXES:
        if value.startswith(prefix):
            return "postgresql+psycopg://" + _postgres(value[len(prefix) :])
    return value


def _postgres(rest: str) -> str:
    netloc, _, tail = rest.partition("/")
    path, _, query = tail.partition("?")
    userinfo, at, hostlist = netloc.rpartition("@")
    params = parse_qsl(query, keep_blank_values=True)
    in_netloc = [h for h in hostlist.split(",") if h] if hostlist else []
    in_query = [v for k, v in params if k == "host" and v and not v.startswith("/")]
    for host in (*in_netloc, *in_query):
        _check(host)
    if len(in_netloc) + len(in_query) > 1:
        attrs = dict(params).get("target_session_attrs", "")
        if attrs not in WRITABLE:
            raise DatabaseUrlError(
                "DATABASE_URL noemt meer dan één server: zet er "
                "?target_session_attrs=read-write achter, anders kan de app op een server "
                "terechtkomen die alleen leest."
            )
    if len(in_netloc) <= 1:
        return rest  # one server: the URL as it was
    hosts = [("host", h) for h in in_netloc]
    others = [(k, v) for k, v in params]
    return f"{userinfo}{at}/{path}?{urlencode(hosts + others, safe=':[]/')}"


def _check(host: str) -> None:
    found = _HOST.match(host)
    if not found:
        raise DatabaseUrlError(f"DATABASE_URL: {host!r} is geen server (naam of naam:poort)")
    port = found.group(2)
    if port is not None and not 0 < int(port) < 65536:
        raise DatabaseUrlError(f"DATABASE_URL: poort {port} bestaat niet")

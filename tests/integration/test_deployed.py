"""Findings about the deployed server, tested against gunicorn as production runs it:
1 (behind a reverse proxy every visitor shared one rate limit) and 4 (one 8 MB post tied up a
worker). The "proxy" is a client that connects from 127.0.0.2, the one trusted hop."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from newsletter.dev.sink import free_port
from newsletter.settings import PROJECT_ROOT
from newsletter.subscribers.models import ConsentEvent, Subscriber
from tests.helpers import wait_until

PROXY = "127.0.0.2"  # the reverse proxy's address: the only one whose X-Forwarded-For counts
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]*)"')


@pytest.fixture
def gunicorn(request, db, tmp_path):
    """gunicorn as in production; TRUSTED_PROXIES from the test's parameter (default: the
    proxy's network)."""
    port = free_port()
    env = os.environ | {
        "TRUSTED_PROXIES": getattr(request, "param", f"{PROXY}/32"),
        "SIGNUP_RATE_LIMIT": "10 per minute;60 per hour",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"),
            *("--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "wsgi:app"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def up() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/aanmelden")
            response = connection.getresponse()
            response.read()
            return response.status == 200
        except OSError:
            return False
        finally:
            connection.close()

    wait_until(up, 30, "gunicorn to answer")
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()


class Browser:
    """One visitor: its own cookies, connecting from `source`, maybe through the proxy."""

    def __init__(self, port: int, source: str = "127.0.0.1", forwarded_for: str | None = None):
        self.port, self.source, self.forwarded_for = port, source, forwarded_for
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        headers = dict(headers or {})
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
            headers["X-Forwarded-Proto"] = "https"
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or ():
            if cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def sign_up(self, email: str) -> int:
        status, page = self.request("GET", "/aanmelden")
        assert status == 200
        html = page.decode()
        form = {
            "csrf_token": CSRF.search(html).group(1),
            "started": STARTED.search(html).group(1),
            "name": "Lezer",
            "email": email,
            "gemeente": "Utrecht",
            "role": "raadslid",
            "consent": "y",
            "website": "",
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{self.port}/aanmelden",
        }
        status, _ = self.request("POST", "/aanmelden", urlencode(form).encode(), headers)
        return status


def subscribers_made(db, count: int) -> bool:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Subscriber)) >= count


def test_behind_the_proxy_each_reader_counts_for_themselves(gunicorn, db, worker):
    answers = [
        Browser(gunicorn, PROXY, f"203.0.113.{i % 250}, 198.51.{i // 250}.{i % 250}").sign_up(
            f"lezer{i}@gemeente.example"
        )
        for i in range(200)
    ]
    assert answers == [303] * 200  # 200 readers through one proxy: nobody is refused
    wait_until(lambda: subscribers_made(db, 200), 60, "the worker to handle 200 sign-ups")
    networks = dict(
        db.session.execute(
            select(Subscriber.email_key, ConsentEvent.ip_prefix).join(
                ConsentEvent, ConsentEvent.subscriber_id == Subscriber.id
            )
        ).all()
    )
    db.session.commit()
    assert len(networks) == 200
    assert networks["lezer7@gemeente.example"] == "198.51.0.0/24"  # the reader, not the proxy

    # a client that talks to us directly and claims to be someone else: its own address counts
    spoofer = [
        Browser(gunicorn, "127.0.0.1", f"198.51.100.{i}").sign_up(f"nep{i}@gemeente.example")
        for i in range(12)
    ]
    assert spoofer.count(429) >= 2  # "10 per minute" per client, whatever it claims
    wait_until(lambda: subscribers_made(db, 200 + spoofer.count(303)), 30, "the spoofer's")
    spoofed = db.session.scalars(
        select(ConsentEvent.ip_prefix)
        .join(Subscriber, Subscriber.id == ConsentEvent.subscriber_id)
        .where(Subscriber.email_key.like("nep%"))
    ).all()
    assert spoofed and set(spoofed) == {"127.0.0.0/24"}


def post_raw(port: int, path: str, body: bytes) -> int:
    """POST as a client that keeps sending: the status the server answers with, even when it
    answers (and closes) before the body is through."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        # refused before the body was read is what we want: the pipe then breaks
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(head + body)
        answer = connection.recv(64)
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("gunicorn", ["1"], indirect=True)
def test_with_one_trusted_hop_the_proxys_own_entry_counts(gunicorn, db, worker):
    """TRUSTED_PROXIES=1: the proxy appends the address it saw; whatever the client wrote in
    front of it (a spoofed X-Forwarded-For) changes nothing."""
    answers = [
        Browser(
            gunicorn, "127.0.0.1", f"6.6.6.6, 192.0.2.{i % 250}, 198.51.{i // 250}.{i % 250}"
        ).sign_up(f"hop{i}@gemeente.example")
        for i in range(200)
    ]
    assert answers == [303] * 200
    wait_until(lambda: subscribers_made(db, 200), 60, "the worker to handle 200 sign-ups")
    networks = set(db.session.scalars(select(ConsentEvent.ip_prefix)))
    db.session.commit()
    assert "198.51.0.0/24" in networks and not any(
        n.startswith(("6.6.6.", "192.0.2.")) for n in networks
    )


def refused_before_the_body(port: int, path: str, length: int) -> int:
    """Announce `length` bytes, send only the headers: a server that waits for the body never
    answers (the read times out and fails the test); one that refuses at once answers now."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head)
        answer = connection.recv(64)
    return int(answer.split(b" ", 2)[1])


def test_an_8_mb_body_is_refused_before_it_is_read(gunicorn):
    body = b"&" * 8_000_000  # 8 MB of empty fields: under the old 8 MiB limit, parsed for seconds
    for path in ("/aanmelden", "/beheer/inloggen", "/bevestigen/opnieuw"):
        assert post_raw(gunicorn, path, body) == 413, path
        assert refused_before_the_body(gunicorn, path, len(body)) == 413, path
    # as many fields as fit in the limit: answered at once, not after seconds of parsing
    many_fields = b"&".join([b"a="] * 21_000)
    status, _ = Browser(gunicorn).request(
        "POST", "/aanmelden", many_fields, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status in (400, 413, 422)

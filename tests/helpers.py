"""Helpers for tests: hidden form fields, and waits that fail the test when they time out."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]*)"')


def form_tokens(client, path: str) -> dict[str, str]:
    """GET a page and return its hidden form fields (CSRF token, time-trap)."""
    html = client.get(path).get_data(as_text=True)
    found = CSRF.search(html) or CSRF.search(client.get("/aanmelden").get_data(as_text=True))
    tokens = {"csrf_token": found.group(1)}
    started = STARTED.search(html)
    if started:
        tokens["started"] = started.group(1)
    return tokens


def wait_until(
    check: Callable[[], T], timeout: float, what: str | Callable[[], str], step: float = 0.1
) -> T:
    """The first truthy value of `check()`; fails the test, naming `what`, after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"waited {timeout:g} s for {described}; last saw {value!r}")
        time.sleep(step)


def current_edition(edition_id: int):
    """The edition as the database has it now (not as this session remembers it)."""
    from newsletter.editions.models import Edition
    from newsletter.extensions import db

    db.session.expire_all()
    edition = db.session.get(Edition, edition_id)
    db.session.commit()
    return edition


def wait_for_state(app, edition_id: int, *states, timeout: float = 30):
    """The edition once its state is one of `states`; fails the test after `timeout` s."""

    def reached():
        edition = current_edition(edition_id)
        return edition if edition.state in states else None

    return wait_until(
        reached,
        timeout,
        lambda: (
            f"edition {edition_id} to be {' or '.join(map(str, states))} "
            f"(it is {current_edition(edition_id).state})"
        ),
    )


def ledger(db, edition_id: int) -> dict[str, int]:
    """Ledger rows of an edition by state."""
    from sqlalchemy import func, select

    from newsletter.delivery.models import Delivery

    rows = db.session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.edition_id == edition_id)
        .group_by(Delivery.state)
    ).all()
    db.session.commit()
    return {str(state): n for state, n in rows}


def spam_score(raw: bytes) -> float:
    """SpamAssassin's local score of a whole message (Debian's spamassassin, no network tests)."""
    result = subprocess.run(
        ["spamassassin", "-L", "-t"], input=raw, capture_output=True, check=True, timeout=120
    )
    status = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", result.stdout)
    assert status, result.stdout[:500]
    return float(status.group(1))


def backdated_token(app, purpose, payload: object, seconds: int) -> str:
    """A token of `purpose` as the app would have signed it `seconds` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - seconds

    keys = list(reversed(app.config["SETTINGS"].secret_keys))
    return URLSafeTimedSerializer(keys, salt=purpose.value, signer=Earlier).dumps(payload)


def https_client(app, referer: str = "https://localhost/beheer/"):
    """A fresh client that speaks https with a same-origin Referer (CSRF's strict check)."""
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": referer})
    return client

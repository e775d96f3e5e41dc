"""Fixtures on real parts: PostgreSQL (or SQLite), Redis, an aiosmtpd sink, a Dramatiq worker.

The environment is set before the app is built, because `workers` builds it from the
environment exactly as `dramatiq workers` does in production.
TEST_DATABASE_URL / TEST_REDIS_URL choose the servers (defaults: this machine's PostgreSQL
and Redis database 15); TEST_DATABASE_URL=sqlite runs the same suite on a SQLite file.
"""

from __future__ import annotations

import dataclasses
import os
import smtplib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.dev.sink import SmtpSink
from tests.factories import EDITOR_PASSWORD, make_editor
from tests.helpers import form_tokens
from tests.parallel import own_database, own_redis_database

TMP = Path(tempfile.mkdtemp(prefix="ravijn-tests-"))
#: pytest-xdist's worker ("gw0", "gw1", …): each has a database and a Redis database of its own
XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
_db = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
_redis = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
if _db == "sqlite":
    _db = f"sqlite:///{TMP / 'test.sqlite3'}"
elif XDIST:
    _db = own_database(_db, XDIST)
if XDIST:
    _redis = own_redis_database(_redis, XDIST)
SINK = SmtpSink(port=0, outbox_dir=TMP / "outbox")

os.environ.update(
    {
        "NEWSLETTER_ENV": "test",
        "INSTANCE_PATH": str(TMP),
        "DATABASE_URL": _db,
        "REDIS_URL": _redis,
        "SMTP_URL": f"smtp://127.0.0.1:{SINK.port}",
        "MAIL_FROM": "OVER het ravijn <nieuwsbrief@ravijn.example>",
        "BASE_URL": "https://ravijn.example",
        "SECRET_KEYS": "test-key-one-0123456789abcdefghijklmnop,test-key-old-0123456789abcdefghij",
        "SIGNUP_MIN_SECONDS": "0",
        "SIGNUP_RATE_LIMIT": "100000 per minute",
        "SIGNUP_ADDRESS_LIMIT": "100000 per hour",
        "SEND_RATE": "0",
        "RETRY_BASE_SECONDS": "1",
        "LEASE_SECONDS": "10",
        "RECONCILE_SECONDS": "2",
        # most tests are a one-person team; the tests of four-eyes and 2FA switch them on
        "FOUR_EYES": "off",
        # the goodbye goes at once; the tests of the return window set one themselves
        "RETURN_WINDOW_SECONDS": "0",
    }
)


def _reset_schema(app) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from newsletter.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()


def _fresh_csrf_cache() -> None:
    """Tests keep one app context open across requests (the `db` fixture), so Flask's `g`
    lives longer than a request; Flask-WTF caches the page's CSRF token there and Flask-Login
    the logged-in editor. Each request starts without them, as every request does in
    production (where two test clients would otherwise see each other's editor)."""
    from flask import g

    g.pop("csrf_token", None)
    g.pop("_login_user", None)  # Flask-Login's user of the request, likewise


#: the running test worker, while a test has asked for one (see `worker`)
RUNNING: dict[str, object] = {}
#: the session's worker once started (it keeps running between tests), and whether paused
SESSION_WORKER: dict[str, object] = {}


def _drain_session_worker() -> None:
    """Let the session's worker finish what an earlier test queued (a sign-up it left), so it
    cannot write into the clean database of the next test."""
    if SESSION_WORKER and not SESSION_WORKER.get("paused"):
        from newsletter.jobs import TESTSEND, TRANSACTIONAL

        SESSION_WORKER["broker"].join(TRANSACTIONAL, timeout=10_000)
        SESSION_WORKER["broker"].join(TESTSEND, timeout=10_000)
        SESSION_WORKER["worker"].join()


#: forms whose request stores what was typed and leaves the rest to a worker
WORKER_FORMS = {
    "/aanmelden",
    "/bevestigen/opnieuw",
    "/voorkeuren/nieuwe-link",
    "/beheer/wachtwoord-vergeten",
}


def _signup_client_class():
    from flask.testing import FlaskClient

    class SignupClient(FlaskClient):
        """A sign-up (or a request for a link by mail) is stored by the request and handled by
        a worker (equal work for every address). With a test worker running, the client waits
        for it, so a test reads the outcome right after the answer, as a reader would see it a
        moment later."""

        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            request = response.request
            if RUNNING and request.method == "POST" and request.path in WORKER_FORMS:
                from newsletter.jobs import TRANSACTIONAL

                # queued and in-progress messages alike: the form, then its confirmation mail
                RUNNING["broker"].join(TRANSACTIONAL, timeout=10_000)
            return response

    return SignupClient


@pytest.fixture(scope="session")
def app():
    SINK.start()
    import workers

    workers.app.test_client_class = _signup_client_class()
    # first of all hooks: the app's own (session check, CSRF) must see a fresh `g`
    workers.app.before_request_funcs.setdefault(None, []).insert(0, _fresh_csrf_cache)
    _reset_schema(workers.app)
    yield workers.app
    SINK.stop()


@pytest.fixture(scope="session")
def broker(app):
    import workers

    return workers.broker


#: reference data, seeded by the migrations: kept between tests
KEPT_TABLES = {"gemeente", "alembic_version"}


def _clean(_db, attempts: int = 3) -> None:
    """Delete every row but the reference data. A batch of the previous test that the session's
    worker is still finishing may lock the same rows in the other order: PostgreSQL then ends
    one of the two (a deadlock), and when that is the cleaning, it goes again."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            for table in reversed(_db.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    _db.session.execute(table.delete())
            _db.session.commit()
            return
        except OperationalError as error:
            _db.session.rollback()
            if "deadlock" not in str(error) or attempt == attempts - 1:
                raise


@pytest.fixture
def db(app) -> Iterator[object]:
    """A clean database (the gemeenten stay) and an empty Redis database for every test.

    The tables come from the metadata (children first), so a new table is cleaned too.
    """
    from newsletter.extensions import db as _db

    _drain_session_worker()
    with app.app_context():
        _clean(_db)
        app.extensions["broker"].client.flushdb()
        yield _db
        _db.session.remove()


@pytest.fixture
def sink(app) -> Iterator[SmtpSink]:
    SINK.clear()
    yield SINK
    SINK.clear()


@pytest.fixture
def client(app, db):
    """Speaks https, like production behind its proxy (the session cookie is Secure)."""
    test_client = app.test_client()
    test_client.environ_base["wsgi.url_scheme"] = "https"
    test_client.environ_base["HTTP_REFERER"] = "https://localhost/aanmelden"
    return test_client


@pytest.fixture
def settings(app):
    """Change settings for one test: `settings(signup_min_seconds=2)`."""
    original = app.config["SETTINGS"]

    def change(**values: object) -> None:
        app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], **values)

    yield change
    app.config["SETTINGS"] = original


@pytest.fixture(scope="session")
def _worker(app, broker):
    import random

    import dramatiq
    import dramatiq.brokers.redis
    import dramatiq.common

    # Dramatiq rolls dice on the global `random` (maintenance, idle back-off jitter); its
    # own dice keep the worker's threads from disturbing Hypothesis while it generates data
    dice = random.Random()
    dramatiq.brokers.redis.random = dice
    dramatiq.common.uniform = dice.uniform
    # a paused consumer leaves its loop and restarts after this delay (3 s by default), and
    # `paused_worker` waits for it: 3 s at the start of each test that pauses the worker
    dramatiq.worker.CONSUMER_RESTART_DELAY_SECS = 0.1

    # no clock in this process: a tick would run the reconciler (and purge expired sign-ups)
    # in the middle of tests that change settings; tests of the clock call it themselves
    from workers.clock import ClockMiddleware

    broker.middleware[:] = [m for m in broker.middleware if not isinstance(m, ClockMiddleware)]
    w = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    w.start()
    SESSION_WORKER.update(worker=w, broker=broker)
    yield w
    SESSION_WORKER.clear()
    w.stop()


@pytest.fixture
def worker(_worker, broker, sink, db):
    """A real Dramatiq worker (threads in this process) on the real Redis broker.

    Before the test it lets the worker finish what it already holds (messages it fetched before
    Redis was flushed) and empties the sink again; after the test it drains the queues. So no
    mail of one test reaches the next.
    """
    from newsletter.jobs import BULK, MAINTENANCE, TESTSEND, TRANSACTIONAL

    _worker.join()
    sink.clear()
    RUNNING.update(worker=_worker, broker=broker)
    yield _worker
    RUNNING.clear()
    broker.join(TRANSACTIONAL, timeout=15_000)
    broker.join(TESTSEND, timeout=15_000)
    broker.join(BULK, timeout=30_000)
    broker.join(MAINTENANCE, timeout=30_000)
    _worker.join()


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    """A client logged in as an editor."""
    data = form_tokens(client, "/beheer/inloggen") | {
        "email": editor.email,
        "password": EDITOR_PASSWORD,
    }
    assert client.post("/beheer/inloggen", data=data).status_code == 303
    return client


@pytest.fixture
def paused_worker(_worker, broker, db):
    """The session's worker exists but takes nothing, so a test can look at the queue."""
    _worker.pause()
    SESSION_WORKER["paused"] = True
    yield
    broker.flush_all()
    SESSION_WORKER.pop("paused", None)
    _worker.resume()


#: ports a test may send SMTP to: the sink, plus any a test starts itself (allow_smtp)
SMTP_PORTS: set[int] = set()


@pytest.fixture
def allow_smtp():
    """`allow_smtp(port)`: this test talks to its own SMTP server on `port`."""
    added: list[int] = []

    def allow(port: int) -> None:
        SMTP_PORTS.add(port)
        added.append(port)

    yield allow
    SMTP_PORTS.difference_update(added)


@pytest.fixture(autouse=True)
def no_stray_smtp(monkeypatch):
    """Fail any SMTP connection that does not go to the test sink."""
    real_connect = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if host != "127.0.0.1" or int(port) not in SMTP_PORTS | {SINK.port}:
            raise AssertionError(f"unexpected SMTP connection to {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)


@pytest.fixture
def signup_form(client):
    """A valid sign-up payload with fresh hidden fields; override fields with kwargs."""

    def make(**fields: str) -> dict[str, str]:
        data = {
            "name": "Anna de Vries",
            "email": "anna@utrecht.example",
            "gemeente": "Utrecht",
            "role": "wethouder",
            "consent": "y",
            "website": "",
        }
        data.update(form_tokens(client, "/aanmelden"))
        data.update(fields)
        return data

    return make


def pytest_collection_modifyitems(config, items) -> None:
    """Whole sends with a fleet of real processes say `serial`: they run one at a time, in a
    lane beside the parallel part (.ci/test), on services of their own. An acceptance test
    that does not run a fleet (the API fuzzing) runs in the parallel part on its own database
    and Redis, like every other test."""
    for item in items:
        if "acceptance" in item.path.parts and "fleet" in str(item.path.read_text()):
            assert item.get_closest_marker("serial"), f"{item.nodeid} runs a fleet: mark it serial"


#: the people at the test provider (tests/oidc): their groups map to roles in `sso` below
SSO_ACCOUNTS = {
    "anna": {"email": "anna.jansen@vng.example", "name": "Anna Jansen", "groups": ["g-redactie"]},
    "bert": {"email": "bert@vng.example", "name": "Bert Bos", "groups": ["g-eind", "g-beheer"]},
    "chris": {"email": "chris@vng.example", "name": "Chris Smit", "groups": ["g-kantine"]},
    # logs in at the provider with a password only (no second factor)
    "dirk": {"email": "dirk@vng.example", "name": "Dirk", "groups": ["g-redactie"], "mfa": False},
}


@pytest.fixture(scope="session")
def _app_server(app):
    """The app on a free port in a thread, for what calls it over HTTP (the provider's
    back-channel logout)."""
    import threading

    from werkzeug.serving import make_server

    from newsletter.dev.sink import free_port

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def oidc_provider(_app_server, tmp_path_factory):
    """A real OpenID Connect provider (tests/oidc), sending people back to https://ravijn.example
    (the test client's base URL) and back-channel logouts to `_app_server`."""
    from tests.oidc import Provider

    provider = Provider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=["https://ravijn.example/beheer/sso/terug"],
        backchannel_uri=f"{_app_server}/beheer/sso/uitgelogd",
        post_logout_redirect_uris=["https://ravijn.example/beheer/inloggen"],
    ).start()
    yield provider
    provider.stop()


def sso_settings(provider, **values):
    from newsletter.sso_settings import SsoSettings
    from tests.oidc import CLIENT_ID, CLIENT_SECRET

    return SsoSettings(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        role_map=(
            ("g-redactie", ("redacteur",)),
            ("g-eind", ("eindredacteur",)),
            ("g-beheer", ("beheerder",)),
        ),
        scopes="openid email profile groups",
        helpdesk="de servicedesk (servicedesk@vng.example)",
        **values,
    )


@pytest.fixture
def sso(settings, oidc_provider, db):
    """Single sign-on on, against the test provider, with its people as in SSO_ACCOUNTS."""
    import copy

    oidc_provider.set_accounts(copy.deepcopy(SSO_ACCOUNTS))
    made = sso_settings(oidc_provider)
    settings(sso=made)
    return made

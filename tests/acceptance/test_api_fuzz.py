"""The JSON API under generated requests: Schemathesis reads /api/v1/openapi.json from gunicorn
as production runs it and sends at least 1,000 requests made from that document (valid ones and
deliberately wrong ones) with real keys that hold every scope. No answer may be a 5xx, and every
answer must match the document: a documented status code, its content type, its body schema.

Generic over the document: whatever operations it holds when the test runs are exercised, and
path parameters named like a seeded row (reader_id, edition_id) get a real id half the time, so
the requests reach past the 404. Why gunicorn rather than the test client: the document, the
key check, the error handlers and the production settings are exercised as deployed, and a
request that kills a worker shows up as a request without an answer. One answer is counted but
not checked: gunicorn's own 414 for a request line over 4,094 bytes, which the app never sees.

Why the checks can fail: `test_the_fuzzer_reports_a_server_error` runs the same fuzzer against
a server that answers 500 to everything and requires a finding for every operation; the main
test fails on any finding (and, separately, on any 5xx status it counted).
"""

from __future__ import annotations

import http.server
import itertools
import json
import math
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as conformance
from schemathesis.errors import FailureGroup

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.dev.sink import free_port
from newsletter.settings import PROJECT_ROOT
from tests.factories import SOURCE, make_subscriber, subscribers
from tests.helpers import wait_until

pytestmark = [pytest.mark.slow]

TARGET = 1_000  # requests made from the document, at least
SECONDS = 150  # the fuzzing stops here even if short of TARGET (and the test then fails)
#: the API allows 600 calls per minute per key; spread over this many keys, the fuzzing never
#: reaches that limit, so its requests test the operations rather than the limiter
KEYS = 8
CHECKS = [
    conformance.not_a_server_error,
    conformance.status_code_conformance,
    conformance.content_type_conformance,
    conformance.response_schema_conformance,
]


def _config() -> schemathesis.Config:
    """Every request carries our key: Schemathesis would otherwise also generate (or, for
    invalid data, leave out) the Authorization header itself, and spend a fifth of the
    requests on 401s that the integration tests already cover."""
    return schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})


ACCESS_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /api/v1/(?!openapi\.json)')


@dataclass
class Outcome:
    """What the fuzzer did: requests answered, by status and by operation, and each distinct
    finding once (operation and check), with the first request that produced it."""

    made: int = 0
    unanswered: int = 0
    too_long: int = 0  # refused by gunicorn itself: request line over its limit
    statuses: Counter[int] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    findings: dict[tuple[str, str], str] = field(default_factory=dict)

    def report(self) -> str:
        return "\n\n".join(
            f"{op}: {title}\n{example}" for (op, title), example in self.findings.items()
        )


def _shown(data: object, limit: int = 600) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "backslashreplace")
    text = str(data)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _example(response: schemathesis.Response | None, case, problem: str) -> str:
    """The exact request and answer, to reproduce a finding by hand."""
    if response is None:
        request = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"
        return f"  request: {_shown(request)}\n  problem: {_shown(problem, 2000)}"
    sent = response.request
    return (
        f"  request: {sent.method} {sent.url}\n"
        f"  request body: {_shown(sent.body) if sent.body else '(none)'}\n"
        f"  answer: {response.status_code} {', '.join(response.headers.get('content-type', []))}\n"
        f"  answer body: {_shown(response.content)}\n"
        f"  problem: {_shown(problem, 2000)}"
    )


def fuzz(
    schema,
    base_url: str,
    secrets_: list[str],
    known: dict[str, list],
    *,
    target: int,
    seconds: float,
) -> Outcome:
    """Every operation of `schema`, valid and invalid data, in rounds until `target` requests
    were answered (or `seconds` passed). Findings are collected, not raised, so one run lists
    every distinct problem rather than the first."""
    operations = [schema[path][method] for path in schema for method in schema[path]]
    modes = list(GenerationMode)  # positive and negative
    per_round = math.ceil(target * 1.1 / (len(operations) * len(modes)))
    outcome = Outcome()
    session = requests.Session()
    key = itertools.cycle(secrets_)
    deadline = time.monotonic() + seconds

    def exercise(operation, mode: GenerationMode) -> None:
        @settings(
            max_examples=per_round,
            deadline=None,
            database=None,
            phases=[Phase.generate],  # findings are collected, so nothing is shrunk
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        def one(case, data) -> None:
            for name, values in known.items():
                if values and name in (case.path_parameters or {}) and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(values))
            headers = {"Authorization": f"Bearer {next(key)}"}
            try:
                response = case.call(
                    base_url=base_url, session=session, headers=headers, timeout=30
                )
            except requests.RequestException as exc:  # a worker died, or hung
                outcome.unanswered += 1
                outcome.findings.setdefault(
                    (operation.label, "no answer"), _example(None, case, repr(exc))
                )
                return
            outcome.made += 1
            outcome.statuses[response.status_code] += 1
            outcome.operations[operation.label] += 1
            if response.status_code == 414 and b"Request Line is too large" in response.content:
                # gunicorn's own limit (4094 bytes), met before the app: the document describes
                # the app, and a deployment's proxy has a limit of its own; counted, not checked
                outcome.too_long += 1
                return
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    outcome.findings.setdefault(
                        (operation.label, failure.title),
                        _example(response, case, failure.message or failure.title),
                    )

        try:
            one()
        except Unsatisfiable:
            if mode is not GenerationMode.NEGATIVE:
                raise
            # an operation without parameters or body has no invalid input to send

    while outcome.made < target and time.monotonic() < deadline:
        for operation in operations:
            for mode in modes:
                exercise(operation, mode)
    session.close()
    return outcome


def _seed(db, editor) -> dict[str, list]:
    """Readers in every state the API shows and two editions: the ids the fuzzer may use."""
    from newsletter.editions import services as editions
    from newsletter.subscribers.models import Role, SubscriberState

    made = subscribers(db, 150, gemeente_code="GM0344", role=Role.wethouder)
    made += subscribers(db, 100, prefix="amsterdam")
    for i, state in enumerate((SubscriberState.pending, SubscriberState.unsubscribed) * 10):
        made.append(make_subscriber(db, f"anders{i}@gemeente.example", state=state))
    db.session.commit()
    drafts = [editions.create(SOURCE, editor.id)[0] for _ in range(2)]
    return {"reader_id": [r.public_id for r in made], "edition_id": [e.id for e in drafts]}


@pytest.fixture
def served(app, db, editor, tmp_path):
    """gunicorn as in the production layout (docs/operations.md#production), on the test's
    database, Redis and sink, with real keys that hold every scope and seeded rows; yields
    what the fuzzer needs."""
    known = _seed(db, editor)
    secrets_ = [keys.create(f"Fuzz {n}", sorted(keys.SCOPES), 1, CLI).secret for n in range(KEYS)]
    port = free_port()
    env = os.environ | {
        "NEWSLETTER_ENV": "production",
        "SUPPRESSION_KEY": secrets.token_urlsafe(32),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"),
                *("--worker-class", "gthread", "--bind", f"127.0.0.1:{port}"),
                *("--logger-class", "newsletter.accesslog.MaskedLogger"),
                *("--access-logfile", "-", "--error-logfile", "-", "wsgi:app"),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_until(up, 30, "gunicorn to answer")
    try:
        yield {"base": base, "secrets": secrets_, "known": known, "log": log_path}
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_generated_requests_get_no_5xx_and_answers_that_match_the_document(served):
    schema = schemathesis.openapi.from_url(
        f"{served['base']}/api/v1/openapi.json", config=_config()
    )
    document = schema.raw_schema
    documented = sum(len(methods) for methods in document["paths"].values())
    started = time.monotonic()
    base = f"{served['base']}/api/v1"
    outcome = fuzz(schema, base, served["secrets"], served["known"], target=TARGET, seconds=SECONDS)
    seconds = time.monotonic() - started
    time.sleep(0.5)  # the access log is written after each answer
    logged = len(ACCESS_LINE.findall(served["log"].read_text(errors="replace")))
    print(
        f"\n{outcome.made} requests over {len(outcome.operations)} operations in {seconds:.0f} s"
        f" ({outcome.unanswered} unanswered, {outcome.too_long} request lines too long for "
        f"gunicorn, {logged} in gunicorn's access log); statuses "
        f"{dict(sorted(outcome.statuses.items()))}; per operation {dict(outcome.operations)}"
    )
    server_log = served["log"].read_text(errors="replace")
    tracebacks = "\n".join(
        line for line in server_log.splitlines() if not ACCESS_LINE.search(line)
    )[-4000:]
    assert not outcome.findings, (
        f"{len(outcome.findings)} distinct findings:\n\n{outcome.report()}\n\n"
        f"gunicorn's log (without access lines):\n{tracebacks}"
    )
    assert not [s for s in outcome.statuses if s >= 500]  # also without Schemathesis's word
    assert outcome.statuses[401] == 0  # every request carried a live key
    assert outcome.made >= TARGET
    assert logged + outcome.too_long >= outcome.made  # each request counted reached the app
    assert len(outcome.operations) == documented  # every operation in the document was called
    assert outcome.statuses[429] < outcome.made / 10  # the requests tested more than the limiter


class _Broken(http.server.BaseHTTPRequestHandler):
    """Answers every request with a 500, shaped as the API's own problem+json."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps(
            {"type": "about:blank", "title": "Er ging iets mis", "status": 500, "detail": "x"}
        ).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_the_fuzzer_reports_a_server_error(app):
    """The same fuzzer, the same document, a server that answers 500: every operation gets a
    "Server error" finding, so the main test cannot pass over a 500."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(document, config=_config())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
        outcome = fuzz(schema, base, ["rvn_000000000000_nee"], {}, target=50, seconds=30)
    finally:
        server.shutdown()
        server.server_close()
    documented = sum(len(methods) for methods in document["paths"].values())
    flagged = {op for op, title in outcome.findings if title == "Server error"}
    assert outcome.made >= 50 and outcome.statuses == {500: outcome.made}
    assert flagged == set(outcome.operations) and len(flagged) == documented

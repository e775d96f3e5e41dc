"""The JSON API under Schemathesis with all it has: its engine, as `st run` drives it, reads
/api/v1/openapi.json from gunicorn as production runs it and goes through every phase
(the document's examples, coverage of each keyword's edges, fuzzing with valid and invalid
data, and stateful sequences that follow the responses) with every check it registers:
no 5xx; status code, content type, headers and body as documented; invalid data refused
and valid data accepted (the document must say exactly what the server takes); 405 with
`Allow` for a method not documented; 401 without a key; a deleted reader stays gone.
Real keys that hold every scope, in turn, so that no key meets its rate.

The seed is new on each run and printed with the example count (both also with the
findings): API_FUZZ_SEED and API_FUZZ_EXAMPLES replay a run. Why gunicorn rather than the
test client: the document, the key check, the error handlers and the production settings
are exercised as deployed, and a request that kills a worker shows up as a request without
an answer.

Why the checks can fail: `test_the_fuzzer_reports_a_server_error` runs the same engine
against a server that answers 500 to everything and requires a finding for every operation;
the main test fails on any finding (and, separately, on any 5xx status it counted).
"""

from __future__ import annotations

import http.server
import itertools
import json
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
import schemathesis.engine
from schemathesis.checks import CHECKS
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.engine import events

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.dev.sink import free_port
from newsletter.settings import PROJECT_ROOT
from tests.factories import SOURCE, make_subscriber, subscribers
from tests.helpers import wait_until

pytestmark = [pytest.mark.slow]

#: examples per operation and phase in CI, beside the coverage phase's own (which do not depend
#: on this number); set API_FUZZ_EXAMPLES higher for a deeper run by hand
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
#: one seed in CI, so that a landing does not hang on chance; API_FUZZ_SEED=random explores
#: (the seed is printed, so a finding can be replayed with API_FUZZ_SEED)
_SEED = os.environ.get("API_FUZZ_SEED", "20261207")
SEED = secrets.randbelow(2**32) if _SEED == "random" else int(_SEED)
#: the API allows 600 calls per minute per key; spread over this many keys, the fuzzing never
#: reaches that limit, so its requests test the operations rather than the limiter
KEYS = 8
#: every check Schemathesis registers (the per-response ones and the stateful ones such as
#: use_after_free and ensure_resource_availability); the test fails if one is left out
EVERY_CHECK = frozenset(CHECKS.get_all_names())


#: the answers that refuse invalid data: Schemathesis's own list, and 413 for a body over the
#: size the server reads (a draft of more than 1 MB is refused before its schema is looked at)
REFUSALS = [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
PHASES = ("examples", "coverage", "fuzzing", "stateful")


def _config(
    base_url: str, examples: int = EXAMPLES, phases: tuple[str, ...] = ()
) -> schemathesis.Config:
    """Every phase (examples, coverage, fuzzing, stateful), every check, both generation
    modes: Schemathesis's own defaults, as `st run` has them, with a seed and an example
    count of our choosing."""
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "seed": SEED,
            # one thread, as `st run` has by default: with two, Hypothesis and Schemathesis
            # parse and import in both at once, which CPython 3.11 does not always survive
            # ("AST constructor recursion depth mismatch", a half-imported module)
            "workers": 1,
            "request-timeout": 30,
            "generation": {"max-examples": examples},
            "checks": {name: {"enabled": True} for name in sorted(EVERY_CHECK)}
            | {"negative_data_rejection": {"expected-statuses": REFUSALS}},
        }
        | ({"phases": {name: {"enabled": name in phases} for name in PHASES}} if phases else {})
    )


def _with_keys(schema, secrets_: list[str]) -> None:
    """Our keys, in turn: one per request, so no key reaches its rate."""
    turn = itertools.cycle(secrets_)

    class Keys:
        def get(self, case, ctx) -> str:
            return next(turn)

        def set(self, case, data: str, ctx) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth(refresh_interval=None)(Keys)


ACCESS_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) /api/v1/')


@dataclass
class Outcome:
    """What the engine did: requests answered, by status and by operation, each distinct
    finding once (operation and title) with the first request that produced it, and the
    phases that ran."""

    made: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    checks: set[str] = field(default_factory=set)
    phases: dict[str, str] = field(default_factory=dict)
    findings: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def report(self) -> str:
        return "\n\n".join(
            f"{op}: {title}\n{example}" for (op, title), example in self.findings.items()
        )


def _shown(data: object, limit: int = 600) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "backslashreplace")
    text = str(data)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _example(interaction, problem: str) -> str:
    """The exact request and answer, to reproduce a finding by hand."""
    if interaction is None:
        return f"  problem: {_shown(problem, 2000)}"
    sent, answer = interaction.request, interaction.response
    lines = [
        f"  request: {sent.method} {sent.uri}",
        f"  request body: {_shown(sent.body) if sent.body else '(none)'}",
    ]
    if answer is not None:
        lines += [
            f"  answer: {answer.status_code} {dict(answer.headers)}",
            f"  answer body: {_shown(answer.content)}",
        ]
    return "\n".join([*lines, f"  problem: {_shown(problem, 2000)}"])


def _note(outcome: Outcome, recorder) -> None:
    for case_id, interaction in recorder.interactions.items():
        if interaction.response is None:
            continue
        outcome.made += 1
        outcome.statuses[interaction.response.status_code] += 1
        outcome.operations[recorder.cases[case_id].value.operation.label] += 1
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            outcome.checks.add(node.name)
            if node.failure_info is None:
                continue
            failure = node.failure_info.failure
            label = failure.operation or recorder.label
            outcome.findings.setdefault(
                (label, failure.title),
                _example(recorder.interactions.get(case_id), failure.message or failure.title),
            )


def fuzz(schema) -> Outcome:
    """Schemathesis's engine as `st run` drives it; findings are collected, not raised, so
    one run lists every distinct problem rather than the first."""
    outcome = Outcome()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _note(outcome, event.recorder)
        elif isinstance(event, events.PhaseFinished):
            outcome.phases[event.phase.name.value] = event.status.value
        elif isinstance(event, events.NonFatalError | events.FatalError):
            outcome.errors.append(_shown(getattr(event, "value", None) or event.exception, 2000))
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                outcome.findings.setdefault(
                    (failure.operation, failure.title), _example(None, failure.message)
                )
    return outcome


def _seed(db, editor) -> None:
    """Readers in every state the API shows and two editions, so lists are not empty."""
    from newsletter.editions import services as editions
    from newsletter.subscribers.models import Role, SubscriberState

    subscribers(db, 150, gemeente_code="GM0344", role=Role.wethouder)
    subscribers(db, 100, prefix="amsterdam")
    for i, state in enumerate((SubscriberState.pending, SubscriberState.unsubscribed) * 10):
        make_subscriber(db, f"anders{i}@gemeente.example", state=state)
    db.session.commit()
    for _ in range(2):
        editions.create(SOURCE, editor.id)


@pytest.fixture
def served(app, db, editor, tmp_path):
    """gunicorn as in the production layout (docs/operations.md#production), on the test's
    database, Redis and sink, with real keys that hold every scope and seeded rows; yields
    what the fuzzer needs."""
    _seed(db, editor)
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
        yield {"base": base, "secrets": secrets_, "log": log_path}
    finally:
        process.terminate()
        process.wait(timeout=20)


# Hypothesis warns when it prints a large generated value (a 200 kB body): a remark on its own
# cost, not a finding; Schemathesis ignores it in its stateful phase, and so do we in all
@pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)
def test_every_check_of_schemathesis_passes_on_every_operation(served, capsys):
    base = f"{served['base']}/api/v1"
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", config=_config(base))
    _with_keys(schema, served["secrets"])
    documented = {f"{m.upper()} {p}" for p, ms in schema.raw_schema["paths"].items() for m in ms}
    with capsys.disabled():  # shown in CI's log whether the test passes or not
        print(f"\nschemathesis seed {SEED}, {EXAMPLES} examples per operation and phase "
              f"(replay: API_FUZZ_SEED={SEED} API_FUZZ_EXAMPLES={EXAMPLES})")  # fmt: skip
    started = time.monotonic()
    outcome = fuzz(schema)
    seconds = time.monotonic() - started
    time.sleep(0.5)  # the access log is written after each answer
    server_log = served["log"].read_text(errors="replace")
    logged = len(ACCESS_LINE.findall(server_log))
    summary = (
        f"{outcome.made} requests over {len(outcome.operations)} operations in {seconds:.0f} s "
        f"({logged} in gunicorn's access log); phases {outcome.phases}; checks run "
        f"{sorted(outcome.checks)}; statuses {dict(sorted(outcome.statuses.items()))}; "
        f"per operation {dict(outcome.operations)}"
    )
    with capsys.disabled():
        print(summary)
    tracebacks = "\n".join(
        line for line in server_log.splitlines() if not ACCESS_LINE.search(line)
    )[-4000:]
    assert not outcome.findings, (
        f"{len(outcome.findings)} distinct findings (seed {SEED}):\n\n{outcome.report()}\n\n"
        f"gunicorn's log (without access lines):\n{tracebacks}"
    )
    assert not outcome.errors
    assert not [s for s in outcome.statuses if s >= 500]  # also without Schemathesis's word
    assert set(outcome.phases) >= {"examples", "coverage", "fuzzing", "stateful"}
    assert set(outcome.phases.values()) <= {"success"}, outcome.phases
    assert set(outcome.operations) == documented  # every operation was called
    assert outcome.checks >= EVERY_CHECK
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

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_the_fuzzer_reports_a_server_error(app):
    """The same engine, the same document, a server that answers 500: every operation gets a
    "Server error" finding, so the main test cannot pass over a 500. (The fuzzing phase alone
    calls every operation; the coverage phase would spend a minute on a server that only fails.)"""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
        schema = schemathesis.openapi.from_dict(
            document, config=_config(base, examples=3, phases=("fuzzing",))
        )
        _with_keys(schema, ["rvn_000000000000_nee"])
        outcome = fuzz(schema)
    finally:
        server.shutdown()
        server.server_close()
    documented = {f"{m.upper()} {p}" for p, ms in document["paths"].items() for m in ms}
    flagged = {op for op, title in outcome.findings if title == "Server error"}
    assert outcome.made > 0 and set(outcome.statuses) == {500}
    assert flagged == documented

"""Issue 28, acceptance 1: one fleet of machines that share no disk and no clock.

Two web nodes (gunicorn) and two worker machines (`dramatiq workers`, two processes each), every
process with an instance folder of its own; the second worker machine runs under Debian's
`faketime +30s`. On web A an editor uploads an image and a CSV file and asks for a test mail,
and 40 readers sign up; they confirm on web B. Then an edition goes to 10,000 readers (seeded in
one INSERT), the imported ones and the 40. Checked:

- the image is in the test mail a worker sent, and web B serves it (ETag, 304);
- the CSV is imported by a worker, and its file is gone from the database;
- no node wrote an image or an import to its disk;
- every reader gets the edition: 0 lost, 0 duplicates (nothing fails here, so the bound of
  docs/sending.md#duplicates-which-remain-possible-and-why is 0), and the mail counters of the
  two worker machines, summed, count each mail once;
- no transactional mail twice: one confirmation, one welcome and one edition per new reader, one
  test mail; the confirmation links made 30 s ahead work on web B.

Before issue 28 the worker ahead saw the others' heartbeats as 30 s old, past the 15 s timeout,
at once, and requeued their messages at its next maintenance (18 of 40 readers got two
confirmations); its heartbeats and maintenances run all through the send.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from newsletter.blobs.models import Blob
from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import Edition, EditionState, MediaImage
from newsletter.settings import PROJECT_ROOT
from newsletter.signed_time import SkewTolerantSerializer
from newsletter.subscribers.models import ImportJob
from newsletter.subscribers.tokens import Purpose
from tests.acceptance.fleet import Fleet, seed_subscribers
from tests.acceptance.nodes import Node, Web
from tests.factories import SOURCE
from tests.helpers import wait_until
from tests.images import phone_photo
from tests.integration.test_journey import links_in

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # a fleet of processes on shared services
READERS = 10_000
IMPORTED = 50
SIGNUPS = 40
HEARTBEATS = "dramatiq:__heartbeats__"
CONFIRMATION, WELCOME = "Bevestig uw aanmelding", "Welkom bij"
BULK = ("lezer", "lid")  # the seeded and the imported readers: the sink only counts their mail


class Machines:
    def __init__(self, app, tmp: Path) -> None:
        self.fleet = Fleet(
            tmp,
            redis_url=app.config["SETTINGS"].redis_url,  # this process publishes the edition
            keep_for=lambda address: not address.startswith(BULK),
        )
        self.before = set(self.fleet.redis.zrange(HEARTBEATS, 0, -1))
        env = self.fleet.env | {
            "PYTHONPATH": str(PROJECT_ROOT),
            "TRUSTED_PROXIES": "127.0.0.1/32",  # a reader's address from X-Forwarded-For
        }
        self.web_a, self.web_b = Web("web-a", tmp, env), Web("web-b", tmp, env)
        self.metrics: list[Path] = []
        self.workers: list[Node] = []
        for name, prefix in (("worker-1", ()), ("worker-2", ("faketime", "-f", "+30s"))):
            metrics = tmp / f"{name}-metrics"
            metrics.mkdir()
            self.metrics.append(metrics)
            command = [*prefix, sys.executable, "-m", "dramatiq", "workers", "-p", "2", "-t", "4"]
            self.workers.append(
                Node(name, tmp, env | {"PROMETHEUS_MULTIPROC_DIR": str(metrics)}, command)
            )
        self.nodes = [self.web_a, self.web_b, *self.workers]

    def workers_up(self) -> bool:
        """Four worker processes beat, beside this process's own (paused) worker."""
        self.alive()
        return len(set(self.fleet.redis.zrange(HEARTBEATS, 0, -1)) - self.before) >= 4

    def alive(self) -> bool:
        for node in self.nodes:
            node.alive()
        return True

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        self.fleet.stop()


@pytest.fixture
def machines(app, db, paused_worker, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several machines on one database: PostgreSQL, as in production")
    if shutil.which("faketime") is None:
        pytest.fail("Debian's faketime is missing: run .ci/services as root")
    made = Machines(app, tmp_path)
    yield made
    made.stop()


def signed_at(app, confirm_path: str) -> datetime:
    keys = list(reversed(app.config["SETTINGS"].secret_keys))
    serializer = SkewTolerantSerializer(keys, salt=Purpose.confirm.value)
    return serializer.loads(confirm_path.rsplit("/", 1)[1], return_timestamp=True)[1]


def reader(i: int) -> dict[str, str]:
    """Each reader from their own address (through the trusted proxy): no rate limit."""
    return {"X-Forwarded-For": f"192.0.2.{i + 1}"}


def upload_image(web: Web) -> str:
    answer = web.request(
        "POST",
        "/beheer/afbeeldingen",
        data=web.tokens("/beheer/"),
        files={"image": ("IMG_0001.jpg", phone_photo(), "image/jpeg")},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["url"]


def upload_csv(web: Web) -> int:
    rows = "".join(
        f"Lid {i};lid{i}@gemeente.example;Arnhem;raadslid;01-03-2025;beurs\n"
        for i in range(IMPORTED)
    )
    body = "naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron\n" + rows
    answer = web.request(
        "POST",
        "/beheer/lezers/importeren",
        data=web.tokens("/beheer/lezers/importeren"),
        files={"file": ("lijst.csv", body.encode(), "text/csv")},
    )
    assert answer.status_code == 303, answer.text[:500]
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def sign_up(web: Web, i: int) -> str:
    address = f"nieuw{i}@gemeente{i % 7}.example"
    fields = web.tokens("/aanmelden", headers=reader(i)) | {
        "name": f"Nieuwe Lezer {i}",
        "email": address,
        "gemeente": "Utrecht",
        "role": "wethouder",
        "consent": "y",
        "website": "",
    }
    answer = web.request("POST", "/aanmelden", data=fields, headers=reader(i))
    assert answer.status_code == 303, answer.text[:500]
    return address


def confirm(web: Web, path: str, i: int) -> None:
    fields = web.tokens(path, headers=reader(i))
    answer = web.request("POST", path, data=fields, headers=reader(i))
    assert answer.status_code == 200 and "U bent aangemeld" in answer.text, answer.text[:500]


def kept(fleet: Fleet, subject: str, count: int = 1) -> list:
    """The mails with `subject` in their subject, once there are `count` (else [])."""
    found = [m for m in fleet.sink.received if subject in str(m.message()["Subject"])]
    return found if len(found) >= count else []


def import_state(db, job_id: int) -> str | None:
    db.session.expire_all()
    state = db.session.get(ImportJob, job_id).state
    db.session.commit()
    return state if state in ("done", "failed") else None


def edition_sent(db, edition_id: int) -> bool:
    db.session.expire_all()
    state = db.session.get(Edition, edition_id).state
    db.session.commit()
    return state == EditionState.sent


def mails_sent(directory: Path) -> float:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return sum(
        sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name == "ravijn_mails_total"
        and sample.labels == {"kind": "edition", "outcome": "sent"}
    )


def test_a_fleet_without_shared_disk_or_clock(app, db, editor, machines):
    m, fleet = machines, machines.fleet
    bulk = seed_subscribers(db, READERS)  # while the machines start
    wait_until(lambda: m.alive() and m.web_a.up() and m.web_b.up(), 60, "both web nodes")
    wait_until(m.workers_up, 60, "the heartbeats of four worker processes, on two machines")

    # on web A: an image, a CSV file, a test mail with the image, and 40 sign-ups
    m.web_a.log_in(editor.email)
    url = upload_image(m.web_a)
    job_id = upload_csv(m.web_a)
    csv_sha256 = db.session.get(ImportJob, job_id).file_sha256
    assert db.session.get(Blob, csv_sha256) is not None  # in the database, not on web A's disk
    db.session.commit()
    edition, _ = editions.create(SOURCE + f"\n![Grafiek van de korting]({url})\n", editor.id)
    asked = m.web_a.request(
        "POST",
        f"/beheer/edities/{edition.id}/test",
        data=m.web_a.tokens(f"/beheer/edities/{edition.id}") | {"addresses": ""},
    )
    assert asked.status_code in (302, 303), asked.status_code
    signups = [sign_up(m.web_a, i) for i in range(SIGNUPS)]

    confirmations = wait_until(
        lambda: m.alive() and kept(fleet, CONFIRMATION, SIGNUPS),
        120,
        lambda: f"{SIGNUPS} confirmations; the sink has {len(fleet.sink.received)} mails",
    )
    arrived = datetime.now(UTC)
    [test_mail] = wait_until(lambda: m.alive() and kept(fleet, "[TEST]"), 60, "the test mail")
    html = test_mail.message().get_body(("html",)).get_content()
    assert url in [img.get("src") for img in BeautifulSoup(html, "html.parser").find_all("img")]

    # web B serves the image it never saw
    path = url.split("ravijn.example", 1)[1]
    served = m.web_b.request("GET", path)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    sha256 = db.session.get(MediaImage, path.rsplit("/", 1)[1]).sha256
    db.session.commit()
    assert served.headers["ETag"] == f'"{sha256}"'
    assert m.web_a.request("GET", path).content == served.content
    cached = m.web_b.request("GET", path, headers={"If-None-Match": served.headers["ETag"]})
    assert cached.status_code == 304

    # a worker imported the CSV, and its file is gone
    assert wait_until(lambda: m.alive() and import_state(db, job_id), 120, "the import") == "done"
    assert db.session.get(ImportJob, job_id).file_sha256 is None
    assert db.session.get(Blob, csv_sha256) is None  # the file of personal data
    db.session.commit()
    m.web_b.log_in(editor.email)
    page = m.web_b.request("GET", f"/beheer/lezers/importeren/{job_id}")  # any node shows it
    assert page.status_code == 200 and "Klaar" in page.text
    assert f"Geïmporteerd: {IMPORTED}" in page.text

    # the 40 confirm on web B, also with the links made 30 s ahead
    ahead = 0
    for i, mail in enumerate(confirmations):
        [link] = [p for p in links_in(mail) if p.startswith("/bevestigen/")]
        ahead += (signed_at(app, link) - arrived).total_seconds() > 10
        confirm(m.web_b, link, i)
    print(f"\n{SIGNUPS} sign-ups: {ahead} confirmation links made on the worker 30 s ahead")
    assert ahead > 0, "the worker ahead sent no confirmation: the test proved nothing"
    wait_until(lambda: m.alive() and kept(fleet, WELCOME, SIGNUPS), 60, "the welcomes")

    # the edition, to everyone
    control.publish(edition.id)
    wait_until(lambda: m.alive() and edition_sent(db, edition.id), 300, "the send", step=0.5)
    counts = fleet.counts()
    readers = bulk + [f"lid{i}@gemeente.example" for i in range(IMPORTED)]
    lost = [a for a in readers if counts[a] == 0]
    duplicates = sum(counts[a] - 1 for a in readers if counts[a] > 1)
    print(f"{len(readers) + SIGNUPS} readers: lost {len(lost)}, duplicates {duplicates} (bound 0)")
    assert not lost and not duplicates
    received = fleet.sink.received
    per_mail = Counter((r.recipients[0].lower(), r.message()["Subject"]) for r in received)
    assert set(per_mail.values()) == {1}, "a mail went twice"  # confirmations, welcomes, test
    subjects = Counter(a for a, _ in per_mail)
    assert subjects == Counter({a: 3 for a in signups} | {editor.email: 1}), subjects
    assert sum(counts.values()) == len(readers) + 3 * SIGNUPS + 1  # nobody else got mail

    per_machine = [mails_sent(d) for d in m.metrics]
    assert all(per_machine) and sum(per_machine) == len(readers) + SIGNUPS, per_machine
    for node in m.nodes:
        stored = [f for f in node.files() if re.search(r"media|import|\.(jpe?g|png|csv)$", f)]
        assert not stored, (node.name, stored)

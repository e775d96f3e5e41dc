"""Two web nodes and a worker that share no disk (issue 28, acceptance 1, the blob part): each
process has an instance folder of its own, as separate machines would. An image uploaded on web
A is in the test mail the worker sends and is served by web B; a CSV uploaded on web A is
imported by the worker and its file is deleted. Nothing of either lands in any instance folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from newsletter.blobs.models import Blob
from newsletter.dev.sink import SmtpSink, free_port
from newsletter.editions import services as editions
from newsletter.editions.models import MediaImage
from newsletter.settings import PROJECT_ROOT
from newsletter.subscribers.models import ImportJob, Subscriber
from tests.acceptance.fleet import FLEET_REDIS
from tests.factories import EDITOR_PASSWORD, SOURCE
from tests.helpers import CSRF, wait_until
from tests.images import phone_photo

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # its own fleet Redis and processes
READERS = 300  # a few hundred: enough for two passes with progress, quick to run


class Node:
    """One process with an instance folder of its own (its "disk")."""

    def __init__(self, name: str, tmp: Path, env: dict[str, str], command: list[str]) -> None:
        self.instance = tmp / name
        self.instance.mkdir()
        self.log = tmp / f"{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env | {"INSTANCE_PATH": str(self.instance)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.log.name} exited:\n{self.log.read_text()[-3000:]}")

    def files(self) -> list[str]:
        """Everything this process wrote to its disk (none of it images or imports)."""
        return sorted(str(p.relative_to(self.instance)) for p in self.instance.rglob("*"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Web(Node):
    def __init__(self, name: str, tmp: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        super().__init__(
            name,
            tmp,
            env,
            [
                *(sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4"),
                *("--worker-class", "gthread", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"),
            ],
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.cookie = ""

    def up(self) -> bool:
        self.alive()
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """Cookies by hand: the session cookie is Secure, and this is plain HTTP."""
        headers = kwargs.pop("headers", {}) | ({"Cookie": self.cookie} if self.cookie else {})
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for value in response.raw.headers.getlist("Set-Cookie"):
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response

    def token(self, path: str) -> str:
        """The session's CSRF token from `path`, or from the sign-up form if it has none."""
        page = self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code)
        found = CSRF.search(page.text) or CSRF.search(self.request("GET", "/aanmelden").text)
        return found.group(1)

    def log_in(self, email: str) -> None:
        fields = {"csrf_token": self.token("/beheer/inloggen")}
        answer = self.request(
            "POST", "/beheer/inloggen", data=fields | {"email": email, "password": EDITOR_PASSWORD}
        )
        assert answer.status_code == 303, answer.text[:500]


@pytest.fixture
def nodes(app, db, editor, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several processes on one database: PostgreSQL, as in production")
    sink = SmtpSink(port=0).start()
    queue = redis.Redis.from_url(FLEET_REDIS)
    queue.flushdb()
    env = dict(os.environ) | {
        "REDIS_URL": FLEET_REDIS,
        "SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    web_a, web_b = Web("web-a", tmp_path, env), Web("web-b", tmp_path, env)
    worker = Node(
        "worker", tmp_path, env, [sys.executable, "-m", "dramatiq", "workers", "-p", "1", "-t", "2"]
    )
    try:
        wait_until(lambda: web_a.up() and web_b.up(), 60, "both web nodes to answer")
        yield web_a, web_b, worker, sink
    finally:
        for node in (web_a, web_b, worker):
            node.stop()
        sink.stop()
        queue.flushdb()
        queue.close()


def count(db, what) -> int:
    found = db.session.scalar(select(func.count()).select_from(what))
    db.session.commit()
    return found


def test_an_image_uploaded_on_one_node_is_mailed_and_served_by_the_other(nodes, db, editor):
    web_a, web_b, worker, sink = nodes
    web_a.log_in(editor.email)
    answer = web_a.request(
        "POST",
        "/beheer/afbeeldingen",
        data={"csrf_token": web_a.token("/beheer/")},
        files={"image": ("IMG_0001.jpg", phone_photo(), "image/jpeg")},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.text
    url = answer.json()["url"]
    path = url.split("ravijn.example", 1)[1]
    edition, _ = editions.create(SOURCE + f"\n![Grafiek van de korting]({url})\n", editor.id)
    sent = web_a.request(
        "POST",
        f"/beheer/edities/{edition.id}/test",
        data={"csrf_token": web_a.token(f"/beheer/edities/{edition.id}"), "addresses": ""},
    )
    assert sent.status_code in (302, 303), sent.status_code
    [mail] = sink.wait_for(1, timeout=60)
    html = mail.message().get_body(("html",)).get_content()
    sources = [img.get("src") for img in BeautifulSoup(html, "html.parser").find_all("img")]
    assert url in sources

    served = web_b.request("GET", path)  # the node that never saw the upload
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    name = path.rsplit("/", 1)[1]
    sha256 = db.session.get(MediaImage, name).sha256
    assert served.headers["ETag"] == f'"{sha256}"'
    assert web_a.request("GET", path).content == served.content
    cached = web_b.request("GET", path, headers={"If-None-Match": served.headers["ETag"]})
    assert cached.status_code == 304
    for node in (web_a, web_b, worker):
        assert not [f for f in node.files() if re.search(r"media|\.(jpe?g|png)$", f)], node.files()


def test_a_csv_uploaded_on_one_node_is_imported_by_the_worker_and_deleted(nodes, db, editor):
    web_a, web_b, worker, _ = nodes
    web_a.log_in(editor.email)
    rows = "".join(
        f"Lezer {i};lezer{i}@gemeente.example;Arnhem;raadslid;01-03-2025;beurs\n"
        for i in range(READERS)
    )
    body = (
        "naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron\n" + rows
    ).encode()
    answer = web_a.request(
        "POST",
        "/beheer/lezers/importeren",
        data={"csrf_token": web_a.token("/beheer/lezers/importeren")},
        files={"file": ("lijst.csv", body, "text/csv")},
    )
    assert answer.status_code == 303, answer.text[:500]
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    assert count(db, Blob) == 1  # in the database, not on web A's disk

    def finished() -> str | None:
        worker.alive()
        db.session.expire_all()
        state = db.session.get(ImportJob, job_id).state
        db.session.commit()
        return state if state in ("done", "failed") else None

    assert wait_until(finished, 120, f"import job {job_id} to finish") == "done"
    assert count(db, Subscriber) == READERS
    assert count(db, Blob) == 0  # the file of personal data is gone
    assert db.session.get(ImportJob, job_id).file_sha256 is None
    web_b.log_in(editor.email)
    page = web_b.request("GET", f"/beheer/lezers/importeren/{job_id}")  # any node shows it
    assert page.status_code == 200 and "Klaar" in page.text and "Geïmporteerd: 300" in page.text
    for node in (web_a, web_b, worker):
        assert not [f for f in node.files() if re.search(r"import|\.csv$", f)], node.files()

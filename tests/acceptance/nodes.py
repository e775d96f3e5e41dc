"""Processes that stand for machines: each with an instance folder of its own (its "disk"), so
a test can show that nothing needs a shared one. A web node is gunicorn, spoken to over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from newsletter.dev.sink import free_port
from newsletter.settings import PROJECT_ROOT
from tests.factories import EDITOR_PASSWORD
from tests.helpers import CSRF, STARTED


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class Node:
    """One process with an instance folder of its own."""

    def __init__(self, name: str, tmp: Path, env: dict[str, str], command: list[str]) -> None:
        self.name = name
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
        """Everything this process wrote to its disk."""
        return sorted(str(p.relative_to(self.instance)) for p in self.instance.rglob("*"))

    def stop(self) -> None:
        """The whole process group: `faketime` leaves its child running when only it goes."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _group_alive(self.process.pid) and time.monotonic() < deadline:
            self.process.poll()  # reaps the leader: a zombie would keep the group
            time.sleep(0.1)
        if _group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
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

    def tokens(self, path: str, **kwargs) -> dict[str, str]:
        """The hidden fields of the form on `path` (the session's CSRF token from the sign-up
        form if that page has none)."""
        page = self.request("GET", path, **kwargs)
        assert page.status_code == 200, (path, page.status_code)
        found = CSRF.search(page.text) or CSRF.search(self.request("GET", "/aanmelden").text)
        fields = {"csrf_token": found.group(1)}
        started = STARTED.search(page.text)
        if started:
            fields["started"] = started.group(1)
        return fields

    def log_in(self, email: str) -> None:
        fields = self.tokens("/beheer/inloggen")
        answer = self.request(
            "POST", "/beheer/inloggen", data=fields | {"email": email, "password": EDITOR_PASSWORD}
        )
        assert answer.status_code == 303, answer.text[:500]

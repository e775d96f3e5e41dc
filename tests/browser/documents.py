"""The HTML documents the browser tests see, kept for one run of the Nu Html Checker.

`Recorder` wraps the live server: every text/html answer the browser gets (pages, the archive's
web versions, the preview frames and the dev outbox's mails) is written to a folder as it was
sent, before any script touched it. `Documents.check()` runs vnu once over the folder: pages
must have no error, mail HTML nothing beyond tests.vnu.MAIL_ALLOWED.
"""

from __future__ import annotations

import hashlib
import re
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests import vnu

#: answers that are mail HTML rather than a page of ours (the archive's web versions are pages)
TOKENS = re.compile(r"[A-Za-z0-9_.~%-]{20,}")
DIGITS = re.compile(r"[0-9]+")
MAIL_PATHS = re.compile(r"^(/beheer/edities/\d+/voorbeeld|/dev/outbox/[^/]+/html)$")


class Documents:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.labels: dict[str, str] = {}
        self.mail: set[str] = set()
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def add(self, html: str, label: str, *, mail: bool = False) -> None:
        """Keep `html` unless one of the same shape is kept: documents that differ only in
        tokens, personal links, ids or counts have the same errors (a send of 40 mails, a page
        with a fresh CSRF token at each visit), and vnu's time grows with every file."""
        shape = DIGITS.sub("0", TOKENS.sub("t", html))
        digest = hashlib.sha256(shape.encode()).hexdigest()[:16]
        with self._lock:
            if digest in self._seen:
                return
            self._seen.add(digest)
            name = f"{len(self._seen):04d}-{'mail' if mail else 'page'}.html"
            self.labels[name] = label
            if mail:
                self.mail.add(name)
        (self.folder / name).write_text(html, encoding="utf-8")

    def add_mail(self, message: EmailMessage) -> None:
        part = message.get_body(preferencelist=("html",))
        if part is not None:
            self.add(part.get_content(), f"mail {message['Subject']!r}", mail=True)

    def check(self) -> None:
        why = vnu.unavailable()
        if why:
            if vnu.required():
                pytest.fail(f"the Nu Html Checker cannot run: {why}")
            return  # tests/unit/test_html_checker.py shows the skip and its reason
        errors = [
            error
            for error in vnu.check(self.folder)
            if not (error.document in self.mail and vnu.allowed_in_mail(error))
        ]
        lines = [f"{self.labels.get(e.document, '?')}: {e}" for e in errors]
        assert not errors, (
            f"the Nu Html Checker found {len(errors)} errors in the {len(self.labels)} HTML "
            f"documents the browser tests saw (folder {self.folder}):\n" + "\n".join(lines)
        )


class Recorder:
    """WSGI middleware: hands each text/html answer to `documents` (redirects excepted)."""

    def __init__(self, app, documents: Documents) -> None:
        self.app = app
        self.documents = documents

    def __call__(self, environ, start_response):
        seen: dict[str, str] = {}

        def start(status, headers, exc_info=None):
            kind = next((v for k, v in headers if k.lower() == "content-type"), "")
            if kind.startswith("text/html") and not status.startswith("3"):
                seen["status"] = status.split()[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if not seen:
            return body
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        label = f"{environ['REQUEST_METHOD']} {path}{'?' + query if query else ''} {seen['status']}"
        html = b"".join(chunks).decode("utf-8", "replace")
        self.documents.add(html, label, mail=bool(MAIL_PATHS.match(path)))
        return chunks

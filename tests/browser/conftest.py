"""Browser fixtures: a live server in a thread, Debian's Chromium through Playwright, axe-core,
and the Nu Html Checker over every HTML document the tests see (tests/browser/documents.py)."""

from __future__ import annotations

import dataclasses
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from newsletter.dev.sink import free_port
from tests.browser.documents import Documents, Recorder

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def html_documents(tmp_path_factory) -> Documents:
    """Every HTML document the browser tests see; `html_documents.add(html, label, mail=True)`
    for one they make without the live server."""
    return Documents(tmp_path_factory.mktemp("html"))


@pytest.fixture(scope="package", autouse=True)
def _html_conformance(html_documents):
    """After the last browser test: vnu, once, over all of them (it takes seconds to start)."""
    yield
    html_documents.check()


@pytest.fixture(autouse=True)
def _mails_checked(request, html_documents):
    """The HTML part of every mail a browser test received goes to vnu too."""
    if "sink" not in request.fixturenames:
        yield
        return
    sink = request.getfixturevalue("sink")
    yield
    for received in sink.received:
        html_documents.add_mail(received.message())


@pytest.fixture(scope="session")
def _server(app, html_documents):
    port = free_port()
    server = make_server("127.0.0.1", port, Recorder(app, html_documents), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def live_server(app, _server):
    """The app on http://127.0.0.1:PORT; mail links point there so a browser can follow them."""
    original = app.config["SETTINGS"], app.config["SESSION_COOKIE_SECURE"]
    app.config["SETTINGS"] = dataclasses.replace(original[0], base_url=_server)
    app.config["SESSION_COOKIE_SECURE"] = False
    yield _server
    app.config["SETTINGS"], app.config["SESSION_COOKIE_SECURE"] = original


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, db):
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe():
    """`axe(page, label)` fails the test with a readable list of WCAG 2.1 AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page, label: str) -> None:
        results = checker.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        details = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})"
            for v in violations
        ]
        assert violations == [], f"axe on {label}:\n" + "\n".join(details)

    return check

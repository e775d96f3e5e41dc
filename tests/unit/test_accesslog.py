"""Finding 12: tokens of personal links never reach gunicorn's access log."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from gunicorn.config import Config

from newsletter.accesslog import MaskedLogger, mask


def test_the_token_is_masked_and_the_door_kept():
    assert mask("GET /afmelden/eyJhbGciOi.abc HTTP/1.1") == "GET /afmelden/… HTTP/1.1"
    assert mask("/voorkeuren/xyz?x=1") == "/voorkeuren/…?x=1"
    assert mask("POST /bevestigen/opnieuw HTTP/1.1") == "POST /bevestigen/opnieuw HTTP/1.1"
    assert mask("GET /aanmelden HTTP/1.1") == "GET /aanmelden HTTP/1.1"
    # an editor's password link and a new address's link are doors too
    assert mask("GET /beheer/wachtwoord/eyJlIjo.x HTTP/1.1") == "GET /beheer/wachtwoord/… HTTP/1.1"
    assert mask("POST /adres/eyJhIjo.y HTTP/1.1") == "POST /adres/… HTTP/1.1"
    # a manage link opens a reader's details; "Afmelden met uw e-mailadres" has no token
    assert mask("POST /gegevens/eyJnIjo.z/adres HTTP/1.1") == "POST /gegevens/…/adres HTTP/1.1"
    assert mask("POST /afmelden HTTP/1.1") == "POST /afmelden HTTP/1.1"


def test_gunicorn_writes_no_token(caplog):
    config = Config()
    config.set("accesslog", "-")
    logger = MaskedLogger(config)
    request = SimpleNamespace(
        method="GET", path="/afmelden/geheim-token", query="", version=(1, 1), headers=[]
    )
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    environ = {
        "RAW_URI": "/afmelden/geheim-token",
        "PATH_INFO": "/afmelden/geheim-token",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://ravijn.example/voorkeuren/ander-token",
    }
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1))
    assert "geheim-token" not in str(atoms["r"]) and "/afmelden/…" in atoms["r"]
    assert "geheim-token" not in str(atoms["U"]) and "ander-token" not in atoms["f"]
    logging.getLogger(__name__).info("ok")

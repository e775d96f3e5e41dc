"""X-Request-ID is taken only from a proxy we trust, and only as one plain word; from anyone
else, or malformed, the request gets an id of our own (echoed in the response, in the logs)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from newsletter import create_app
from newsletter.proxies import parse_trusted
from newsletter.settings import from_env

OURS = re.compile(r"[0-9a-f]{32}")


def app_behind(trusted: str):
    settings = dataclasses.replace(
        from_env(), database_url="sqlite://", broker_url="", trusted_proxies=parse_trusted(trusted)
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def behind_network():
    return app_behind("10.0.0.0/8")


def request_id(app, peer: str, given: str) -> str:
    environ = {"REMOTE_ADDR": peer, "HTTP_X_REQUEST_ID": given}  # as the server read it
    answer = app.test_client().get("/healthz", environ_base=environ)
    return answer.headers["X-Request-ID"]


def test_a_client_cannot_choose_its_request_id(behind_network, app):
    for peer in ("203.0.113.9", "2001:db8::9", "11.0.0.1"):
        assert OURS.fullmatch(request_id(behind_network, peer, "abc-123"))
    assert OURS.fullmatch(request_id(app, "203.0.113.9", "abc-123"))  # no proxy configured


def test_a_trusted_proxy_passes_its_request_id_on(behind_network):
    assert request_id(behind_network, "10.0.0.2", "abc-123") == "abc-123"
    assert request_id(behind_network, "10.1.2.3", "f" * 64) == "f" * 64
    through_one_hop = app_behind("1")  # every request comes through exactly one proxy
    assert request_id(through_one_hop, "192.0.2.1", "req-7f3a.b_c") == "req-7f3a.b_c"


@pytest.mark.parametrize(
    "given",
    ["", "a b", "x" * 65, "abc;rm", "abc\tdef", "één", "abc\n", "a\r\nSet-Cookie: x", "id,id"],
)
def test_a_malformed_request_id_is_replaced(behind_network, given):
    made = request_id(behind_network, "10.0.0.2", given)
    assert OURS.fullmatch(made) and made != given

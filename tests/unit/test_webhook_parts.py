"""The parts of webhooks that need no services: the signature (the Standard Webhooks
specification's own test vector), the address check, and the default retry waits."""

from __future__ import annotations

import pytest

from newsletter.settings import WEBHOOK_RETRIES
from newsletter.webhooks import signing, targets

VECTOR = {  # from the Standard Webhooks specification (and the Svix libraries' tests)
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}


def test_the_signature_is_the_specifications():
    v = VECTOR
    assert signing.sign(v["secret"], v["id"], v["timestamp"], v["body"]) == v["signature"]
    headers = {"webhook-id": v["id"], "webhook-timestamp": str(v["timestamp"]),
               "webhook-signature": f"v1,bm9wZQ== {v['signature']}"}  # fmt: skip
    assert signing.verify(v["secret"], headers, v["body"], now=v["timestamp"] + 10)
    assert not signing.verify(v["secret"], headers, v["body"], now=v["timestamp"] + 400)
    assert not signing.verify(v["secret"], headers, v["body"] + b" ", now=v["timestamp"])
    assert signing.new_secret() != signing.new_secret()


def test_the_default_waits_come_to_about_a_day():
    assert 23 * 3600 < sum(WEBHOOK_RETRIES) < 25 * 3600
    assert list(WEBHOOK_RETRIES) == sorted(WEBHOOK_RETRIES)


@pytest.mark.parametrize(
    ("address", "inside"),
    [("8.8.8.8", False), ("2a00:1450:4001::1", False), ("127.0.0.1", True), ("10.0.0.1", True),
     ("169.254.169.254", True), ("::1", True), ("fd00::1", True), ("224.0.0.1", True),
     ("::ffff:127.0.0.1", True), ("64:ff9b::a00:1", True), ("2002:a9fe:a9fe::", True),
     ("::127.0.0.1", True), ("::ffff:0:7f00:1", True), ("100.64.0.1", True),
     # IPv6 outside global unicast 2000::/3, or documentation inside it
     ("fec0::1", True), ("3fff::1", True), ("3fff:fff::1", True), ("5f00::1", True),
     ("2001:db8::1", True), ("4000::1", True), ("2620:fe::fe", False)],
)  # fmt: skip
def test_internal_addresses_are_found_also_inside_ipv6(address, inside):
    assert targets._inside(address) is inside


@pytest.mark.parametrize(
    ("url", "reason"),
    [("https://[::1", "klopt niet"), ("https://[zzz]/", "klopt niet"),
     ("https://crm.example:0/", "poortnummer"), ("https://crm.example/café", "bijzondere"),
     ("http://crm.example/", "https://"), ("https://a:b@crm.example/", "wachtwoord"),
     ("https:///pad", "geen server"), ("https://127.0.0.1/", "intern adres"),
     ("https://localhost/", "intern adres")],
)  # fmt: skip
def test_urls_we_will_not_send_to_say_why(url, reason):
    with pytest.raises(targets.TargetRefused, match=reason):
        targets.check(url, allow_private=False, production=True)


@pytest.mark.parametrize(
    "host",
    ["169.254.169.254", "169.254.0.1", "[fe80::1]", "[febf::1]", "[::ffff:169.254.169.254]",
     "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::a9fe:a9fe]", "[::a9fe:a9fe]",
     "[2002:a9fe:a9fe::1]", "[fd00:ec2::254]"],
)  # fmt: skip
def test_link_local_and_the_metadata_service_are_never_a_receiver(host):
    for allow_private, production in ((True, False), (True, True), (False, True)):
        with pytest.raises(targets.TargetRefused, match="link-local"):
            targets.check(f"https://{host}/", allow_private=allow_private, production=production)


def test_allowing_private_addresses_still_allows_them():
    for host in ("10.0.0.1", "127.0.0.1", "[fd00::1]", "[fec0::1]"):
        target = targets.check(f"http://{host}:8080/hook", allow_private=True, production=False)
        assert target.address == host.strip("[]")


@pytest.mark.parametrize("host", ["[fec0::1]", "[3fff::1]", "[5f00::1]", "[2001:db8::1]"])
def test_ipv6_outside_global_unicast_is_refused(host):
    with pytest.raises(targets.TargetRefused, match="intern adres"):
        targets.check(f"https://{host}/", allow_private=False, production=True)

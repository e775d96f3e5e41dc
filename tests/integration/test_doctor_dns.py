"""`flask doctor --dns` (issue 14, acceptance 3) against a real authoritative DNS server the
test starts (dnslib), one test per misconfiguration with its Dutch advice, all green on a
correct zone."""

from __future__ import annotations

import base64
import dataclasses
import subprocess

import pytest
from dnslib import RCODE
from dnslib.server import DNSLogger, DNSServer
from dnslib.zoneresolver import ZoneResolver

from newsletter.dev.sink import free_port
from tests.factories import dkim_key, dkim_keys

DOMAIN = "ravijn.example"
RELAY = "relay.provider.example"


def public_key(pem) -> str:
    der = subprocess.run(
        ["openssl", "rsa", "-in", str(pem), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return base64.b64encode(der).decode()


def txt(value: str) -> str:
    """A TXT value in zone syntax, split in strings of at most 255 characters."""
    return " ".join(f'"{value[i : i + 250]}"' for i in range(0, len(value), 250))


class Zone(ZoneResolver):
    """dnslib answers NXDOMAIN to every empty answer; a real server says NXDOMAIN only when
    the name does not exist at all (no records at it or below it), else NOERROR and nothing."""

    def resolve(self, request, handler):
        reply = super().resolve(request, handler)
        asked = request.q.qname
        if reply.header.rcode == RCODE.NXDOMAIN and any(
            name.matchSuffix(asked) for name, _, _ in self.zone
        ):
            reply.header.rcode = RCODE.NOERROR
        return reply


def zone(spf: str | None, dkim: str | None, dmarc: str | None, ed25519: str | None) -> str:
    # the relay's provider publishes SPF of its own: `include:` it
    lines = [f"{RELAY}. 60 IN TXT {txt('v=spf1 ip4:192.0.2.0/24 -all')}"]
    if ed25519 is not None:
        lines.append(f"ravijn-ed._domainkey.{DOMAIN}. 60 IN TXT {txt(ed25519)}")
    if spf is not None:
        lines.append(f"{DOMAIN}. 60 IN TXT {txt(spf)}")
    if dkim is not None:
        lines.append(f"ravijn._domainkey.{DOMAIN}. 60 IN TXT {txt(dkim)}")
    if dmarc is not None:
        lines.append(f"_dmarc.{DOMAIN}. 60 IN TXT {txt(dmarc)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def doctor(app, tmp_path, monkeypatch):
    """Run `flask doctor --dns` against a zone served by a real DNS server on a free port."""
    key, ed_key, dns = dkim_keys(tmp_path, DOMAIN)
    (tmp_path / "ander").mkdir()
    other, _ = dkim_key(tmp_path / "ander")
    good = {
        "spf": f"v=spf1 include:{RELAY} -all",
        "dkim": f"v=DKIM1; k=rsa; p={public_key(key)}",
        "dmarc": "v=DMARC1; p=quarantine; rua=mailto:dmarc@ravijn.example",
        "ed25519": dns(f"ravijn-ed._domainkey.{DOMAIN}.".encode()).decode(),
    }
    servers = []

    def run(
        mail_from: str = f"OVER het ravijn <nieuwsbrief@{DOMAIN}>",
        dkim_domain=DOMAIN,
        with_ed25519: bool = False,
        relay: str = RELAY,
        **records,
    ):
        values = good | records
        port = free_port()
        server = DNSServer(
            Zone(zone(values["spf"], values["dkim"], values["dmarc"], values["ed25519"])),
            port=port,
            address="127.0.0.1",
            logger=DNSLogger(logf=lambda *_: None),
        )
        server.start_thread()
        servers.append(server)
        settings = dataclasses.replace(
            app.config["SETTINGS"],
            mail_from=mail_from,
            smtp_url=dataclasses.replace(app.config["SETTINGS"].smtp_url, host=relay),
            dkim_selector="ravijn",
            dkim_domain=dkim_domain,
            dkim_key_file=key,
            dns_resolver=f"127.0.0.1:{port}",
            dkim_ed25519_selector="ravijn-ed" if with_ed25519 else None,
            dkim_ed25519_key_file=ed_key if with_ed25519 else None,
        )
        monkeypatch.setitem(app.config, "SETTINGS", settings)
        with app.app_context():  # as `flask doctor` has; no database is touched
            return app.test_cli_runner().invoke(args=["doctor", "--dns"])

    run.other_key = other
    yield run
    for server in servers:
        server.stop()
        server.server.server_close()  # dnslib's stop() leaves the socket open


def test_a_correct_zone_is_all_green(doctor):
    result = doctor()
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok:") == 4


def test_no_spf(doctor):
    result = doctor(spf=None)
    assert result.exit_code == 1
    assert "SPF: FOUT: ravijn.example heeft geen SPF-record" in result.output
    assert f"include:{RELAY}" in result.output


def test_spf_without_the_relay(doctor):
    result = doctor(spf="v=spf1 include:elders.example -all")
    assert f"SPF: LET OP: het SPF-record van {DOMAIN} noemt de relay {RELAY} niet" in result.output


def test_a_wrong_dkim_key(doctor):
    result = doctor(dkim=f"v=DKIM1; k=rsa; p={public_key(doctor.other_key)}")
    assert result.exit_code == 1
    assert "hoort niet bij DKIM_PRIVATE_KEY_FILE" in result.output


def test_the_ed25519_key_is_checked_when_set(doctor):
    result = doctor(with_ed25519=True)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok:") == 5
    assert "past bij de Ed25519-sleutel" in result.output
    wrong = doctor(with_ed25519=True, ed25519="v=DKIM1; k=ed25519; p=" + "A" * 43 + "=")
    assert wrong.exit_code == 1
    assert "hoort niet bij DKIM_ED25519_KEY_FILE" in wrong.output
    missing = doctor(with_ed25519=True, ed25519=None)
    assert "geen Ed25519-sleutel gevonden op ravijn-ed._domainkey" in missing.output


def test_no_dmarc(doctor):
    result = doctor(dmarc=None)
    assert result.exit_code == 1
    assert f"DMARC: FOUT: {DOMAIN} heeft geen DMARC-record" in result.output


def test_a_misaligned_from(doctor):
    result = doctor(dkim_domain="elders.example", dkim=None)
    assert result.exit_code == 1
    assert (
        "Uitlijning: FOUT: From (ravijn.example) en het DKIM-domein (elders.example)"
        in result.output
    )


def test_a_relay_given_as_an_address_gets_ip4_never_include(doctor):
    """Issue 28: the advice was "include:10.1.2.3", which is invalid SPF."""
    result = doctor(spf=None, relay="10.1.2.3")
    assert 'Zet een TXT-record op ravijn.example: "v=spf1 ip4:10.1.2.3 -all"' in result.output
    assert "include:10.1.2.3" not in result.output
    covered = doctor(spf="v=spf1 ip4:10.1.2.0/24 -all", relay="10.1.2.3")
    assert "SPF: ok:" in covered.output
    other = doctor(spf="v=spf1 ip4:10.9.9.9 -all", relay="10.1.2.3")
    assert "noemt de relay 10.1.2.3 niet. Voeg ip4:10.1.2.3 toe" in other.output


def test_a_relay_without_spf_of_its_own_gets_a(doctor):
    result = doctor(spf=None, relay="smtp.gemeente.example")  # no TXT at that name
    assert '"v=spf1 a:smtp.gemeente.example -all"' in result.output


def test_a_domain_that_does_not_exist_is_called_so(doctor):
    result = doctor(mail_from="nieuwsbrief@bestaat-niet.example", dkim_domain=None)
    assert result.exit_code == 1
    assert "SPF: FOUT: bestaat-niet.example bestaat niet in DNS (NXDOMAIN)" in result.output
    assert "geen SPF-record" not in result.output


def test_alignment_is_not_called_ok_without_a_working_dkim(doctor):
    result = doctor(dkim=None)  # our domain, but no key in DNS
    assert "Uitlijning: LET OP: niet beoordeeld" in result.output
    assert "Uitlijning: ok" not in result.output

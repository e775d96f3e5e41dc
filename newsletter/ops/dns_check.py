"""`flask doctor --dns`: is the sending domain set up so that mail is trusted? SPF names the
relay, the DKIM key(s) in DNS are the ones we sign with, DMARC exists, and From is aligned with the
DKIM domain and the return path. One Dutch line per check with what to fix.

DNS_RESOLVER (host or host:port) asks one server directly; the tests run a real authoritative
server of their own there. Without it, the system's resolver is used.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from email.utils import parseaddr

import dns.exception
import dns.resolver
from cryptography.hazmat.primitives import serialization
from dkim.crypto import parse_pem_private_key, parse_public_key

from newsletter.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    warning: bool = False  # not wrong, but worth a look

    def line(self) -> str:
        mark = "ok" if self.ok else ("LET OP" if self.warning else "FOUT")
        return f"{self.name}: {mark}: {self.message}"


def _resolver(settings: Settings) -> dns.resolver.Resolver:
    if not settings.dns_resolver:
        return dns.resolver.Resolver()
    host, _, port = settings.dns_resolver.partition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port or 53)
    resolver.timeout = resolver.lifetime = 3.0
    return resolver


def _txt(resolver: dns.resolver.Resolver, name: str) -> list[str] | None:
    """The TXT strings at `name`; None when the name does not exist at all (NXDOMAIN)."""
    try:
        answer = resolver.resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        return None
    except dns.resolver.NoAnswer:
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _spf_term(resolver: dns.resolver.Resolver, host: str) -> str:
    """What SPF should say for a relay: `ip4:`/`ip6:` for an address (an address after
    `include:` is invalid SPF), `include:` for a host with an SPF record of its own (a
    provider's), else `a:` (the addresses of the host itself)."""
    ip = _ip(host)
    if ip is not None:
        return f"ip{ip.version}:{ip}"
    own = [r for r in _txt(resolver, host) or [] if r.lower().startswith("v=spf1")]
    return f"include:{host}" if own else f"a:{host}"


def _names(terms: list[str], host: str) -> bool:
    """Does one of the SPF terms name this relay (its name, a parent, or its address)?"""
    ip = _ip(host)
    for term in (t.lstrip("+") for t in terms):
        kind, _, value = term.partition(":")
        if ip is not None and kind in ("ip4", "ip6") and value:
            try:
                if ip in ipaddress.ip_network(value, strict=False):
                    return True
            except ValueError:
                continue
        elif ip is None and kind in ("include", "a", "mx") and value in {host, *_parents(host)}:
            return True
    return False


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower()


def _aligned(a: str, b: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def spf(settings: Settings, resolver: dns.resolver.Resolver) -> Check:
    domain = _domain(settings.mail_from)
    found = _txt(resolver, domain)
    if found is None:
        return Check(
            "SPF",
            False,
            f"{domain} bestaat niet in DNS (NXDOMAIN). Klopt het domein van MAIL_FROM? "
            "Mail van een domein dat niet bestaat, wordt overal geweigerd.",
        )
    records = [r for r in found if r.lower().startswith("v=spf1")]
    hosts = list(dict.fromkeys(r.host.lower() for r in settings.relays))  # every relay, once
    if not records:
        terms = " ".join(_spf_term(resolver, h) for h in hosts)
        return Check(
            "SPF",
            False,
            f"{domain} heeft geen SPF-record. Zet een TXT-record op {domain}: "
            f'"v=spf1 {terms} -all".',
        )
    terms = records[0].lower().split()
    missing = [h for h in hosts if not _names(terms, h)]
    if missing:
        return Check(
            "SPF",
            False,
            f"het SPF-record van {domain} noemt de relay {', '.join(missing)} niet. Voeg "
            f"{' '.join(_spf_term(resolver, h) for h in missing)} toe, vóór -all.",
            warning=True,
        )
    return Check("SPF", True, f"{domain} staat mail via {', '.join(hosts)} toe.")


def _parents(host: str) -> list[str]:
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(1, len(parts) - 1)]


def _tags(record: str) -> dict[str, str]:
    """`v=DKIM1; k=rsa; p=…` → {"v": "DKIM1", "k": "rsa", "p": "…"} (DKIM and DMARC alike)."""
    return dict(part.strip().split("=", 1) for part in record.split(";") if "=" in part)


def _published_key(resolver: dns.resolver.Resolver, name: str) -> dict[str, str] | None:
    """The tags of the DKIM key record at `name`; None when no record there holds a key."""
    records = [r for r in _txt(resolver, name) or [] if "p=" in r]
    return _tags(records[0]) if records else None


def _no_key(check: str, key: str, name: str) -> Check:
    advice = "Publiceer de publieke sleutel daar."
    return Check(check, False, f"geen {key} gevonden op {name}. {advice}")


def dkim(settings: Settings, resolver: dns.resolver.Resolver) -> Check:
    if not (settings.dkim_selector and settings.dkim_domain and settings.dkim_key_file):
        return Check(
            "DKIM",
            False,
            "niet ingesteld. Zet DKIM_SELECTOR en DKIM_PRIVATE_KEY_FILE, of laat de relay tekenen.",
            warning=True,
        )
    name = f"{settings.dkim_selector}._domainkey.{settings.dkim_domain}"
    tags = _published_key(resolver, name)
    if tags is None:
        return _no_key("DKIM", "DKIM-sleutel", name)
    try:
        published = parse_public_key(base64.b64decode("".join(tags.get("p", "").split())))
        ours = parse_pem_private_key(settings.dkim_key_file.read_bytes())
    except Exception:  # an unreadable key in DNS is a finding, not a crash
        return Check("DKIM", False, f"de sleutel op {name} is onleesbaar. Publiceer haar opnieuw.")
    if (published["modulus"], published["publicExponent"]) != (
        ours["modulus"],
        ours["publicExponent"],
    ):
        return Check(
            "DKIM",
            False,
            f"de sleutel op {name} hoort niet bij DKIM_PRIVATE_KEY_FILE. Publiceer de publieke "
            "sleutel van dat bestand (openssl rsa -in … -pubout).",
        )
    return Check("DKIM", True, f"de sleutel op {name} past bij de sleutel waarmee we tekenen.")


def dkim_ed25519(settings: Settings, resolver: dns.resolver.Resolver) -> Check:
    """The optional second key (RFC 8463): its record holds the raw 32-byte public key."""
    assert settings.dkim_ed25519_selector and settings.dkim_ed25519_key_file
    name = f"{settings.dkim_ed25519_selector}._domainkey.{settings.dkim_domain}"
    tags = _published_key(resolver, name)
    if tags is None:
        return _no_key("DKIM_ED25519", "Ed25519-sleutel", name)
    private = serialization.load_pem_private_key(
        settings.dkim_ed25519_key_file.read_bytes(), password=None
    )
    ours = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    try:
        published = base64.b64decode("".join(tags.get("p", "").split()), validate=True)
    except ValueError:
        published = b""
    if tags.get("k", "").strip() != "ed25519" or published != ours:
        return Check(
            "DKIM_ED25519",
            False,
            f"de sleutel op {name} hoort niet bij DKIM_ED25519_KEY_FILE. Publiceer "
            '"v=DKIM1; k=ed25519; p=…" met de publieke sleutel van dat bestand.',
        )
    return Check(
        "DKIM_ED25519",
        True,
        f"de sleutel op {name} past bij de Ed25519-sleutel waarmee we tekenen.",
    )


def dmarc(settings: Settings, resolver: dns.resolver.Resolver) -> Check:
    domain = _domain(settings.mail_from)
    found = _txt(resolver, f"_dmarc.{domain}") or []  # NXDOMAIN here: simply no record
    records = [r for r in found if r.lower().startswith("v=dmarc1")]
    if not records:
        return Check(
            "DMARC",
            False,
            f"{domain} heeft geen DMARC-record. Zet een TXT-record op _dmarc.{domain}, "
            'bijvoorbeeld "v=DMARC1; p=quarantine; rua=mailto:dmarc@…".',
        )
    tags = _tags(records[0])
    policy = tags.get("p", "").strip() or "onbekend"
    if policy == "none":
        return Check(
            "DMARC",
            True,
            "beleid p=none: alleen rapporteren. Overweeg p=quarantine.",
            warning=True,
        )
    return Check("DMARC", True, f"beleid p={policy}.")


def alignment(settings: Settings, dkim_ok: bool) -> Check:
    """A DKIM domain set apart from From is wrong whatever DNS says; "ok" only when our DKIM
    signature is there (set, and its key in DNS): without it "aligned" says nothing about the
    signature a receiver actually sees."""
    from_domain = _domain(settings.mail_from)
    return_path = from_domain  # we send with MAIL_FROM's address as the envelope sender
    if settings.dkim_domain and not _aligned(from_domain, settings.dkim_domain.lower()):
        return Check(
            "Uitlijning",
            False,
            f"From ({from_domain}) en het DKIM-domein ({settings.dkim_domain}) horen niet bij "
            "elkaar. Teken met het domein van MAIL_FROM (DKIM_DOMAIN).",
        )
    if not dkim_ok:
        return Check(
            "Uitlijning",
            False,
            "niet beoordeeld: er is geen werkende DKIM-handtekening van de app (zie DKIM). "
            f"Tekent de relay? Kijk dan in een testmail of d= bij {from_domain} hoort.",
            warning=True,
        )
    return Check(
        "Uitlijning",
        True,
        f"From, het afzenderadres van de envelop ({return_path}) en DKIM horen bij elkaar.",
    )


def run(settings: Settings) -> list[Check]:
    resolver = _resolver(settings)
    found = []
    ed25519 = [dkim_ed25519] if settings.dkim_ed25519_key_file else []
    for check in (spf, dkim, *ed25519, dmarc):
        try:
            found.append(check(settings, resolver))
        except dns.exception.DNSException as exc:
            found.append(
                Check(
                    check.__name__.upper(),
                    False,
                    f"DNS antwoordde niet ({exc.__class__.__name__}).",
                )
            )
    dkim_ok = any(c.name == "DKIM" and c.ok for c in found)
    found.append(alignment(settings, dkim_ok))
    return found

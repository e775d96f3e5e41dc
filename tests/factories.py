"""Factories: rows for tests, flushed or committed as each says."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from newsletter.database import utcnow

FIXTURES = Path(__file__).parent / "fixtures"
#: the seed-style edition every delivery test sends
SOURCE = (FIXTURES / "edition-jeugdzorg.md").read_text()
EDITOR_PASSWORD = "een lang en goed wachtwoord"


def make_subscriber(db, email: str = "x@x.example", **fields):
    """A subscriber row, flushed (not committed) so the test decides when to commit."""
    from newsletter.subscribers.models import Role, Subscriber

    values = {"name": "X", "role": Role.anders} | fields
    subscriber = Subscriber(email=email, email_key=email.lower(), **values)
    db.session.add(subscriber)
    db.session.flush()
    return subscriber


def subscribers(db, count: int, prefix: str = "lezer", **fields):
    """`count` active subscribers who confirmed five minutes ago, committed."""
    from newsletter.subscribers.models import SubscriberState

    confirmed = utcnow() - timedelta(minutes=5)
    made = [
        make_subscriber(
            db,
            f"{prefix}{i}@gemeente.example",
            name=f"Lezer {i}",
            state=SubscriberState.active,
            confirmed_at=confirmed,
            **fields,
        )
        for i in range(count)
    ]
    db.session.commit()
    return made


def make_editor(email: str = "redactie@vng.example", name: str = "Redactie"):
    from newsletter.auth.accounts import create_editor

    return create_editor(email, EDITOR_PASSWORD, name)


def dkim_key(directory: Path, selector: str = "ravijn", domain: str = "ravijn.example"):
    """A fresh 2048-bit key in `directory` and the DNS lookup (dnsfunc) that publishes it."""
    import base64
    import subprocess

    key = directory / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    txt = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    name = f"{selector}._domainkey.{domain}.".encode()

    def dns(asked: bytes, timeout: int = 5) -> bytes:
        assert asked == name, asked
        return txt

    return key, dns


def dkim_keys(directory: Path, domain: str = "ravijn.example"):
    """An RSA key (selector "ravijn") and an Ed25519 key (selector "ravijn-ed") in
    `directory`, and one DNS lookup (dnsfunc) that publishes both."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    rsa_key, rsa_dns = dkim_key(directory, "ravijn", domain)
    private = ed25519.Ed25519PrivateKey.generate()
    ed_key = directory / "dkim-ed25519.pem"
    ed_key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    ed_name = f"ravijn-ed._domainkey.{domain}.".encode()

    def dns(asked: bytes, timeout: int = 5) -> bytes:
        if asked == ed_name:
            return b"v=DKIM1; k=ed25519; p=" + base64.b64encode(raw)
        return rsa_dns(asked, timeout)

    return rsa_key, ed_key, dns


def confirmed_test_address(editor, email: str):
    """A test address on the editor's list whose link was followed."""
    from newsletter.database import utcnow
    from newsletter.editions.models import EditorTestAddress
    from newsletter.extensions import db

    row = EditorTestAddress(editor_id=editor.id, email=email, confirmed_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def put_in_state(db, edition, state, **values):
    """A test's edition brought to `state` along the transitions of editions/states.py, each
    step through its one writer (no sends, no mails: the state and `values` only)."""
    from newsletter.editions import states
    from newsletter.editions.models import EditionState

    path = {
        EditionState.scheduled: [EditionState.scheduled],
        EditionState.sending: [EditionState.sending],
        EditionState.sent: [EditionState.sending, EditionState.sent],
        EditionState.paused: [EditionState.sending, EditionState.paused],
        EditionState.draft: [],
    }[state]
    for step in path or [None]:
        assert states.change_state(edition.id, [edition.state], step, **values)
        db.session.commit()
        db.session.refresh(edition)
    return edition


def make_sent_edition(db, title: str = "t", source: str = "", **values):
    """An edition as it is after its send, for tests of what follows (bounces, complaints)."""
    from newsletter.editions.models import Edition, EditionState

    edition = Edition(title=title, source=source)
    db.session.add(edition)
    db.session.commit()
    return put_in_state(db, edition, EditionState.sent, **values)

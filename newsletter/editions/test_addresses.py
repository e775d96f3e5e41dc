"""An editor's own list of test addresses. Adding one mails a link to that address; it
counts for test-sends only once the link was followed. The editor's account address always
counts (it got the password link). Every change is audited; the audit names an address only
by a keyed hash.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, SignatureExpired
from sqlalchemy import select

from newsletter import jobs
from newsletter.auth.accounts import keyed_hash
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor
from newsletter.database import utcnow
from newsletter.editions import hourly
from newsletter.editions.models import EditorTestAddress
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.mail import message, outgoing
from newsletter.rendering.mjml import render_email
from newsletter.signed_time import SkewTolerantSerializer
from newsletter.subscribers import addresses
from newsletter.urls import external_url, footer_links

SALT = "ravijn.editor-test-address.v1"  # this door's own: no other token of ours opens it
LINK_SECONDS = 72 * 3600
MAX_TOKEN_LENGTH = 512
MAX_ADDRESSES = 10
LINKS_PER_HOUR = 10  # confirmation mails one editor may cause


class AddressListError(Exception):
    """A rule said no; the message is Dutch and shown on the page."""


def target(email: str) -> str:
    return f"testadres {keyed_hash(email)}"


def listing(editor_id: int) -> list[EditorTestAddress]:
    return list(
        db.session.scalars(
            select(EditorTestAddress)
            .where(EditorTestAddress.editor_id == editor_id)
            .order_by(EditorTestAddress.id)
        )
    )


def confirmed_row(editor_id: int, address_id: int) -> EditorTestAddress | None:
    """The editor's own confirmed address with this id, else None (removed, never confirmed,
    or someone else's)."""
    row = db.session.get(EditorTestAddress, address_id)
    if row is None or row.editor_id != editor_id or not row.confirmed:
        return None
    return row


def add(editor: Editor, raw: str) -> EditorTestAddress:
    """Put the address on the editor's list (or ask again for one not yet confirmed) and
    mail it the link."""
    try:
        email = addresses.normalise_email(raw).address
    except addresses.InvalidEmail:
        raise AddressListError(f"‘{raw.strip()[:80]}’ is geen e-mailadres.") from None
    if email.lower() == editor.email.lower():
        raise AddressListError("Dit is je eigen adres; daar kun je altijd een test heen sturen.")
    found = listing(editor.id)
    row = next((r for r in found if r.email.lower() == email.lower()), None)
    if row is not None and row.confirmed:
        raise AddressListError(f"{email} staat al in je lijst en is bevestigd.")
    if row is None and len(found) >= MAX_ADDRESSES:
        raise AddressListError(
            f"Je kunt hoogstens {MAX_ADDRESSES} testadressen hebben. Verwijder er eerst een."
        )
    try:
        over = hourly.take({f"test-address-links:{editor.id}": LINKS_PER_HOUR})
    except hourly.Unavailable:
        raise AddressListError(
            "Dat lukt nu even niet. Probeer het over een minuut opnieuw."
        ) from None
    if over:
        raise AddressListError(
            f"Je kunt hoogstens {LINKS_PER_HOUR} bevestigingslinks per uur laten sturen. "
            "Probeer het later opnieuw."
        )
    if row is None:
        row = EditorTestAddress(editor_id=editor.id, email=email)
        db.session.add(row)
        db.session.flush()
    record(Actor(editor.email, editor.id), "test-address-added", target(email), "link gestuurd")
    enqueue_after_commit(jobs.SEND_TEST_ADDRESS_LINK, row.id)
    db.session.commit()
    return row


def remove(editor: Editor, address_id: int) -> str | None:
    """Take an address off the editor's own list; its address, or None if it was not there."""
    row = db.session.get(EditorTestAddress, address_id)
    if row is None or row.editor_id != editor.id:
        return None
    email = row.email
    db.session.delete(row)
    record(Actor(editor.email, editor.id), "test-address-removed", target(email))
    db.session.commit()
    return email


def _serializer() -> SkewTolerantSerializer:
    keys = current_app.config["SETTINGS"].secret_keys
    return SkewTolerantSerializer(list(reversed(keys)), salt=SALT)  # signs with the first key


def _fingerprint(row: EditorTestAddress) -> str:
    return hashlib.sha256(f"{row.editor_id}|{row.email.lower()}".encode()).hexdigest()[:16]


def token_for(row: EditorTestAddress) -> str:
    return _serializer().dumps({"a": row.id, "f": _fingerprint(row)})


def address_for(token: str) -> EditorTestAddress:
    """The list entry this link confirms; AddressListError (Dutch) when it is not valid."""
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise BadData("too long")
        data = _serializer().loads(token, max_age=LINK_SECONDS)
        row = db.session.get(EditorTestAddress, int(data["a"]))
    except SignatureExpired:
        raise AddressListError(
            "Deze link is verlopen. Vraag de redacteur om het adres opnieuw toe te voegen."
        ) from None
    except (BadData, KeyError, TypeError, ValueError):
        raise AddressListError("Deze link klopt niet.") from None
    if row is None or data.get("f") != _fingerprint(row):
        raise AddressListError("Dit testadres staat niet meer in de lijst van de redacteur.")
    return row


def confirm(token: str) -> EditorTestAddress:
    row = address_for(token)
    if not row.confirmed:
        row.confirmed_at = utcnow()
        editor = db.session.get(Editor, row.editor_id)
        actor = Actor(editor.email, editor.id) if editor else None
        record(actor, "test-address-confirmed", target(row.email), "via de link in de mail")
        db.session.commit()
    return row


def send_link(address_id: int) -> bool:
    """The worker's part: mail the link to the address (not to the editor)."""
    row = db.session.get(EditorTestAddress, address_id)
    editor = db.session.get(Editor, row.editor_id) if row else None
    if row is None or row.confirmed or editor is None or not editor.is_active:
        return False
    url = external_url("editions.confirm_test_address", token=token_for(row))
    who = f"{editor.name} ({editor.email})" if editor.name else editor.email
    rendered = render_email(
        "editor_test_address",
        "Testadres bevestigen voor OVER het ravijn",
        {"url": url, "editor": who, **footer_links()},
    )
    data = message.compose(
        mail_from=current_app.config["SETTINGS"].mail_from,
        to_address=row.email,
        to_name="",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )
    outgoing.send(data, row.email)
    return True

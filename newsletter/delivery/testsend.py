"""An editor's test-send: the reader's own message, built by `PreparedEdition`, with sample
values, the test address and "[TEST]" before the subject; it leaves like every other mail.
Only to the editor's own address or a confirmed test address of theirs, checked again here
(it may have been removed since the request; editions/testsends.py decides the request).

The outcome lands in the audit log, and the edition's page shows it: a test-send that failed
is reported as failed, never as sent.
"""

from __future__ import annotations

from newsletter.auth import accounts
from newsletter.auth.audit import Actor, record
from newsletter.delivery.prepared import prepared_for, sample_recipient
from newsletter.editions import test_addresses
from newsletter.editions.services import EditionError
from newsletter.extensions import db
from newsletter.mail import outgoing
from newsletter.mail.message import HeaderError
from newsletter.mail.transport import PermanentFailure, TemporaryFailure

SUBJECT_PREFIX = "[TEST] "


def target(edition_id: int) -> str:
    return f"editie {edition_id}"


def send_test(
    edition_id: int, editor_id: int, address_id: int = -1, *, last_try: bool = True
) -> bool:
    """To the editor's confirmed test address `address_id` (-1: the editor's own). False when
    the edition, the editor or the address is gone (or no longer confirmed), or the mail was
    refused for good. The audit names another address only by a keyed hash."""
    editor = accounts.get(editor_id)
    if editor is None or not editor.is_active:
        return False
    actor = Actor(editor.email, editor.id)
    if address_id >= 0:
        row = test_addresses.confirmed_row(editor_id, address_id)
        if row is None:
            _outcome(actor, edition_id, "niet verstuurd: het testadres is niet meer bevestigd")
            return False
        to = row.email
    else:
        to = editor.email
    where = "" if to == editor.email else f"naar adres {accounts.keyed_hash(to)}: "
    try:
        prepared = prepared_for(edition_id, counted=False)
        name = (editor.name or editor.email) if to == editor.email else to
        recipient = sample_recipient(edition_id, to, name)
        outgoing.send(prepared.bytes_for(recipient, subject_prefix=SUBJECT_PREFIX), to)
    except (EditionError, HeaderError, PermanentFailure) as exc:
        _outcome(actor, edition_id, f"{where}mislukt: {exc}")
        return False
    except TemporaryFailure as exc:
        if last_try:
            _outcome(actor, edition_id, f"{where}mislukt: de mailserver antwoordde niet ({exc})")
        raise  # the worker tries again later
    _outcome(actor, edition_id, f"{where}afgeleverd bij de mailserver")
    return True


def _outcome(actor: Actor, edition_id: int, detail: str) -> None:
    db.session.rollback()
    record(actor, "test-send", target(edition_id), detail)
    db.session.commit()

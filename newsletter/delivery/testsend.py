"""An editor's test-send: the reader's own message, built by `PreparedEdition`, with sample
values, the test address and "[TEST]" before the subject; it leaves like every other mail.

The outcome lands in the audit log, and the edition's page shows it: a test-send that failed
is reported as failed, never as sent.
"""

from __future__ import annotations

from newsletter.auth import accounts
from newsletter.auth.audit import Actor, record
from newsletter.delivery.prepared import prepared_for, sample_recipient
from newsletter.editions.services import EditionError
from newsletter.extensions import db
from newsletter.mail import outgoing
from newsletter.mail.message import HeaderError
from newsletter.mail.transport import PermanentFailure, TemporaryFailure

SUBJECT_PREFIX = "[TEST] "


def target(edition_id: int) -> str:
    return f"editie {edition_id}"


def send_test(edition_id: int, editor_id: int, *, last_try: bool = True) -> bool:
    """False when the edition or the editor is gone, or the mail was refused for good."""
    editor = accounts.get(editor_id)
    if editor is None:
        return False
    actor = Actor(editor.email, editor.id)
    try:
        prepared = prepared_for(edition_id)
        recipient = sample_recipient(edition_id, editor.email, editor.name or editor.email)
        outgoing.send(prepared.bytes_for(recipient, subject_prefix=SUBJECT_PREFIX), editor.email)
    except (EditionError, HeaderError, PermanentFailure) as exc:
        _outcome(actor, edition_id, f"mislukt: {exc}")
        return False
    except TemporaryFailure as exc:
        if last_try:
            _outcome(actor, edition_id, f"mislukt: de mailserver antwoordde niet ({exc})")
        raise  # the worker tries again later
    _outcome(actor, edition_id, "afgeleverd bij de mailserver")
    return True


def _outcome(actor: Actor, edition_id: int, detail: str) -> None:
    db.session.rollback()
    record(actor, "test-send", target(edition_id), detail)
    db.session.commit()

"""An editor's test-send: the reader's own message, built by `PreparedEdition`, with sample
values, the test address and "[TEST]" before the subject; it leaves like every other mail."""

from __future__ import annotations

from newsletter.auth import accounts
from newsletter.delivery.prepared import prepared_for, sample_recipient
from newsletter.editions.services import EditionError
from newsletter.mail import outgoing

SUBJECT_PREFIX = "[TEST] "


def send_test(edition_id: int, editor_id: int) -> bool:
    """False when the edition or the editor is gone (the message is then dropped)."""
    editor = accounts.get(editor_id)
    if editor is None:
        return False
    try:
        prepared = prepared_for(edition_id)
    except EditionError:
        return False
    recipient = sample_recipient(edition_id, editor.email, editor.name or editor.email)
    outgoing.send(prepared.bytes_for(recipient, subject_prefix=SUBJECT_PREFIX), editor.email)
    return True

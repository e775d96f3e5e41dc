"""Hard bounces (DSN, RFC 3464) and spam complaints (ARF, RFC 5965) in a Maildir or .eml files.

An ARF report (multipart/report; report-type=feedback-report) from a provider's feedback loop
counts when the returned message carries our Message-ID with its HMAC tag for a ledger row
that was sent; the reader of that row is marked complained (mail stops at once) through the
lifecycle, with the edition in the consent event. An Original-Rcpt-To that names someone else
makes it count for nobody.

A DSN is a multipart/report with a message/delivery-status part: one block per recipient with
Final-Recipient, Action and Status. Action "failed" with a 5.x.x status is a hard bounce, and it
counts only when the returned headers carry our Message-ID (<edition.row.tag.ravijn@…>, the tag an
HMAC that only we can make) for a
ledger row of that very reader: then the row is marked failed and the reader bounced (by the
subscribers' lifecycle). 4.x.x is left alone: the relay is still trying. Files are only read,
never moved or deleted.
"""

from __future__ import annotations

import contextlib
import hmac
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

from flask import current_app

from newsletter.delivery import ledger
from newsletter.delivery.prepared import row_tag
from newsletter.extensions import db
from newsletter.subscribers import lifecycle, queries

OUR_ID = re.compile(r"<(\d+)\.(\d+)\.([0-9a-f]{16})\.ravijn@")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class IngestReport:
    messages: int = 0
    hard: int = 0
    soft: int = 0
    unknown: int = 0
    unproven: int = 0  # ours in name only: no row of ours for that reader, or already counted
    complaints: int = 0  # ARF reports that proved they answer our mail to that reader
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Bounce:
    recipient: str
    action: str
    status: str
    delivery_id: int | None

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


def _maildir(path: Path) -> bool:
    return path.is_dir() and ((path / "new").is_dir() or (path / "cur").is_dir())


def files(path: Path) -> list[Path]:
    """One .eml, the .eml files of a folder, or the new mail of a Maildir: what is in `cur/`
    was read before (cron runs every few minutes; rereading the whole Maildir grew without
    end and counted old reports again)."""
    if path.is_file():
        return [path]
    if _maildir(path):
        found = list((path / "new").iterdir()) if (path / "new").is_dir() else []
    else:
        found = list(path.glob("*.eml"))
    return sorted(f for f in found if f.is_file())


def _mark_read(file: Path) -> None:
    """A Maildir message goes from new/ to cur/ with the Seen flag, as a mail client does."""
    cur = file.parent.parent / "cur"
    cur.mkdir(exist_ok=True)
    # a run on another machine may have moved it first: it was handled there too
    with contextlib.suppress(FileNotFoundError):
        file.rename(cur / (file.name if ":2," in file.name else f"{file.name}:2,S"))


@dataclass(frozen=True)
class Complaint:
    edition_id: int | None
    row_id: int | None
    recipient: str  # Original-Rcpt-To, when the provider sent it
    feedback_type: str


def complaint(data: bytes) -> Complaint | None:
    """The complaint an ARF report makes, or None when the message is no ARF report."""
    message = message_from_bytes(data, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "feedback-report":
        return None
    fields, ours = None, (None, None)
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report":
            payload = part.get_payload()
            fields = payload[0] if isinstance(payload, list) and payload else None
            if fields is None:
                raw = part.get_payload(decode=True) or b""
                fields = message_from_bytes(raw if isinstance(raw, bytes) else b"")
        elif kind in ("text/rfc822-headers", "message/rfc822"):
            ours = _our_message(part)
    if fields is None:
        raise ValueError("ARF zonder message/feedback-report")
    recipient = str(fields.get("Original-Rcpt-To", "")).strip().strip("<>").lower()
    return Complaint(ours[0], ours[1], recipient, str(fields.get("Feedback-Type", "")).lower())


def parse(data: bytes) -> list[Bounce]:
    """The recipients a DSN reports on; ValueError when it is no DSN."""
    message = message_from_bytes(data, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        raise ValueError("geen DSN of klachtmelding (geen multipart/report)")
    delivery_id = None
    status_part = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            status_part = part
        elif kind in ("text/rfc822-headers", "message/rfc822"):
            delivery_id = _our_message(part)[1]
    if status_part is None:
        raise ValueError("geen DSN (geen message/delivery-status)")
    blocks = status_part.get_payload()
    if not isinstance(blocks, list) or len(blocks) < 2:
        raise ValueError("DSN zonder ontvangers")
    bounces = []
    for block in blocks[1:]:
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        if "@" not in address:
            continue
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip().split(" ")[0]
        bounces.append(Bounce(address, action, status, delivery_id))
    return bounces


def _our_message(part: Message) -> tuple[int | None, int | None]:
    """(edition id, ledger row id) of our Message-ID in the returned headers, when its HMAC tag
    proves we made it; (None, None) otherwise."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        text = str(payload[0].get("Message-ID", ""))
    else:
        raw = part.get_payload(decode=True) or b""
        text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
    found = OUR_ID.search(text)
    if found is None:
        return None, None
    edition_id, row_id, tag = int(found.group(1)), int(found.group(2)), found.group(3)
    settings = current_app.config["SETTINGS"]
    keys = (*settings.secret_keys, *settings.retired_keys)  # mails sent before a rotation
    if not any(hmac.compare_digest(tag, row_tag(edition_id, row_id, key)) for key in keys):
        return None, None  # looks like ours, is not: a forged or altered Message-ID
    return edition_id, row_id


def ingest(path: Path) -> IngestReport:
    """Every message once: from a Maildir, each one handled (or found unreadable) moves to
    cur/. One that could not be opened (OSError) stays in new/ for the next run."""
    report = IngestReport()
    maildir = _maildir(path)
    for file in files(path):
        try:
            if file.stat().st_size > MAX_BYTES:
                raise ValueError("groter dan 5 MB, geen DSN")
            data = file.read_bytes()
            complained = complaint(data)
            found = [] if complained else parse(data)
        except OSError as exc:
            report.problems.append(f"{file}: {exc}")
            continue
        except ValueError as exc:
            report.problems.append(f"{file}: {exc}")
            if maildir:
                _mark_read(file)
            continue
        _handle(report, complained, found)
        if maildir:
            _mark_read(file)  # after its changes were committed
    return report


def _handle(report: IngestReport, complained: Complaint | None, found: list[Bounce]) -> None:
    report.messages += 1
    if complained is not None:
        if _apply_complaint(complained):
            report.complaints += 1
        else:
            report.unproven += 1
        return
    for bounce in found:
        if not bounce.hard:
            report.soft += 1
            continue
        outcome = _apply(bounce)
        if outcome == "applied":
            report.hard += 1
        elif outcome == "unknown":
            report.unknown += 1
        else:
            report.unproven += 1


def _apply(bounce: Bounce) -> str:
    """ "applied" only when the DSN proves it answers our own message to this very reader: its
    returned headers carry our Message-ID, that ledger row went to the Final-Recipient, and
    the row was still counted as sent (a replayed DSN finds it failed already). Anyone can
    mail the bounce address, so anything else ("unknown" address, "unproven") changes nobody.
    """
    subscriber_id = queries.id_for_address(bounce.recipient)
    if subscriber_id is None:
        return "unknown"
    if bounce.delivery_id is None or not ledger.fail_after_report(
        bounce.delivery_id, subscriber_id, bounce.status
    ):
        db.session.rollback()
        return "unproven"
    lifecycle.bounce_reported(subscriber_id, bounce.status)  # commits the row's mark with it
    return "applied"


def _apply_complaint(found: Complaint) -> bool:
    """True only when the report proves it answers our mail to this reader (see the module)."""
    if found.edition_id is None or found.row_id is None:
        return False
    subscriber_id = ledger.owner_of_row(found.row_id, found.edition_id)
    if subscriber_id is None:
        return False
    if found.recipient and queries.id_for_address(found.recipient) != subscriber_id:
        return False  # the provider names someone else: count it for nobody
    return lifecycle.complain(
        subscriber_id, f"klacht over editie {found.edition_id} ({found.feedback_type or 'abuse'})"
    )

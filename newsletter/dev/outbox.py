"""The local sink's mails as files: one .eml per mail in OUTBOX_DIR."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

NAME = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{32}\.eml$")


@dataclass(frozen=True)
class OutboxMail:
    name: str
    received: datetime
    to: str
    subject: str
    text: str
    html: str | None


def save(outbox: Path, data: bytes) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = outbox / f"{stamp}-{uuid.uuid4().hex}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # readers never see half a mail
    return path


def _parse(path: Path) -> OutboxMail:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return OutboxMail(
        name=path.name,
        received=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else None,
    )


def list_mails(outbox: Path, limit: int = 200) -> list[OutboxMail]:
    if not outbox.is_dir():
        return []
    paths = sorted((p for p in outbox.iterdir() if NAME.match(p.name)), reverse=True)
    return [_parse(p) for p in paths[:limit]]


def get_mail(outbox: Path, name: str) -> OutboxMail | None:
    if not NAME.match(name):
        return None
    path = outbox / name
    return _parse(path) if path.is_file() else None

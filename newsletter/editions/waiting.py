"""Which editions wait for approval (four-eyes), and who asked: for the list of editions.

Waiting: a draft or planned edition whose latest request for approval ("Vraag om goedkeuring")
came after its latest approval that still holds. A save voids the approvals of other versions
(approval.void_outdated), so an approval that still holds is one of the version as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from newsletter.auth.models import AuditEvent, Editor
from newsletter.editions.approval import four_eyes
from newsletter.editions.models import Approval, Edition
from newsletter.extensions import db


@dataclass(frozen=True)
class Waiting:
    asked_by: str  # the editor's name, or the address the audit kept
    asked_at: datetime


def waiting(editions: Sequence[Edition]) -> dict[int, Waiting]:
    """Edition id → who asked for approval and when, for those still waiting."""
    open_ids = [e.id for e in editions if e.editable]
    if not open_ids or not four_eyes():
        return {}
    targets = {f"editie {edition_id}": edition_id for edition_id in open_ids}
    newest = (
        select(func.max(AuditEvent.id))
        .where(AuditEvent.action == "approval-requested", AuditEvent.target.in_(targets))
        .group_by(AuditEvent.target)
    )
    asks = db.session.execute(
        select(AuditEvent, Editor.name)
        .outerjoin(Editor, Editor.id == AuditEvent.editor_id)
        .where(AuditEvent.id.in_(newest))
    ).all()
    approved = dict(
        db.session.execute(
            select(Approval.edition_id, func.max(Approval.approved_at))
            .where(Approval.edition_id.in_(open_ids), Approval.voided_at.is_(None))
            .group_by(Approval.edition_id)
        ).all()
    )
    found = {}
    for event, name in asks:
        edition_id = targets[event.target]
        last_yes = approved.get(edition_id)
        if last_yes is None or last_yes < event.occurred_at:
            found[edition_id] = Waiting(name or event.actor, event.occurred_at)
    return found

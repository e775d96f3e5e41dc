"""Four-eyes sending: an edition is scheduled or published only after a second eindredacteur
approved the exact version that goes out.

An approval holds the fingerprint of the rendered edition (subject, preheader, the HTML and
text parts with sample values, and the audience). Any change that alters what readers would
get gives another fingerprint, so the approval no longer matches; the save that did it marks
the approval void and says so in the audit. Who may approve is `refusal`, and only there.

`FOUR_EYES=off` is for a one-person team: each send then says so in the audit. The server's
shell stays the operator's door: `flask delivery publish` is audited as a command-line action.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import select, update

from newsletter import jobs
from newsletter.auth.accounts import get as get_editor
from newsletter.auth.audit import CLI, CLOCK, Actor, last, record
from newsletter.auth.roles import EINDREDACTEUR
from newsletter.database import utcnow
from newsletter.editions import authorship, notices
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE, Approval, Edition
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.rendering.edition import RenderedEdition, personalise

#: sample values: the fingerprint must not depend on who receives it, nor on the render's nonce
_SAMPLE = {"name": "X", "preferences_url": "https://x/v", "unsubscribe_url": "https://x/a"}


class ApprovalError(EditionError):
    """A four-eyes rule said no; the message is Dutch and shown to the editor."""


def fingerprint(rendered: RenderedEdition, segment: str) -> str:
    html, text = personalise(rendered, _SAMPLE)
    digest = hashlib.sha256()
    for part in (rendered.subject, rendered.preheader, html, text, segment):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def four_eyes() -> bool:
    return bool(current_app.config["SETTINGS"].four_eyes)


def current(edition: Edition, rendered: RenderedEdition) -> Approval | None:
    """The approval that matches this exact version, if any."""
    return matching(edition.id, fingerprint(rendered, edition.segment))


def matching(edition_id: int, version: str) -> Approval | None:
    return db.session.scalar(
        select(Approval)
        .where(
            Approval.edition_id == edition_id,
            Approval.voided_at.is_(None),
            Approval.fingerprint == version,
        )
        .order_by(Approval.id.desc())
        .limit(1)
    )


NOT_AN_EINDREDACTEUR = "Alleen een eindredacteur kan een editie goedkeuren."
NOBODY_KNOWN = (
    "Van deze versie is niet bekend wie haar maakte (bijvoorbeeld een import of een API-sleutel "
    "zonder eigenaar). Een redacteur slaat haar eerst op; daarna keurt een andere eindredacteur "
    "haar goed."
)
WROTE_IT = "Je hebt aan deze editie geschreven. Een andere eindredacteur moet haar goedkeuren."


def refusal(edition: Edition, actor: Actor) -> str | None:
    """The one four-eyes rule: why `actor` may not approve this version, or None when they may.
    Only an enabled eindredacteur; never anyone who wrote any version of it (or of the original
    of a copy), whatever other roles they hold; nobody at all while the person responsible for
    the version is unknown (see authorship)."""
    editor = get_editor(actor.editor_id) if actor.editor_id is not None else None
    if editor is None or not editor.is_active or not editor.has_role(EINDREDACTEUR):
        return NOT_AN_EINDREDACTEUR
    if edition.edited_by_id is None:
        return NOBODY_KNOWN
    wrote = authorship.writers(edition.id) | {edition.created_by_id, edition.edited_by_id}
    return WROTE_IT if editor.id in wrote else None


def approve(
    edition: Edition, rendered: RenderedEdition, actor: Actor, recipients: int, seen: str
) -> None:
    """`seen`: the fingerprint of the version the approver looked at (a hidden field on the
    page); a save in between means another version, which they did not see."""
    if edition.state not in EDITABLE:
        raise ApprovalError("Deze editie is al verzonden of wordt verzonden.")
    if not rendered.ok:
        raise ApprovalError("Los eerst de fouten op; daarna kan de editie worden goedgekeurd.")
    refused = refusal(edition, actor)
    if refused is not None:
        raise ApprovalError(refused)
    if seen != fingerprint(rendered, edition.segment):
        raise ApprovalError(
            "De editie is gewijzigd sinds je haar opende. Bekijk de nieuwe versie en keur dan goed."
        )
    if current(edition, rendered) is None:
        db.session.add(
            Approval(
                edition_id=edition.id,
                fingerprint=fingerprint(rendered, edition.segment),
                approved_by_id=actor.editor_id,
            )
        )
        record(actor, "approve", f"editie {edition.id}", f"{recipients} lezers")
    db.session.commit()


def ask(edition: Edition, actor: Actor) -> None:
    """Audited, and the eindredacteuren get a mail (after the commit)."""
    record(actor, "approval-requested", f"editie {edition.id}")
    enqueue_after_commit(jobs.SEND_EDITOR_NOTICE, notices.APPROVAL_ASKED, edition.id)
    db.session.commit()


def void_outdated(edition_id: int, new_fingerprint: str, actor: Actor | None) -> bool:
    """After a save: approvals of another version are void (the caller commits)."""
    result = db.session.execute(
        update(Approval)
        .where(
            Approval.edition_id == edition_id,
            Approval.voided_at.is_(None),
            Approval.fingerprint != new_fingerprint,
        )
        .values(voided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        record(actor, "approval-voided", f"editie {edition_id}", "de editie is gewijzigd")
    return bool(result.rowcount)


def required(edition: Edition, rendered: RenderedEdition, actor: Actor | None) -> str:
    """Raise ApprovalError when this version may not go out yet; else a note for the audit."""
    if actor is None or actor == CLI:
        return "via de opdrachtregel"
    if not four_eyes():
        return "zonder vier-ogen (FOUR_EYES staat uit)"
    if actor == CLOCK and scheduled_from_the_command_line(edition):
        # `flask delivery publish --at`: the operator's door, kept at the planned time; any
        # change since would have put the edition back to draft (services.update)
        return "ingepland via de opdrachtregel"
    if current(edition, rendered) is None:
        raise ApprovalError(
            "Deze versie is nog niet goedgekeurd. Een tweede eindredacteur moet haar eerst "
            "goedkeuren; daarna kan ze worden ingepland of verstuurd."
        )
    return "goedgekeurd (vier ogen)"


def scheduled_from_the_command_line(edition: Edition) -> bool:
    planned = last("schedule", f"editie {edition.id}")
    return planned is not None and planned.actor == CLI.label


def approver_of(edition: Edition, rendered: RenderedEdition) -> tuple[Approval, str] | None:
    """The matching approval and the approver's address, for the edit page."""
    found = current(edition, rendered)
    if found is None:
        return None
    who = get_editor(found.approved_by_id) if found.approved_by_id else None
    return found, ((who.name or who.email) if who else "een verwijderde redacteur")

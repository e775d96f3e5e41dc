"""Asking for a test-send: the reader's mail, "[TEST]" before the subject, to the editor's
own address or to their confirmed test addresses, and at most so many an hour per editor and
per edition (counted in Redis, so for every web node together). Refusals are audited: once a
minute per editor, edition and reason, so that a flood of refused posts cannot flood the log.
"""

from __future__ import annotations

from flask import current_app

from newsletter import jobs
from newsletter.auth.accounts import keyed_hash
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor
from newsletter.editions import hourly, services, test_addresses
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import addresses

MAX_PER_SEND = 5
OWN = -1  # the queue's word for the editor's own address


class Refused(EditionError):
    """Not sent, and audited; the message is Dutch."""


def parse(text: str) -> list[str]:
    """Up to five addresses, one per line or with commas between; EditionError names a wrong one."""
    found: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        try:
            address = addresses.normalise_email(part).address
        except addresses.InvalidEmail:
            raise EditionError(f"‘{part.strip()[:80]}’ is geen e-mailadres.") from None
        if address.lower() not in (a.lower() for a in found):
            found.append(address)
    if len(found) > MAX_PER_SEND:
        raise EditionError(f"Hoogstens {MAX_PER_SEND} testadressen tegelijk.")
    return found


def request(edition_id: int, editor_id: int, to: str = "") -> list[str]:
    """Queue the test mails; returns where they go. EditionError when the edition is not
    ready or the text is wrong, Refused for an unconfirmed address or the limits."""
    edition = services.get(edition_id)
    if edition.state not in EDITABLE:
        raise EditionError("Deze editie is al verzonden; een test is niet meer nodig.")
    if not services.render(edition).ok:
        raise EditionError("Los eerst de fouten op; daarna kun je een test versturen.")
    chosen = parse(to)
    editor = db.session.get(Editor, editor_id)
    if editor is None:
        raise EditionError("Je account bestaat niet meer.")
    actor = Actor(editor.email, editor.id)
    targets = _targets(editor, edition_id, chosen, actor)
    _count(editor, edition_id, len(targets), actor)
    for address_id, _ in targets:
        enqueue_after_commit(jobs.SEND_TEST_EDITION, edition_id, editor_id, address_id)
    db.session.commit()
    return [email for _, email in targets]


def _targets(
    editor: Editor, edition_id: int, chosen: list[str], actor: Actor
) -> list[tuple[int, str]]:
    if not chosen:
        return [(OWN, editor.email)]
    confirmed = {
        row.email.lower(): row for row in test_addresses.listing(editor.id) if row.confirmed
    }
    targets = []
    for email in chosen:
        if email.lower() == editor.email.lower():
            targets.append((OWN, editor.email))
        elif email.lower() in confirmed:
            targets.append((confirmed[email.lower()].id, confirmed[email.lower()].email))
        else:
            _refuse(
                actor,
                edition_id,
                "unconfirmed",
                f"naar adres {keyed_hash(email)}: dat testadres is niet bevestigd",
                f"{email} is geen bevestigd testadres van je. Voeg het toe bij Testadressen; "
                "het telt zodra iemand de link volgt die we naar dat adres mailen.",
            )
    return targets


def _count(editor: Editor, edition_id: int, n: int, actor: Actor) -> None:
    settings = current_app.config["SETTINGS"]
    per_editor, per_edition = settings.testsend_per_editor_hour, settings.testsend_per_edition_hour
    try:
        over = hourly.take(
            {
                f"testsend:editor:{editor.id}": per_editor,
                f"testsend:edition:{edition_id}": per_edition,
            },
            n,
        )
    except hourly.Unavailable:
        raise EditionError(
            "Testmails kunnen nu niet worden geteld. Probeer het over een minuut opnieuw."
        ) from None
    if over is None:
        return
    if over.startswith("testsend:editor:"):
        detail = f"grens van {per_editor} testmails per uur per redacteur bereikt"
        text = f"Je kunt hoogstens {per_editor} testmails per uur sturen"
    else:
        detail = f"grens van {per_edition} testmails per uur voor deze editie bereikt"
        text = f"Voor deze editie kunnen hoogstens {per_edition} testmails per uur worden gestuurd"
    _refuse(actor, edition_id, over, detail, f"{text}. Probeer het later opnieuw.")


def _refuse(actor: Actor, edition_id: int, reason: str, detail: str, message: str) -> None:
    db.session.rollback()
    if hourly.once_a_minute(f"refused:{actor.editor_id}:{edition_id}:{reason}"):
        record(actor, "test-send-refused", f"editie {edition_id}", detail)
        db.session.commit()
    raise Refused(message)

"""Mail from the outbox (newsletter/mail_outbox.py), the workers' side: the message names a
row, the row the mail. A mail actor is wrapped so that it claims the row, sends, and marks it;
the clock's reconcile calls `sweep` for the rows whose message was lost."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

import dramatiq
from dramatiq.middleware import CurrentMessage
from flask import current_app

from newsletter import jobs, mail_outbox
from newsletter.extensions import db
from newsletter.mail.transport import PermanentFailure

HELD_LOOK_AGAIN_SECONDS = 5  # a mail another message is sending: look again after this


class Held(dramatiq.Retry):
    """An outbox row another try holds (or not due yet): this message comes back later."""


def through_outbox(
    fn: Callable[..., bool], outages: tuple[type[BaseException], ...], tries_at_most: int
) -> Callable[[int], None]:
    """A mail from the outbox: the message names the row, the row the mail's ids. Claimed
    under the message's id before the mail is made, marked once it went; the message
    remembers that it went, so a retry after a failed mark (an outage) only marks."""

    @functools.wraps(fn)
    def run(row_id: int) -> None:
        message = CurrentMessage.get_current_message()
        holder = message.message_id if message is not None else secrets.token_hex(16)
        options = message.options if message is not None else {}
        if options.get("mailed"):
            mail_outbox.finish(row_id, holder, mail_outbox.SENT)
            return
        taken = mail_outbox.claim(row_id, holder)
        if taken is None:
            wait = mail_outbox.due_in(row_id)
            if wait is None:
                return  # sent or given up
            # not due yet, or another message's try holds it: mostly a try that ends in a
            # moment, sometimes one that died with its worker. Look again soon, until the
            # claim runs out; a wait is no failure, so it uses none of the message's retries
            if message is not None:
                options["retries"] = options.get("retries", 0) - 1  # Retries adds 1
            delay = min(wait, HELD_LOOK_AGAIN_SECONDS) * 1000 + secrets.randbelow(1000)
            raise Held(f"row {row_id} held", delay=int(delay))
        ids, tries = taken
        try:
            went = fn(*ids)
        except outages:
            db.session.rollback()
            raise  # the claim stays with this message; its retry takes it back
        except PermanentFailure as exc:
            db.session.rollback()
            mail_outbox.finish(row_id, holder, mail_outbox.FAILED, str(exc)[:500])
            raise
        except Exception as exc:
            db.session.rollback()
            note = f"{exc.__class__.__name__}: {exc}"[:500]
            if tries > tries_at_most:  # as many tries as the message has: given up
                mail_outbox.finish(row_id, holder, mail_outbox.FAILED, note)
            else:
                mail_outbox.release(row_id, holder, note)
            raise
        options["mailed"] = True
        mail_outbox.finish(row_id, holder, mail_outbox.SENT if went else mail_outbox.SKIPPED)

    return run


def sweep() -> None:
    """Mails whose message was lost (Redis flushed or failed over) are nudged again."""
    lost_after = current_app.config["SETTINGS"].outbox_lost_seconds
    for name, row_id in mail_outbox.sweep(lost_after):
        jobs.nudge_after_commit(jobs.BY_NAME[name], row_id)
    db.session.commit()

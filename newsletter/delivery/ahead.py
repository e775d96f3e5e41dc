"""A batch's messages, made and signed a run at a time rather than one between two sends.

Per reader a batch waits on the network twice (the relay's 250, PostgreSQL's answer to the
mark) and, with DKIM on, signs once: about 0.3 ms of pure computation for RSA-2048. Signed
one at a time, every signature falls between two waits, and the worker, the relay and
PostgreSQL hand the cores back and forth around each. Made RUN readers at a time, the
signatures run back to back and the sends after them; on the 2-core bench a signed mail then
costs the machine 1.1-1.3 ms instead of 1.5-1.9, and one connection alone sends as fast as
before (docs/operations.md#production). The Date header and DKIM's t= are then a few
milliseconds older than the moment the mail leaves (no more than the slice, 1.5 s, at worst).

Nothing here touches the ledger: a message made for a reader the slice does not reach (it
ended, the relay failed) is dropped, at most RUN - 1 of them per slice; a throttled send
(SEND_RATE, a relay's rate) makes one at a time, as its slices are short of mails. A message
that cannot be made raises at its own reader's turn, after the readers before it are sent.
"""

from __future__ import annotations

from newsletter.delivery.prepared import PreparedEdition, Recipient
from newsletter.mail.outgoing import Session, Signed

#: readers whose messages are made in one go
RUN = 16


def run_length(rates: list[int]) -> int:
    """RUN, or 1 when a rate limits the send (0: no limit)."""
    return RUN if all(not rate for rate in rates) else 1


class Ahead:
    """`take(recipients, position)` gives the signed message for recipients[position],
    making it and those of the next readers (up to RUN in all) when it is not made yet."""

    def __init__(self, prepared: PreparedEdition, session: Session, run: int = RUN) -> None:
        self.prepared = prepared
        self.session = session
        self.run = run
        self._made: dict[int, Signed | Exception] = {}  # position in the batch -> message

    def take(self, recipients: list[Recipient | int], position: int) -> Signed:
        if position not in self._made:
            self._made = {
                at: self._make(recipient)
                for at, recipient in enumerate(
                    recipients[position : position + self.run], start=position
                )
                if isinstance(recipient, Recipient)
            }
        made = self._made.pop(position)
        if isinstance(made, Exception):
            raise made
        return made

    def _make(self, recipient: Recipient) -> Signed | Exception:
        try:
            data, hashed = self.prepared.signable_for(recipient)
            return self.session.sign(data, hashed)
        except Exception as exc:  # raised in take(), at this reader's own turn
            return exc

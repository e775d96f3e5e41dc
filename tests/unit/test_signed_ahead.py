"""A batch's messages are made and signed RUN readers at a time, each for its own reader."""

from __future__ import annotations

from pathlib import Path

import dkim
import pytest

from newsletter.delivery.ahead import RUN, Ahead, run_length
from newsletter.delivery.prepared import PreparedEdition, Recipient
from newsletter.mail.outgoing import Session
from newsletter.rendering.edition import render_edition
from tests.factories import dkim_key

SOURCE = (Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md").read_text()


class Counting(PreparedEdition):
    made: list[int]
    broken: int | None = None

    def signable_for(self, recipient, *, subject_prefix=""):
        self.made.append(recipient.delivery_id)
        if recipient.delivery_id == self.broken:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "not ASCII")
        return super().signable_for(recipient, subject_prefix=subject_prefix)


def batch(size: int, skipped: set[int]) -> list[Recipient | int]:
    return [
        row if row in skipped else Recipient(row, f"lezer{row}@x.example", f"Lezer {row}", "p")
        for row in range(size)
    ]


def test_messages_are_made_a_run_at_a_time_each_for_its_reader(app):
    with app.test_request_context():
        prepared = Counting(
            7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l>"
        )
        prepared.made = []
        recipients = batch(10, skipped={2, 5})
        ahead = Ahead(prepared, Session(app.config["SETTINGS"]), run=4)
        sent = {}
        for position, recipient in enumerate(recipients):
            if isinstance(recipient, Recipient):
                sent[recipient.delivery_id] = ahead.take(recipients, position).data
                if position == 0:
                    assert prepared.made == [0, 1, 3]  # positions 0-3, the skipped row left out
    assert prepared.made == [0, 1, 3, 4, 6, 7, 8, 9]  # each once, in order
    for row, data in sent.items():
        assert f"To: Lezer {row} <lezer{row}@x.example>".encode() in data


def test_a_reader_the_run_did_not_reach_gets_a_message_made_then(app):
    with app.test_request_context():
        prepared = Counting(
            7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l>"
        )
        prepared.made = []
        recipients = batch(6, skipped=set())
        ahead = Ahead(prepared, Session(app.config["SETTINGS"]), run=3)
        ahead.take(recipients, 0)
        data = ahead.take(recipients, 4).data  # 1 and 2 were made, then the batch moved on
    assert prepared.made == [0, 1, 2, 4, 5]
    assert b"lezer4@x.example" in data


def test_a_message_made_ahead_is_signed_for_its_reader(app, settings, tmp_path):
    key, dns = dkim_key(tmp_path)
    settings(dkim_selector="ravijn", dkim_domain="ravijn.example", dkim_key_file=key)
    with app.test_request_context():
        prepared = PreparedEdition(
            7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l>"
        )
        recipients = batch(3, skipped=set())
        ahead = Ahead(prepared, Session(app.config["SETTINGS"]), run=3)
        messages = [ahead.take(recipients, position).data for position in range(3)]
    for message in messages:
        assert dkim.verify(message, dnsfunc=dns)
    assert not dkim.verify(messages[2].replace(b"lezer2@", b"lezer1@", 1), dnsfunc=dns)


def test_a_message_that_cannot_be_made_fails_at_its_own_turn(app):
    with app.test_request_context():
        prepared = Counting(
            7, render_edition(SOURCE), mail_from="OVER het ravijn <nb@vng.example>", list_id="<l>"
        )
        prepared.made, prepared.broken = [], 2
        recipients = batch(4, skipped=set())
        ahead = Ahead(prepared, Session(app.config["SETTINGS"]), run=4)
        assert b"lezer0@" in ahead.take(recipients, 0).data
        assert b"lezer1@" in ahead.take(recipients, 1).data
        with pytest.raises(UnicodeEncodeError):
            ahead.take(recipients, 2)
        assert b"lezer3@" in ahead.take(recipients, 3).data
    assert prepared.made == [0, 1, 2, 3]


def test_a_throttled_send_makes_one_message_at_a_time():
    assert run_length([0, 0]) == RUN > 1
    assert run_length([50, 0]) == run_length([0, 20]) == 1

"""The seed edition as it reaches an inbox through the real worker and SMTP sink: DKIM-signed
(checked by dkimpy's verifier), the headers Outlook and Exchange read, and SpamAssassin's local
score at most 0.5."""

from __future__ import annotations

import shutil

import dkim
import pytest

from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from tests.factories import dkim_key, subscribers
from tests.helpers import spam_score, wait_for_state
from tests.mails import EDITION


def test_the_seed_edition_is_signed_labelled_and_not_spam(
    app, db, editor, worker, sink, settings, tmp_path
):
    key, dns = dkim_key(tmp_path, domain="ravijn.example")
    settings(dkim_selector="ravijn", dkim_domain="ravijn.example", dkim_key_file=key)
    subscribers(db, 1)
    edition, rendered = editions.create(EDITION, editor.id)
    assert rendered.ok, rendered.problems
    control.publish(edition.id)
    assert wait_for_state(app, edition.id, EditionState.sent).state == EditionState.sent
    mail = next(m for m in sink.wait_for(1) if m.message()["List-Id"])
    message = mail.message()
    assert message["Content-Language"] == "nl"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["DKIM-Signature"] and dkim.verify(mail.data, dnsfunc=dns)
    if shutil.which("spamassassin") is None:
        pytest.skip("spamassassin is not installed (make test installs it: .ci/services)")
    score = spam_score(mail.data)
    print(f"\nSpamAssassin local score of the seed edition: {score}")
    assert score <= 0.5

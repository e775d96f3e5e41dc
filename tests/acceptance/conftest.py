"""Fixtures shared by the acceptance tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.test_failover import SMTP_SINK, PostfixSink


@pytest.fixture
def relay():
    """postfix's smtp-sink as the relay, counting whole mails per recipient."""
    if not Path(SMTP_SINK).exists():
        pytest.skip("postfix's smtp-sink (apt-get install postfix)")
    sink = PostfixSink()
    sink.start()
    yield sink
    sink.remove()

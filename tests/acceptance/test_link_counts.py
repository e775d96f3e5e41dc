"""Issue 30, acceptance 1: an edition sent to 1,000 readers by the real worker carries the same
link URLs in every mail but the personal two (unsubscribe, preferences), and clicks on them
leave no row and no log line that names a reader, an address, an IP or a user agent."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from newsletter.subscribers.models import Subscriber
from tests.factories import SOURCE, subscribers
from tests.helpers import wait_for_state

pytestmark = [pytest.mark.slow]
READERS = 1000
PERSONAL = re.compile(r"/(afmelden|voorkeuren)/")
WITH_EXTRAS = SOURCE.replace(
    "theme: Jeugdzorg\n",
    "theme: Jeugdzorg\nhashtags: [1voor12]\nshare: Doe mee\nagenda:\n"
    "  - title: Ledenbijeenkomst\n    start: 2026-12-10 19:30\n    place: Utrecht\n"
    "    link: https://vng.nl/agenda/ledenbijeenkomst\n",
)


def _links(message) -> tuple[list[str], list[str]]:
    body = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    hrefs = [html.unescape(h) for h in re.findall(r'\shref="([^"]*)"', body)]
    written = re.findall(r"https?://[^\s)]+", text)
    return (
        [h for h in hrefs if not PERSONAL.search(h)],
        [u for u in written if not PERSONAL.search(u)],
    )


def _every_row(db) -> dict[str, set[tuple]]:
    db.session.expire_all()
    rows = {
        table.name: {tuple(row) for row in db.session.execute(select(table)).all()}
        for table in db.metadata.sorted_tables
    }
    db.session.commit()
    return rows


def test_same_links_for_every_reader_and_clicks_name_nobody(
    app, db, editor, worker, sink, settings, client, caplog
):
    settings(batch_size=250)
    people = subscribers(db, READERS)
    edition, _ = editions.create(WITH_EXTRAS, editor.id)
    db.session.commit()
    control.publish(edition.id)
    done = wait_for_state(app, edition.id, EditionState.sent, timeout=240)
    assert done.recipient_count == READERS
    mails = sink.wait_for(READERS, timeout=60)

    first_html, first_text = _links(mails[0].message())
    counted = [h for h in first_html if urlsplit(h).path.startswith(f"/l/{edition.id}/")]
    assert len(counted) >= 8, first_html  # text links, button, agenda, .ics, shares, archive
    assert {urlsplit(h).netloc for h in first_html if h.startswith("http")} == {"ravijn.example"}
    assert set(first_text) <= set(first_html)
    for received in mails[1:]:
        assert _links(received.message()) == (first_html, first_text), received.recipients

    before = _every_row(db)
    caplog.set_level(logging.DEBUG)
    agent = "Mozilla/5.0 (Linux; Android 14) Lezer-Toestel/1.0"
    ip = "198.51.100.23"
    for url in dict.fromkeys(counted):
        answer = client.get(
            urlsplit(url).path,
            headers={"User-Agent": agent, "Accept-Language": "nl"},
            environ_base={"REMOTE_ADDR": ip},
        )
        assert answer.status_code == 302 and "Set-Cookie" not in answer.headers
        assert not urlsplit(answer.location).path.startswith("/l/")
    after = _every_row(db)

    written = {name: after[name] - before[name] for name in after if after[name] - before[name]}
    assert set(written) == {"link_count"}, written
    reader = db.session.scalars(select(Subscriber).limit(1)).one()
    personal = {ip, agent, "Lezer-Toestel", reader.public_id, *(p.email for p in people[:50])}
    for rows in written.values():
        for row in rows:
            assert not any(p in str(value) for p in personal for value in row), row
    columns = [c.name for c in db.metadata.tables["link_count"].columns]
    assert columns == ["edition_id", "number", "hour", "kind", "count"]
    for record in caplog.records:
        line = record.getMessage() + str(record.__dict__)
        assert not any(p in line for p in personal), line
    keys = app.extensions["broker"].client.keys("*")
    assert not any(p.encode() in key for key in keys for p in (ip, "Lezer"))

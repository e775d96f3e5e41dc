"""Issue 30: /l/<edition>/<n> counts per edition, link, hour and kind, and redirects only to the
stored target; link checkers are counted apart; nothing of a click names a person."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text

from newsletter.counts import links, tally
from newsletter.counts.models import EditionLink, LinkCount
from newsletter.editions import services as editions
from newsletter.extensions import db as _db
from tests.factories import SOURCE

pytestmark = pytest.mark.dialect

BROWSER = {
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148",
    "Accept-Language": "nl-NL",
}
SCANNERS = [
    ("HEAD", BROWSER),
    ("GET", BROWSER | {"Sec-Purpose": "prefetch"}),
    ("GET", {"User-Agent": "Mozilla/5.0 Proofpoint URL Defense", "Accept-Language": "en"}),
    ("GET", {"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120"}),  # no Accept-Language
]


def _metric(kind: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("ravijn_link_requests_total", {"kind": kind}) or 0.0


@pytest.fixture
def sent(db, editor):
    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    stored = links.store(edition.id, editions.render(edition))
    db.session.commit()
    return edition.id, stored


def test_clicks_and_link_checkers_are_counted_apart(client, sent, caplog):
    edition_id, stored = sent
    assert len(stored) >= 3
    caplog.set_level(logging.DEBUG)
    before = {k: _metric(k) for k in ("person", "checker")}
    for i in range(300):
        number = i % 3 + 1
        answer = client.get(
            f"/l/{edition_id}/{number}",
            headers=BROWSER,
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        assert answer.status_code == 302 and answer.location == stored[number - 1]
        assert "Set-Cookie" not in answer.headers
    for i in range(100):
        method, headers = SCANNERS[i % len(SCANNERS)]
        answer = client.open(f"/l/{edition_id}/{i % 3 + 1}", method=method, headers=headers)
        assert answer.status_code == 302
    counts = tally.per_link(edition_id)
    assert {n: counts.get((n, "person")) for n in (1, 2, 3)} == {1: 100, 2: 100, 3: 100}
    assert sum(v for (_, k), v in counts.items() if k == "checker") == 100
    # /metrics counts them too (per kind, no other label)
    assert _metric("person") - before["person"] == 300
    assert _metric("checker") - before["checker"] == 100
    for record in caplog.records:
        line = record.getMessage()
        assert "198.51.100.7" not in line and "iPhone" not in line and "Proofpoint" not in line


def test_an_unknown_link_answers_404_and_redirects_nowhere(client, sent):
    edition_id, stored = sent
    for path in (f"/l/{edition_id}/{len(stored) + 1}", f"/l/{edition_id}/0", "/l/999999/1"):
        answer = client.get(path, headers=BROWSER)
        assert answer.status_code == 404 and "Location" not in answer.headers
    for path in (f"/l/{edition_id}/-1", f"/l/{edition_id}/1x", "/l/abc/1"):
        assert client.get(path, headers=BROWSER).status_code == 404
    assert _db.session.scalar(select(_db.func.count()).select_from(LinkCount)) == 0


def test_the_url_cannot_choose_the_target(client, sent):
    edition_id, stored = sent
    answer = client.get(
        f"/l/{edition_id}/1?url=https://kwaad.example/&next=https://kwaad.example/",
        headers=BROWSER,
    )
    assert answer.status_code == 302 and answer.location == stored[0]


def test_the_stored_links_are_written_once(db, sent, editor):
    edition_id, stored = sent
    edition = editions.get(edition_id)
    assert links.store(edition_id, editions.render(edition)) == stored
    db.session.commit()
    count = db.session.scalar(
        select(db.func.count()).select_from(EditionLink).where(EditionLink.edition_id == edition_id)
    )
    assert count == len(stored)


def test_the_count_tables_have_no_column_for_a_person(db):
    for table in ("edition_link", "link_count"):
        columns = {c.name for c in db.metadata.tables[table].columns}
        assert columns <= {"edition_id", "number", "target", "hour", "kind", "count"}
    assert db.session.execute(text("SELECT 1")).scalar() == 1

"""Issue 30: leaving counts for the edition whose link was used (the page's button and the
one-click POST alike), a sign-up's ?bron= counts for that source, every count under 5 shows as
"minder dan 5", and the API answers the same numbers as the results service."""

from __future__ import annotations

import re

import pytest

from newsletter.api import keys
from newsletter.auth.audit import CLI
from newsletter.delivery import control
from newsletter.editions import services as editions
from newsletter.editions.models import EditionState
from newsletter.results import export, figures
from newsletter.subscribers.models import ConsentEvent, ConsentKind
from tests.factories import SOURCE, subscribers
from tests.helpers import form_tokens, wait_for_state, wait_until

pytestmark = pytest.mark.dialect


def _unsubscribe_url(received) -> str:
    https, _ = [v.strip(" <>") for v in received.message()["List-Unsubscribe"].split(",")]
    return https.replace("https://ravijn.example", "")


def test_unsubscribes_count_for_the_edition_whose_link_was_used(
    app, db, editor, worker, sink, client
):
    subscribers(db, 8, gemeente_code="GM0344")  # Utrecht
    subscribers(db, 1, prefix="noord", gemeente_code="GM0014")  # Groningen
    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    control.publish(edition.id)
    wait_for_state(app, edition.id, EditionState.sent)
    mails = sorted(sink.wait_for(9), key=lambda m: m.recipients[0].startswith("noord"))
    paths = [_unsubscribe_url(m) for m in mails]
    assert all(p.endswith(f"?editie={edition.id}") for p in paths)
    for path in paths[:3]:  # RFC 8058: the mail program posts, no cookie, no CSRF token
        answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
    assert figures.of_edition(edition.id).unsubscribes.label == "minder dan 5"
    for path in paths[3:6]:  # the page's button posts back to the same address
        client.get(path)
        tokens = form_tokens(client, path)
        assert client.post(path, data={"csrf_token": tokens["csrf_token"]}).status_code == 200
    results = figures.of_edition(edition.id)
    assert results.unsubscribes.shown == 6 and results.unsubscribes.label == "6"
    assert sum(n.value for _, n in results.unsubscribes_per_day) == 6
    assert [(p, n.label) for p, n in results.unsubscribes_per_province] == [("Utrecht", "6")]
    # the API answers the same numbers
    secret = keys.create("dashboard", ["editions:read"], 30, CLI).secret
    answer = client.get(
        f"/api/v1/editions/{edition.id}/results", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body == export.as_json(results)
    assert body["unsubscribes"] == {"count": 6, "label": "6"}
    assert body["complaints"] == {"count": None, "label": "minder dan 5"}
    assert (
        client.get(
            "/api/v1/editions/999999/results", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 404
    )
    # one from Groningen: a province of 1 would stand out, so no breakdown at all
    assert client.post(paths[8], data={"List-Unsubscribe": "One-Click"}).status_code == 200
    results = figures.of_edition(edition.id)
    assert results.unsubscribes.label == "7" and results.unsubscribes_per_province == ()


def test_a_made_up_edition_number_counts_for_nothing(app, db, editor, worker, sink, client):
    subscribers(db, 1)
    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    control.publish(edition.id)
    wait_for_state(app, edition.id, EditionState.sent)
    path = _unsubscribe_url(sink.wait_for(1)[0]).replace(f"editie={edition.id}", "editie=12x")
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    event = db.session.query(ConsentEvent).filter_by(kind=ConsentKind.unsubscribed).one()
    assert event.edition_id is None


def test_a_sign_up_with_bron_counts_for_that_source(app, db, worker, client, signup_form):
    for i in range(6):
        page = client.get("/aanmelden?bron=ledenbrief").get_data(as_text=True)
        assert re.search(r'name="bron"[^>]*value="ledenbrief"', page)
        data = signup_form(email=f"lezer{i}@gemeente.example", bron="ledenbrief")
        assert client.post("/aanmelden?bron=ledenbrief", data=data).status_code in (200, 303)
    data = signup_form(email="ander@gemeente.example", bron="<script>")
    assert client.post("/aanmelden", data=data).status_code in (200, 303)

    def counted():
        db.session.expire_all()
        found = figures.signups_per_source()
        db.session.commit()
        return found if sum(n.value for _, _, n in found) >= 6 else None

    found = wait_until(counted, 15, "six sign-ups with a source")
    assert [(bron, n.label) for _, bron, n in found] == [("ledenbrief", "6")]
    assert "<script>" not in str(db.session.query(ConsentEvent.bron).all())


def test_the_csv_has_the_page_numbers_and_small_counts_stay_hidden(db, editor, editor_client):
    from newsletter.counts import links, tally
    from newsletter.counts.models import ClickKind

    edition, _ = editions.create(SOURCE, editor.id)
    db.session.commit()
    links.store(edition.id, editions.render(edition))
    db.session.commit()
    for _ in range(5):
        tally.add(edition.id, 1, ClickKind.person)
    tally.add(edition.id, 2, ClickKind.person)
    answer = editor_client.get(f"/beheer/edities/{edition.id}/resultaten.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "onderdeel;link;doel;dag of uur;provincie;aantal"
    kliks = [line.split(";") for line in lines if line.startswith("kliks;")]
    assert kliks[0][5] == "5" and kliks[1][5] == "minder dan 5"
    assert editor_client.get("/beheer/edities/999999/resultaten.csv").status_code == 404


def test_coverage_counts_municipalities_that_gained_their_first_reader_after_an_edition(db, editor):
    from datetime import timedelta

    from newsletter.database import utcnow
    from newsletter.reference.models import Gemeente
    from newsletter.subscribers.models import ConsentSource
    from tests.factories import make_sent_edition, make_subscriber

    now = utcnow()
    edition = make_sent_edition(
        db, "E", SOURCE, published_at=now - timedelta(days=2), sent_at=now - timedelta(days=2)
    )
    codes = db.session.scalars(db.select(Gemeente.code).order_by(Gemeente.code).limit(7)).all()
    for i, code in enumerate(codes):
        subscriber = make_subscriber(db, f"g{i}@x.example", gemeente_code=code)
        # the first six after the edition; the seventh had a reader before it went out
        when = now - timedelta(days=1 if i < 6 else 5)
        db.session.add(
            ConsentEvent(
                subscriber_id=subscriber.id,
                kind=ConsentKind.confirmed,
                source=ConsentSource.form,
                occurred_at=when,
            )
        )
    db.session.commit()
    results = figures.of_edition(edition.id)
    assert results.new_gemeenten.label == "6"
    assert export.as_json(results)["new_gemeenten"] == {"count": 6, "label": "6"}

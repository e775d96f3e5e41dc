"""The editor's workspace (issue 12): the form, the audience check, scheduling with a
confirmation step, a missed schedule mailed, test-sends, duplicate and delete, own images."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.delivery import control
from newsletter.editions import services
from newsletter.editions.models import Edition, EditionState
from tests.factories import SOURCE, confirmed_test_address, put_in_state, subscribers
from tests.helpers import current_edition, form_tokens, wait_until
from tests.integration.test_editions import PNG

FORM = {
    "title": 'Jeugdzorg: "het gat" blijft 🕳️',
    "preheader": "Wat u kunt doen.",
    "edition_date": "2026-12-01",
    "theme": "Jeugdzorg",
    "provinces": ["Utrecht", "Gelderland"],
    "roles": ["Wethouder"],
    "gemeenten": "",
    "body": "## De cijfers\n\nTekst.\n",
}


def without_title(source: str) -> str:
    return re.sub(r"^title:.*$", "", source, count=1, flags=re.MULTILINE)


def post_form(client, path: str, **changes):
    return client.post(path, data=form_tokens(client, "/beheer/") | FORM | changes)


def test_an_edition_made_with_the_form_needs_no_yaml(editor_client, db):
    made = post_form(editor_client, "/beheer/edities/nieuw")
    assert made.status_code == 303
    edition = db.session.scalar(select(Edition))
    assert edition.title == FORM["title"]
    assert edition.segment == '{"functies": ["Wethouder"], "provincies": ["Utrecht", "Gelderland"]}'
    page = editor_client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="Jeugdzorg: &#34;het gat&#34; blijft 🕳️"' in page
    assert "Bronweergave (Markdown)" in page
    source_view = editor_client.get(made.headers["Location"] + "?weergave=bron")
    assert "title: &#39;Jeugdzorg: &#34;het gat&#34; blijft 🕳️&#39;" in source_view.get_data(True)


def test_the_first_keystroke_creates_the_draft_and_answers_with_its_page(editor_client, db):
    answer = editor_client.post(
        "/beheer/edities/nieuw",
        data=form_tokens(editor_client, "/beheer/") | FORM,
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200 and answer.json["saved"]
    edition = db.session.scalar(select(Edition))
    assert answer.json["edit_url"] == f"/beheer/edities/{edition.id}"


def test_an_audience_typo_is_an_error_with_a_suggestion_and_blocks_scheduling(
    editor_client, db, editor
):
    subscribers(db, 2)
    made = post_form(editor_client, "/beheer/edities/nieuw", provinces=["Gelderlnd"])
    path = made.headers["Location"]
    page = editor_client.get(path).get_data(as_text=True)
    assert "Onbekende provincie: Gelderlnd. Misschien bedoeld: Gelderland?" in page
    count = editor_client.get("/beheer/doelgroep?functies=wethouders").json
    assert count["count"] is None and "Misschien bedoeld: Wethouder?" in count["problems"][0]
    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = editor_client.post(
        path + "/inplannen", data=form_tokens(editor_client, path) | {"when": when}
    )
    follow = editor_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De doelgroep klopt niet" in follow
    assert current_edition(int(path.rsplit("/", 1)[1])).state == EditionState.draft


def test_scheduling_is_a_confirmation_step_with_the_count(editor_client, db):
    subscribers(db, 3)
    edition, _ = services.create(SOURCE)
    path = f"/beheer/edities/{edition.id}"
    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    step = editor_client.post(
        path + "/inplannen", data=form_tokens(editor_client, path) | {"when": when}
    )
    text = step.get_data(as_text=True)
    assert step.status_code == 200 and "3 lezers" in text and "Ja, plan in voor" in text
    assert current_edition(edition.id).state == EditionState.draft  # nothing planned yet
    data = form_tokens(editor_client, path) | {"when": when, "bevestigd": "ja"}
    assert editor_client.post(path + "/inplannen", data=data).status_code == 303
    assert current_edition(edition.id).state == EditionState.scheduled
    [planned] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule"))
    assert planned.detail.startswith("voor ")


def test_a_scheduled_edition_that_is_not_sent_is_mailed_to_the_editors(
    editor_client, db, editor, worker, sink
):
    subscribers(db, 1)
    edition, _ = services.create(SOURCE, editor.id)
    services.schedule(edition.id, utcnow() + timedelta(minutes=1))
    # the test clock: the service was down for two days
    control.start_due(utcnow() + timedelta(days=2), timedelta(hours=24))
    assert current_edition(edition.id).state == EditionState.draft
    [mail] = sink.wait_for(1)
    assert mail.recipients == [editor.email]
    assert (
        mail.message()["Subject"]
        == "Niet verzonden: Jeugdzorg: gemeenten kunnen het gat niet dichten"
    )
    listing = editor_client.get("/beheer/").get_data(as_text=True)  # the list shows it too
    assert "het geplande moment is gemist" in listing


def test_a_test_send_to_two_addresses_audits_them_hashed(editor_client, editor, worker, sink, db):
    confirmed_test_address(editor, "Anna@gemeente.example")
    confirmed_test_address(editor, "bert@gemeente.example")
    edition, _ = services.create(SOURCE, editor.id)
    path = f"/beheer/edities/{edition.id}"
    to = "Anna@Gemeente.example,\nbert@gemeente.example"
    answer = editor_client.post(
        path + "/test", data=form_tokens(editor_client, path) | {"addresses": to}
    )
    assert answer.status_code == 303
    mails = sink.wait_for(2)
    assert sorted(m.recipients[0] for m in mails) == [
        "Anna@gemeente.example",
        "bert@gemeente.example",
    ]
    assert all(m.message()["Subject"].startswith("[TEST] ") for m in mails)

    def outcomes():
        db.session.commit()  # a fresh look at what the worker wrote
        statement = select(AuditEvent).where(AuditEvent.action == "test-send")
        found = db.session.scalars(statement).all()
        return found if len(found) == 2 else None

    details = " ".join(e.detail for e in wait_until(outcomes, 10, "two audited test-sends"))
    assert "gemeente.example" not in details and details.count("naar adres ") == 2
    six = ",".join(f"a{i}@x.example" for i in range(6))
    refused = editor_client.post(
        path + "/test", data=form_tokens(editor_client, path) | {"addresses": six}
    )
    assert "Hoogstens 5 testadressen" in editor_client.get(refused.headers["Location"]).get_data(
        True
    )


def test_duplicate_and_delete_a_draft_audited(editor_client, db):
    edition, _ = services.create(SOURCE)
    path = f"/beheer/edities/{edition.id}"
    copy = editor_client.post(path + "/kopie", data=form_tokens(editor_client, path))
    copy_id = int(copy.headers["Location"].rsplit("/", 1)[1])
    assert copy_id != edition.id
    assert services.get(copy_id).title == f"{edition.title} (kopie)"
    ask = editor_client.get(f"/beheer/edities/{copy_id}/verwijderen")
    assert "Ja, verwijder dit concept" in ask.get_data(as_text=True)
    gone = editor_client.post(
        f"/beheer/edities/{copy_id}/verwijderen", data=form_tokens(editor_client, path)
    )
    assert gone.status_code == 303 and db.session.get(Edition, copy_id) is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"duplicate", "delete"} <= set(actions)
    put_in_state(db, edition, EditionState.sent)
    kept = editor_client.post(path + "/verwijderen", data=form_tokens(editor_client, path))
    assert kept.status_code == 303 and db.session.get(Edition, edition.id) is not None


def test_a_copy_is_titled_as_a_copy_in_the_list_and_in_the_subject(editor_client, db):
    edition, _ = services.create(SOURCE.replace("\n", "\r\n"))
    path = f"/beheer/edities/{edition.id}"
    first = editor_client.post(path + "/kopie", data=form_tokens(editor_client, path))
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    again = f"/beheer/edities/{first_id}"
    second = editor_client.post(again + "/kopie", data=form_tokens(editor_client, again))
    second_id = int(second.headers["Location"].rsplit("/", 1)[1])
    copy, copy_of_copy = services.get(first_id), services.get(second_id)
    assert copy.title == f"{edition.title} (kopie)"
    assert copy_of_copy.title == f"{edition.title} (kopie 2)"
    assert services.render(copy).subject == copy.title
    # every other byte as the original had it (line ends too)
    assert without_title(copy.source) == without_title(edition.source)
    assert copy.source.count("\r\n") == edition.source.count("\r\n")
    listing = editor_client.get("/beheer/").get_data(as_text=True)
    assert f"{edition.title} (kopie)<" in listing and f"{edition.title} (kopie 2)<" in listing


def test_own_media_links_work_under_an_http_base_url(editor_client, db, settings, app):
    settings(base_url="http://127.0.0.1:5000")
    answer = editor_client.post(
        "/beheer/afbeeldingen",
        data=form_tokens(editor_client, "/beheer/") | {"image": (io.BytesIO(PNG), "a.png")},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.json
    url = answer.json["url"]
    assert url.startswith("http://127.0.0.1:5000/media/")
    rendered = services.render(services.create(SOURCE + f"\n![Een grafiek]({url})\n")[0])
    assert not [p for p in rendered.problems if "https" in p.message]
    other = services.render(
        services.create(SOURCE + "\n![Elders](http://elders.example/a.png)\n")[0]
    )
    assert any("https" in p.message for p in other.problems)

"""The small traps of issue 29 on the editor's side: the list says which editions wait for
approval and who asked; every editor page shows only the forms its reader may use."""

from __future__ import annotations

import re

from newsletter.auth import accounts
from newsletter.editions import services as editions
from tests.factories import EDITOR_PASSWORD, SOURCE, put_in_state, subscribers
from tests.helpers import form_tokens
from tests.integration.test_editor_sessions import log_in
from tests.integration.test_four_eyes import approve, post

WRITER, SECOND = "schrijver@vng.example", "eind@vng.example"


def status_cell(listing: str, title: str) -> str:
    """The list's status cell of the edition with this title."""
    row = re.search(rf">{re.escape(title)}</a></td>.*?</tr>", listing, re.DOTALL)
    assert row, f"{title} not in the list"
    cell = re.search(r'data-label="Status">(.*?)</td>', row.group(0), re.DOTALL)
    return re.sub(r"<[^>]+>", "", cell.group(1))


def test_the_list_says_which_editions_wait_for_approval_and_who_asked(app, db, settings):
    settings(four_eyes=True)
    accounts.create_editor(WRITER, EDITOR_PASSWORD, "Wim Schrijver", roles=("redacteur",))
    accounts.create_editor(SECOND, EDITOR_PASSWORD, roles=("eindredacteur",))
    subscribers(db, 2)
    writer, second = log_in(app, WRITER), log_in(app, SECOND)
    asked = post(writer, "/beheer/edities/nieuw", source=SOURCE.replace("Jeugdzorg:", "Eén:"))
    asked_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    post(writer, "/beheer/edities/nieuw", source=SOURCE.replace("Jeugdzorg:", "Twee:"))
    post(writer, f"/beheer/edities/{asked_id}/goedkeuring-vragen")

    listing = second.get("/beheer/").get_data(as_text=True)
    one = editions.get(asked_id).title
    assert "Wacht op goedkeuring" in status_cell(listing, one)
    assert "gevraagd door Wim Schrijver" in status_cell(listing, one)
    two = one.replace("Eén:", "Twee:")
    assert "Wacht op goedkeuring" not in status_cell(listing, two)  # nobody asked

    assert approve(second, asked_id).status_code == 303
    approved = second.get("/beheer/").get_data(as_text=True)
    assert "Wacht op goedkeuring" not in status_cell(approved, one)
    settings(four_eyes=False)  # a one-person team: nobody waits for anyone
    post(writer, f"/beheer/edities/{asked_id}/goedkeuring-vragen")
    assert "Wacht op goedkeuring" not in second.get("/beheer/").get_data(as_text=True)


#: one person per role, and a beheerder who also writes
PEOPLE = {
    "redacteur@vng.example": ("redacteur",),
    "eindredacteur@vng.example": ("eindredacteur",),
    "beheerder@vng.example": ("beheerder",),
    "beheer-en-redactie@vng.example": ("redacteur", "beheerder"),
}
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
#: a form can be sent only with a button (none: the page shows the fields read-only)
SUBMIT = re.compile(r'<button\b(?![^>]*type="button")|<input\b[^>]*type="submit"', re.I)
LINK = re.compile(r'<a\b[^>]*\bhref="(/beheer[^"#]*)', re.IGNORECASE)
ATTR = re.compile(r'\b(method|action)="([^"]*)"', re.IGNORECASE)
#: pages the crawl does not open: leaving ends the session; downloads are not pages
NOT_OPENED = ("/beheer/uitloggen", ".csv", ".json")


def endpoint_of(app, path: str, method: str = "POST") -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.match(path.replace("&amp;", "&").split("#")[0].split("?")[0], method=method)[0]


def required_role(app, path: str, method: str) -> str | None:
    """The role the view behind this path and method asks for (None: any editor)."""
    return getattr(app.view_functions[endpoint_of(app, path, method)], "required_role", None)


def every_state(db):
    """An edition in every state (each page in each of its forms)."""
    from datetime import timedelta

    from newsletter.database import utcnow
    from newsletter.editions.models import EditionState

    made = {}
    for state in ("draft", "scheduled", "sending", "paused", "sent"):
        edition, _ = editions.create(SOURCE.replace("Jeugdzorg:", f"{state}:"))
        when = {"scheduled_at": utcnow() + timedelta(days=2)} if state == "scheduled" else {}
        if state in ("sending", "paused", "sent"):
            when = {"published_at": utcnow()}
        put_in_state(db, edition, EditionState(state), **when)
        made[state] = edition.id
    return made


def test_every_editor_page_shows_only_the_forms_and_links_its_reader_may_use(app, db):
    from newsletter.auth.models import Editor

    subscribers(db, 2)
    made = every_state(db)
    for email, roles in PEOPLE.items():
        accounts.create_editor(email, EDITOR_PASSWORD, roles=roles)
    wrong: list[str] = []
    offered: set[str] = set()  # the endpoints of the forms somebody was shown
    for email, roles in PEOPLE.items():
        person = db.session.query(Editor).filter_by(email=email).one()
        client = log_in(app, email)
        seen: set[str] = set()
        todo = ["/beheer/"]  # from here, only by the links each person sees
        while todo:
            path = todo.pop()
            if path in seen or any(part in path for part in NOT_OPENED) or len(seen) > 80:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code == 403:
                wrong.append(f"{email}: a link to {path} answers 403")
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = response.get_data(as_text=True)
            for attrs, inside in FORM.findall(page):
                found = {k.lower(): v for k, v in ATTR.findall(attrs)}
                if found.get("method", "get").lower() != "post" or not SUBMIT.search(inside):
                    continue
                action = found.get("action") or path
                role = required_role(app, action.replace("&amp;", "&"), "POST")
                offered.add(endpoint_of(app, action))
                if action.split("?")[0] == f"/beheer/edities/{made['scheduled']}":
                    role = "eindredacteur"  # what is planned changes only by who may plan it
                if role is not None and not person.has_role(role):
                    wrong.append(f"{email} ({', '.join(roles)}) sees a form on {path} for {action}")
            todo += [link.replace("&amp;", "&") for link in LINK.findall(page)]
        assert len(seen) > 8, seen  # the crawl did reach the pages
    assert not wrong, "\n".join(sorted(set(wrong)))
    # the crawl saw the forms it is about, each shown to whoever may use it
    assert {
        "delivery.pause",
        "delivery.resume",
        "delivery.cancel",
        "subscriber_admin.erase",
        "editions.unschedule",
        "editions.duplicate",
        "editions.edit",
    } <= offered, offered


def test_editors_get_je_on_error_pages_and_dutch_form_errors(app, db):
    accounts.create_editor(WRITER, EDITOR_PASSWORD, roles=("redacteur",))
    writer = log_in(app, WRITER)
    refused = writer.get("/beheer/redacteuren/")
    assert refused.status_code == 403
    assert "Je rol geeft geen toegang" in refused.get_data(as_text=True)
    assert "Uw rol" not in refused.get_data(as_text=True)
    form = {"title": "Titel", "body": "Tekst.", "edition_date": "31-02-2026", "theme": "x" * 81}
    answer = post(writer, "/beheer/edities/nieuw", **form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Datum van de editie: 31-02-2026 bestaat niet." in page
    assert "Het thema mag hoogstens 80 tekens." in page
    assert "Not a valid" not in page and "Field cannot" not in page


def test_a_readers_history_names_the_details_in_dutch(app, db, editor_client):
    from newsletter.subscribers.lifecycle import journey
    from newsletter.subscribers.lifecycle.core import add_event
    from newsletter.subscribers.models import ConsentKind, ConsentSource, Role
    from tests.factories import make_subscriber

    reader = make_subscriber(db, "bert@arnhem.example", name="Bert", gemeente_code="GM0202")
    # as events were written before: the column names
    add_event(
        reader.id,
        ConsentKind.preferences_changed,
        ConsentSource.preferences_page,
        detail="gewijzigd: gemeente_code, role",
    )
    db.session.commit()
    change = journey.ProfileChange(name="Bert Jansen", gemeente_code="GM0344", role=Role.raadslid)
    assert journey.change_preferences(reader.public_id, change)
    page = editor_client.get(f"/beheer/lezers/{reader.id}").get_data(as_text=True)
    history = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "gewijzigd: gemeente, functie" in history
    assert "gewijzigd: naam, gemeente, functie" in history
    assert not re.search(r"gemeente_code|\brole\b|\bname\b", history), history


def menu(client) -> str:
    page = client.get("/beheer/").get_data(as_text=True)
    return page.split('<nav class="beheer-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_menu_has_the_test_addresses_for_whoever_writes(app, db):
    accounts.create_editor(WRITER, EDITOR_PASSWORD, roles=("redacteur",))
    accounts.create_editor("beheer@vng.example", EDITOR_PASSWORD, roles=("beheerder",))
    assert 'href="/beheer/testadressen">Testadressen</a>' in menu(log_in(app, WRITER))
    boss = menu(log_in(app, "beheer@vng.example"))
    assert "Testadressen" not in boss and "Nieuwe editie" not in boss


def test_the_logbook_dates_are_typed_and_shown_day_month_year(app, db, editor_client):
    from newsletter.auth.audit import Actor, record

    record(Actor("heel.lange.naam@gemeente-zuidwest-friesland.example", None), "login", "")
    db.session.commit()
    page = editor_client.get("/beheer/logboek?van=2-3-2026&tot=2026-03-03").get_data(True)
    fields = dict(re.findall(r'<input [^>]*id="(van|tot)"[^>]*value="([^"]*)"', page))
    assert fields == {"van": "02-03-2026", "tot": "03-03-2026"}
    assert 'type="date"' not in page and "dd-mm-jjjj" in page
    wrong = editor_client.get("/beheer/logboek?van=31-02-2026")
    shown = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Van: vul een datum in als 21-03-2026" in shown
    assert re.search(r'id="van"[^>]*value="31-02-2026"', shown)  # what was typed stays
    # a long address wraps at its dots and @, not inside a word
    everything = editor_client.get("/beheer/logboek").get_data(as_text=True)
    assert "heel<wbr>.lange<wbr>.naam<wbr>@gemeente-zuidwest-friesland<wbr>.example" in everything


def test_a_placeholder_alt_left_by_a_cancelled_prompt_blocks_approval(app, db, settings):
    """What the toolbar writes when its alt-text prompt is cancelled (editor.js), saved the
    way the page saves: the checks say so, and nobody can approve it until it is filled in."""
    settings(four_eyes=True)
    accounts.create_editor(WRITER, EDITOR_PASSWORD, roles=("redacteur",))
    accounts.create_editor(SECOND, EDITOR_PASSWORD, roles=("eindredacteur",))
    subscribers(db, 2)
    writer, second = log_in(app, WRITER), log_in(app, SECOND)
    image = "![beschrijf de afbeelding](https://ravijn.example/media/abc.png)"
    made = post(writer, "/beheer/edities/nieuw", source=SOURCE + f"\n{image}\n")
    edition_id = int(made.headers["Location"].rsplit("/", 1)[1])
    path = f"/beheer/edities/{edition_id}"
    saved = writer.post(
        path,
        data=form_tokens(writer, path) | {"source": SOURCE + f"\n{image}\n"},
        headers={"X-Requested-With": "fetch"},
    )
    assert any("alt-tekst" in error for error in saved.get_json()["errors"])
    assert approve(second, edition_id).status_code == 303
    assert approval_of(db, edition_id) is None
    fixed = SOURCE + '\n![](https://ravijn.example/media/abc.png "decoratief")\n'
    saved = writer.post(
        path,
        data=form_tokens(writer, path) | {"source": fixed},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.get_json()["errors"] == []
    assert approve(second, edition_id).status_code == 303
    assert approval_of(db, edition_id) is not None


def approval_of(db, edition_id: int):
    from sqlalchemy import select

    from newsletter.editions.models import Approval

    db.session.expire_all()
    return db.session.scalar(select(Approval).where(Approval.edition_id == edition_id))

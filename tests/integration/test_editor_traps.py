"""The small traps of issue 29 on the editor's side: the list says which editions wait for
approval and who asked; every editor page shows only the forms its reader may use."""

from __future__ import annotations

import re

from newsletter.auth import accounts
from newsletter.editions import services as editions
from tests.factories import EDITOR_PASSWORD, SOURCE, subscribers
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

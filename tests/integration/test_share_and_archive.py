"""Share block and archive pages (issue 13): hashtags and a share text become plain links (no
scripts, no tracking) in both parts of the mail and on the archive page; an archived edition
has Open Graph and a way back; the home page and every mail lead to the archive."""

from __future__ import annotations

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import EditionState
from tests.factories import SOURCE, put_in_state
from tests.helpers import form_tokens

SHARED = SOURCE.replace(
    "---\n", "---\nhashtags: [1voor12, ravijn]\nshare: Gemeenten staan voor een ravijn.\n", 1
)


def test_the_share_block_is_plain_links_in_both_parts(app, db):
    edition, rendered = services.create(SHARED)
    assert rendered.ok, rendered.problems
    sample = services.sample(edition)
    for part in (sample.html, sample.text):
        assert "Deel de campagne" in part
        for site in ("linkedin.com/sharing", "x.com/intent/post", "bsky.app/intent/compose"):
            assert site in part
        assert "utm_" not in part and "%231voor12" in part
    assert "<script" not in sample.html


def test_an_archived_edition_has_open_graph_a_way_back_and_the_share_block(client, db):
    edition, _ = services.create(SHARED)
    put_in_state(db, edition, EditionState.sent, sent_at=utcnow())
    page = client.get(f"/archief/{edition.id}").get_data(as_text=True)
    assert '<meta property="og:title" content="Jeugdzorg: gemeenten kunnen het gat' in page
    assert "← Alle nieuwsbrieven van OVER het ravijn" in page
    assert "Deel de campagne" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/archief/"' in home


def test_wrong_hashtags_are_a_dutch_error_and_the_form_round_trips(editor_client, db):
    bad = SOURCE.replace("---\n", "---\nhashtags: [een twee]\n", 1)
    assert any("hashtag" in p.message for p in services.preview(bad).errors)
    data = form_tokens(editor_client, "/beheer/") | {
        "title": "Met hashtags",
        "body": "Tekst.\n",
        "hashtags": "#1voor12, ravijn",
        "share": "Deel dit.",
    }
    made = editor_client.post("/beheer/edities/nieuw", data=data)
    assert made.status_code == 303
    page = editor_client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="1voor12, ravijn"' in page and 'value="Deel dit."' in page


def test_a_mail_document_stored_by_the_previous_release_is_shown_as_a_page(client, db):
    """During a rolling deploy an old node may store the whole mail as the archive's version;
    a new node renders the page again and keeps that instead of nesting a mail in its page."""
    from sqlalchemy import select

    from newsletter.editions.models import Edition

    edition, _ = services.create(SHARED)
    old = "<!DOCTYPE html><html><body><table><tr><td>de oude mail</td></tr></table></body></html>"
    put_in_state(db, edition, EditionState.sent, sent_at=utcnow(), archive_html=old)
    page = client.get(f"/archief/{edition.id}").get_data(as_text=True)
    assert page.lower().count("<!doctype") == 1 and "de oude mail" not in page
    assert "Deel de campagne" in page
    kept = db.session.scalar(select(Edition.archive_html).where(Edition.id == edition.id))
    assert kept and not kept.lstrip().lower().startswith("<!doctype")

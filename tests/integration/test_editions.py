"""Editions end to end on real parts: CLI, workspace, test-send through the worker, archive."""

from __future__ import annotations

import io
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from newsletter.database import utcnow
from newsletter.editions import services
from newsletter.editions.models import Edition, EditionState
from tests.factories import put_in_state
from tests.helpers import form_tokens, spam_score

FIXTURE = Path(__file__).parent.parent / "fixtures" / "edition-jeugdzorg.md"


def test_cli_import_preview_list(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["editions", "import", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    edition_id = int(result.stdout.strip())
    out = tmp_path / "voorbeeld.html"
    result = runner.invoke(args=["editions", "preview", str(edition_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Jeugdzorg: gemeenten kunnen het gat niet dichten" in out.read_text()
    listing = runner.invoke(args=["editions", "list"]).output
    assert f"{edition_id}  2026-11-30  draft" in listing


def test_cli_bad_file_one_line_per_problem(app, db, tmp_path):
    bad = tmp_path / "slecht.md"
    bad.write_text("---\ntitle: 12\nkleur: rood\n---\n\n![](http://x.nl/a.png)\n")
    result = app.test_cli_runner().invoke(args=["editions", "import", str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any("regel 2: 'title' moet tekst zijn" in line for line in lines)
    assert any("regel 3: Onbekende sleutel 'kleur'" in line for line in lines)
    assert any("alt-tekst" in line for line in lines)
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert db.session.scalar(select(Edition)) is None
    missing = app.test_cli_runner().invoke(args=["editions", "import", str(tmp_path / "nee.md")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00")
    result = app.test_cli_runner().invoke(args=["editions", "import", str(binary)])
    assert result.exit_code == 1 and "UTF-8" in result.output


def test_editors_create_via_stdin_and_password_rules(app, db):
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=["editors", "create", "a@vng.example", "--password-stdin"],
        input="twaalf tekens of meer\n",
    )
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(
        args=["editors", "create", "b@vng.example", "--password-stdin"], input="kort\n"
    )
    assert short.exit_code == 1 and "minstens 12 tekens" in short.output
    from newsletter.auth.models import Editor

    stored = db.session.scalar(select(Editor))
    assert stored.password_hash.startswith("scrypt:") and "twaalf" not in stored.password_hash


def test_workspace_needs_login_and_login_is_rate_limited(client, editor, db):
    for path in ("/beheer/", "/beheer/edities/nieuw", "/beheer/edities/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/beheer/inloggen" in response.headers["Location"]
    tokens = form_tokens(client, "/beheer/inloggen")
    wrong = client.post("/beheer/inloggen", data=tokens | {"email": editor.email, "password": "x"})
    assert wrong.status_code == 422 and "horen niet bij elkaar" in wrong.get_data(as_text=True)
    codes = [
        client.post(
            "/beheer/inloggen", data=tokens | {"email": editor.email, "password": "x"}
        ).status_code
        for _ in range(12)
    ]
    assert 429 in codes


def test_drafts_never_in_archive(client, editor_client, db):
    edition, _ = services.create(FIXTURE.read_text())
    assert client.get("/archief/").get_data(as_text=True).count("/archief/") <= 1
    assert client.get(f"/archief/{edition.id}").status_code == 404
    services.schedule(edition.id, utcnow() + timedelta(days=1))
    assert client.get(f"/archief/{edition.id}").status_code == 404
    feed = client.get("/archief/feed.xml").get_data(as_text=True)
    assert "Jeugdzorg" not in feed
    put_in_state(db, edition, EditionState.sent, sent_at=utcnow())
    page = client.get(f"/archief/{edition.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Jeugdzorg: gemeenten" in html and "/afmelden/" not in html and "RVJ" not in html
    feed = client.get("/archief/feed.xml")
    assert feed.mimetype == "application/atom+xml"
    assert f"https://ravijn.example/archief/{edition.id}" in feed.get_data(as_text=True)


def test_edit_preview_and_sent_editions_are_read_only(editor_client, db):
    client = editor_client
    created = client.post(
        "/beheer/edities/nieuw",
        data=form_tokens(client, "/beheer/edities/nieuw") | {"source": FIXTURE.read_text()},
    )
    assert created.status_code == 303
    path = created.headers["Location"]
    page = client.get(path).get_data(as_text=True)
    assert 'class="problem-error"' not in page  # the one warning: its image's size is unknown
    assert page.count('class="problem-warning"') == 1 and "de maat niet bekend" in page
    preview = client.get(path + "/voorbeeld")
    assert "Jeugdzorg: gemeenten" in preview.get_data(as_text=True)
    bad = re.sub(r"!\[[^\]]*\]", "![]", FIXTURE.read_text())
    saved = client.post(
        path,
        data=form_tokens(client, path) | {"source": bad},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 200 and any("alt-tekst" in e for e in saved.json["errors"])
    edition = db.session.scalar(select(Edition))
    put_in_state(db, edition, EditionState.sent)
    refused = client.post(path, data=form_tokens(client, path) | {"source": "x"})
    assert refused.status_code == 422 and "kan niet meer veranderen" in refused.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.scalar(select(Edition.source)) == bad


def test_test_send_through_worker_is_a_clean_list_mail(editor_client, editor, worker, sink, db):
    client = editor_client
    edition, _ = services.create(FIXTURE.read_text())
    path = f"/beheer/edities/{edition.id}"
    response = client.post(path + "/test", data=form_tokens(client, path))
    assert response.status_code == 303
    [mail] = sink.wait_for(1)
    message = mail.message()
    assert mail.recipients == [editor.email]
    assert message["Subject"] == "[TEST] Jeugdzorg: gemeenten kunnen het gat niet dichten"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    for header in ("From", "To", "Date", "Message-ID", "List-Id", "List-Unsubscribe"):
        assert message[header], header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https://[^>]+>, <mailto:[^>]+>", message["List-Unsubscribe"])
    if shutil.which("spamassassin") is None:
        pytest.skip("spamassassin is not installed (make test installs it: .ci/services)")
    score = spam_score(mail.data)
    print(f"\nSpamAssassin local score of a test-sent edition: {score}")
    assert score <= 1.0


def _png() -> bytes:
    """A whole 1×1 PNG (uploads are decoded and encoded again: it must really be one)."""
    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 89, 122, 255)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


def test_image_upload_checks_content_and_serves_with_absolute_url(editor_client, db):
    import io

    client = editor_client
    edition, _ = services.create(FIXTURE.read_text())
    path = f"/beheer/edities/{edition.id}"

    def upload(data: bytes, filename: str):
        fields = form_tokens(client, path) | {
            "edition_id": str(edition.id),
            "image": (io.BytesIO(data), filename),
        }
        response = client.post(
            "/beheer/afbeeldingen",
            data=fields,
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        return response.get_data(as_text=True)

    page = upload(PNG, "grafiek.png")
    match = re.search(
        r"!\[beschrijf de afbeelding\]\((https://ravijn\.example/media/([0-9a-f]{32}\.png))\)", page
    )
    assert match, page[:2000]
    with client.get(f"/media/{match.group(2)}") as served:
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.data.startswith(b"\x89PNG") and b"IDAT" in served.data
        assert served.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "Dit is geen PNG-" in upload(b"<svg onload=alert(1)>", "stiekem.png")
    assert "groter dan 5 MB" in upload(b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "groot.png")
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/nietbestaand.png").status_code == 404

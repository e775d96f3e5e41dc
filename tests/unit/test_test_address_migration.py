"""Migration 0018: the addresses remembered from old test-sends join the editor's list, but
unconfirmed (nobody showed they may receive mail there); going back keeps the confirmed ones.
The old column stays (expand only) for the previous release's nodes during a rolling deploy."""

from __future__ import annotations

import dataclasses

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from newsletter import create_app
from newsletter.extensions import db
from newsletter.settings import from_env


def test_remembered_addresses_need_confirming_after_the_upgrade(tmp_path):
    settings = dataclasses.replace(
        from_env(), database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", broker_url=""
    )
    app = create_app(settings)
    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO editor (id, email, name, password_hash, created_at, roles, "
                    "session_version, code_failures, test_addresses) VALUES (7, 'r@vng.example', "
                    "'R', 'x', '2026-12-01 10:00:00', 'redacteur', 1, 0, "
                    "'a@gemeente.example\nb@gemeente.example\na@gemeente.example')"
                )
            )
        upgrade(revision="0018")
        with db.engine.begin() as conn:
            rows = conn.execute(
                text("SELECT editor_id, email, confirmed_at FROM editor_test_address ORDER BY id")
            ).all()
            assert [tuple(r) for r in rows] == [
                (7, "a@gemeente.example", None),
                (7, "b@gemeente.example", None),
            ]
            # the previous release still reads the column, and this one adds editors without it
            assert "\n" in conn.execute(text("SELECT test_addresses FROM editor")).scalar()
            conn.execute(
                text(
                    "INSERT INTO editor (id, email, name, password_hash, created_at, roles, "
                    "session_version, code_failures) VALUES (8, 'n@vng.example', 'N', 'x', "
                    "'2026-12-07 10:00:00', 'redacteur', 1, 0)"
                )
            )
            conn.execute(
                text(
                    "UPDATE editor_test_address SET confirmed_at = '2026-12-07 10:00:00' "
                    "WHERE email = 'b@gemeente.example'"
                )
            )
        downgrade(revision="0015")
        with db.engine.begin() as conn:
            kept = conn.execute(text("SELECT test_addresses FROM editor WHERE id = 7")).scalar()
        assert kept == "b@gemeente.example"
        db.session.remove()
        db.engine.dispose()

"""Test addresses become a list per editor, each confirmed by a link mailed to it.

The addresses remembered from each editor's last test-send move into the list unconfirmed:
nobody ever showed they may receive mail there, so they count only once confirmed.

Expand only (docs/operations.md#rolling-deploys): the column `editor.test_addresses` stays,
unread by this release, because the previous release's nodes still read and write it while a
rolling deploy runs. The release after this one drops it (a migration marked CONTRACT).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:50:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "editor_test_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editor.id"],
            name=op.f("fk_editor_test_address_editor_id_editor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_test_address")),
        sa.UniqueConstraint("editor_id", "email", name=op.f("uq_editor_test_address_editor_id")),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, test_addresses FROM editor WHERE test_addresses <> ''")
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as the models store it
    moved = []
    for editor_id, text in rows:
        for email in dict.fromkeys(part.strip() for part in text.split("\n") if part.strip()):
            moved.append({"editor_id": editor_id, "email": email[:320], "created_at": now})
    if moved:
        op.bulk_insert(table, moved)


def downgrade():
    connection = op.get_bind()
    confirmed = connection.execute(
        sa.text(
            "SELECT editor_id, email FROM editor_test_address "
            "WHERE confirmed_at IS NOT NULL ORDER BY editor_id, id"
        )
    ).all()
    kept: dict[int, list[str]] = {}
    for editor_id, email in confirmed:
        kept.setdefault(editor_id, [])
        if len(kept[editor_id]) < 5:  # the old column held the last five
            kept[editor_id].append(email)
    for editor_id, emails in kept.items():
        connection.execute(
            sa.text("UPDATE editor SET test_addresses = :text WHERE id = :id"),
            {"text": "\n".join(emails), "id": editor_id},
        )
    op.drop_table("editor_test_address")

"""Edition writers: every editor who wrote a version of an edition (or of its original).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:45:00

Backfill: the known creator and last editor of each edition become its writers; an edition
whose last version has no editor takes its creator as that editor (until now a creation left
`edited_by_id` empty). Drafts made through the API before this revision have neither, so
nobody can approve them until an editor saves them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "edition_writer",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
            name=op.f("fk_edition_writer_edition_id_edition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editor.id"],
            name=op.f("fk_edition_writer_editor_id_editor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", "editor_id", name=op.f("pk_edition_writer")),
    )
    op.execute(
        "UPDATE edition SET edited_by_id = created_by_id "
        "WHERE edited_by_id IS NULL AND created_by_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO edition_writer (edition_id, editor_id) "
        "SELECT id, created_by_id FROM edition WHERE created_by_id IS NOT NULL "
        "UNION "
        "SELECT id, edited_by_id FROM edition WHERE edited_by_id IS NOT NULL"
    )


def downgrade():
    op.drop_table("edition_writer")

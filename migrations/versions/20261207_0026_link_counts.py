"""Counted links: an edition's links by number, and a count per edition, link, hour and kind.
Neither table has a column for a reader, an address, an IP or a browser.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "edition_link",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
            name=op.f("fk_edition_link_edition_id_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", "number", name=op.f("pk_edition_link")),
    )
    op.create_table(
        "link_count",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
            name=op.f("fk_link_count_edition_id_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", "number", "hour", "kind", name=op.f("pk_link_count")),
    )


def downgrade():
    op.drop_table("link_count")
    op.drop_table("edition_link")

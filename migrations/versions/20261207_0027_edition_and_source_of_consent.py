"""A consent event remembers the edition whose unsubscribe link was used (`edition_id`), and a
sign-up the short source code it came with (`bron`, e.g. "ledenbrief"): both part of the proof
of what the reader did, and counted per edition and per source. A submitted sign-up carries
`bron` to the worker.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 05:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consent_event") as batch:
        batch.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("bron", sa.String(40), nullable=True))
        batch.create_index("ix_consent_event_edition_id", ["edition_id"])
    with op.batch_alter_table("submitted_signup") as batch:
        batch.add_column(sa.Column("bron", sa.String(40), nullable=True))


def downgrade():
    with op.batch_alter_table("submitted_signup") as batch:
        batch.drop_column("bron")
    with op.batch_alter_table("consent_event") as batch:
        batch.drop_index("ix_consent_event_edition_id")
        batch.drop_column("bron")
        batch.drop_column("edition_id")

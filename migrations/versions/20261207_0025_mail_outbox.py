"""Transactional mail goes through an outbox in PostgreSQL: a mail is a row written with the
data that causes it, so losing Redis loses no mail.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 04:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(40), nullable=False),
        sa.Column("args", sa.String(200), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.Column("holder", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_mail_outbox_state_next", "mail_outbox", ["state", "next_try_at"])


def downgrade():
    op.drop_index("ix_mail_outbox_state_next", "mail_outbox")
    op.drop_table("mail_outbox")

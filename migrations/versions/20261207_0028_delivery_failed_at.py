"""A ledger row remembers when it failed (`failed_at`), so an edition's hard and soft bounces
can be counted per day. Rows that failed before this have no day: they stay in the totals.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("failed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("failed_at")

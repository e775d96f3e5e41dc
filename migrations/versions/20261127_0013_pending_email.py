"""A reader may change their e-mail address: the new one waits here until its owner confirms
it from the new mailbox (the queue carries ids only, so the address cannot travel there).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 14:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_email", sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_column("pending_email")

"""Editors keep the addresses of their last test-send (at most five): the worker reads them
from here, so the job queue carries ids only, never an address.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 14:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("editor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("test_addresses", sa.Text(), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("editor", schema=None) as batch_op:
        batch_op.drop_column("test_addresses")

"""The audit log as its own page: API reads summarised per key and hour (a counter row), and
indexes for filtering by person and kind.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 01:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("times", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("last_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("summary_key", sa.String(length=120), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_audit_event_summary_key"), ["summary_key"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_audit_event_editor_id"), ["editor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))
        batch_op.drop_index(batch_op.f("ix_audit_event_editor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_summary_key"))
        batch_op.drop_column("summary_key")
        batch_op.drop_column("last_at")
        batch_op.drop_column("times")

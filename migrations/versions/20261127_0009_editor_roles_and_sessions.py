"""Editors get roles, can be disabled, and carry a session version that ends their sessions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 11:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("editor", schema=None) as batch_op:
        # the editors there are today did everything: they keep every role
        batch_op.add_column(
            sa.Column(
                "roles",
                sa.String(length=80),
                nullable=False,
                server_default="redacteur,eindredacteur,beheerder",
            )
        )
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("editor", schema=None) as batch_op:
        batch_op.alter_column(
            "roles", server_default="redacteur", existing_type=sa.String(length=80)
        )


def downgrade():
    with op.batch_alter_table("editor", schema=None) as batch_op:
        batch_op.drop_column("session_version")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("roles")

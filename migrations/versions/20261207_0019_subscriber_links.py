"""A reader's link is theirs alone: the goodbye mail waits for the return window
(`subscriber.goodbye_due_at`), and "Afmelden met uw e-mailadres" is stored by the request and
handled by a worker (`unsubscribe_request`), as a sign-up is.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goodbye_due_at", sa.DateTime(), nullable=True))
    op.create_table(
        "unsubscribe_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_request")),
    )


def downgrade():
    op.drop_table("unsubscribe_request")
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_column("goodbye_due_at")

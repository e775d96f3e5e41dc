"""Single sign-on: an editor's subject at the OpenID provider, and the sessions made through
it (under the provider's session id, so its back-channel logout can end them).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("editor") as batch:
        batch.add_column(sa.Column("sso_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f("uq_editor_sso_subject"), ["sso_subject"])
    op.create_table(
        "editor_sso_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editor.id"],
            name=op.f("fk_editor_sso_session_editor_id_editor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_sso_session")),
    )
    op.create_index(
        op.f("ix_editor_sso_session_editor_id"), "editor_sso_session", ["editor_id"], unique=False
    )
    op.create_index(op.f("ix_editor_sso_session_sid"), "editor_sso_session", ["sid"], unique=False)


def downgrade():
    op.drop_table("editor_sso_session")
    with op.batch_alter_table("editor") as batch:
        batch.drop_constraint(op.f("uq_editor_sso_subject"), type_="unique")
        batch.drop_column("sso_subject")

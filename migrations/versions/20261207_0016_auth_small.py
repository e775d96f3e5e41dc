"""A second factor's secret waits in the database while it is set up (not in the cookie);
requests for a link by mail (readers' and editors') wait for a worker, like sign-ups.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "editor_totp_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("binding", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editor.id"],
            name=op.f("fk_editor_totp_enrolment_editor_id_editor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_totp_enrolment")),
        sa.UniqueConstraint("binding", name=op.f("uq_editor_totp_enrolment_binding")),
    )
    op.create_index(
        op.f("ix_editor_totp_enrolment_editor_id"),
        "editor_totp_enrolment",
        ["editor_id"],
        unique=False,
    )
    op.create_table(
        "submitted_link_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submitted_link_request")),
    )
    op.create_table(
        "editor_password_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_password_request")),
    )


def downgrade():
    op.drop_table("editor_password_request")
    op.drop_table("submitted_link_request")
    op.drop_index(op.f("ix_editor_totp_enrolment_editor_id"), table_name="editor_totp_enrolment")
    op.drop_table("editor_totp_enrolment")

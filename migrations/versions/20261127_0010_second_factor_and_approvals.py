"""Two-factor login (TOTP secret, recovery codes, a counter of wrong codes) and four-eyes
approvals of editions (who made the version, who approved which rendered version).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 13:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("editor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enrolled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("code_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("code_blocked_until", sa.DateTime(), nullable=True))
    op.create_table(
        "editor_recovery_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "editor_id",
            sa.Integer(),
            sa.ForeignKey("editor.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_edition_edited_by", "editor", ["edited_by_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "edition_approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "edition_id",
            sa.Integer(),
            sa.ForeignKey("edition.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column(
            "approved_by_id",
            sa.Integer(),
            sa.ForeignKey("editor.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
    )


def downgrade():
    op.drop_table("edition_approval")
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_constraint("fk_edition_edited_by", type_="foreignkey")
        batch_op.drop_column("edited_by_id")
    op.drop_table("editor_recovery_code")
    with op.batch_alter_table("editor", schema=None) as batch_op:
        for column in (
            "code_blocked_until",
            "code_failures",
            "totp_last_step",
            "totp_enrolled_at",
            "totp_secret",
        ):
            batch_op.drop_column(column)

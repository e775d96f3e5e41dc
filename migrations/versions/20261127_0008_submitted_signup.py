"""Submitted sign-up forms, handled by a worker: the web request does the same work for every
address, so its timing tells nothing about whether an address is known.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLES = (
    "burgemeester",
    "wethouder",
    "raadslid",
    "griffier",
    "gemeentesecretaris",
    "ambtenaar",
    "anders",
)


def upgrade():
    op.create_table(
        "submitted_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("gemeente_code", sa.String(length=6), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("ip_prefix", sa.String(length=50), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submitted_signup")),
    )


def downgrade():
    op.drop_table("submitted_signup")

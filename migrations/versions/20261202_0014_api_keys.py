"""API keys (only a hash of each key is stored), and consent events that came through the API.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SOURCES_OLD = (
    "form",
    "one-click",
    "preferences page",
    "import",
    "relay",
    "bounce report",
    "complaint report",
    "editor",
)
SOURCES = (*SOURCES_OLD, "api")
NAME = "ck_consent_event_consent_source"


def _check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("consent_event", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(
            op.f(NAME), "source IN (" + ", ".join(f"'{v}'" for v in values) + ")"
        )


def upgrade():
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["editor.id"],
            name=op.f("fk_api_key_created_by_editor"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    _check(SOURCES)


def downgrade():
    op.execute("UPDATE consent_event SET source = 'import' WHERE source = 'api'")
    _check(SOURCES_OLD)
    op.drop_table("api_key")

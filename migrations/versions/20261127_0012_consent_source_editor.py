"""A consent event can come from an editor at VNG who corrects a reader's details (name,
municipality, role) on the reader's page.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 14:05:00

"""

from alembic import op

revision = "0012"
down_revision = "0011"
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
)
SOURCES = (*SOURCES_OLD, "editor")
NAME = "ck_consent_event_consent_source"


def _in(values: tuple[str, ...]) -> str:
    return "source IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _check(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("consent_event", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_="check")
        batch_op.create_check_constraint(op.f(NAME), _in(values))


def upgrade():
    _check(SOURCES)


def downgrade():
    # corrections stay evidence: they are kept as changes on the preferences page
    op.execute("UPDATE consent_event SET source = 'preferences page' WHERE source = 'editor'")
    _check(SOURCES_OLD)

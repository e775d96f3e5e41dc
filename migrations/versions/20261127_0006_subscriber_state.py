"""Subscriber `status` becomes `state` (one word for every lifecycle); bounces and complaints
leave consent events; a subscriber can be `complained`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATES_OLD = ("pending", "active", "unsubscribed", "bounced")
STATES = (*STATES_OLD, "complained")
KINDS_OLD = ("requested", "confirmed", "preferences_changed", "unsubscribed", "resubscribed")
KINDS = (*KINDS_OLD, "bounced", "complained")
SOURCES_OLD = ("form", "one-click", "preferences page", "import")
SOURCES = (*SOURCES_OLD, "relay", "bounce report", "complaint report")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _checks(table: str, old: list[tuple[str, str]], new: list[tuple[str, str, tuple]]) -> None:
    """Replace CHECK constraints (SQLite rebuilds the table; PostgreSQL alters it in place)."""
    with op.batch_alter_table(table, recreate="auto") as batch_op:
        for name, _column in old:
            batch_op.drop_constraint(op.f(name), type_="check")
        for name, column, values in new:
            batch_op.create_check_constraint(op.f(name), _in(column, values))


def _rename_state(old: str, new: str, old_check: str, new_check: str, values: tuple) -> None:
    """Column and its CHECK in one batch: SQLite rebuilds the table once, with both changed."""
    with op.batch_alter_table("subscriber", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(old_check), type_="check")
        batch_op.alter_column(
            old, new_column_name=new, existing_type=sa.String(24), existing_nullable=False
        )
        batch_op.create_check_constraint(op.f(new_check), _in(new, values))


def upgrade():
    _rename_state(
        "status", "state", "ck_subscriber_status", "ck_subscriber_subscriber_state", STATES
    )
    _checks(
        "consent_event",
        [("ck_consent_event_consent_kind", "kind"), ("ck_consent_event_consent_source", "source")],
        [
            ("ck_consent_event_consent_kind", "kind", KINDS),
            ("ck_consent_event_consent_source", "source", SOURCES),
        ],
    )


def downgrade():
    found = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM consent_event WHERE kind IN ('bounced', 'complained')")
    )
    if found:  # evidence is never thrown away to fit an older schema
        raise RuntimeError(f"{found} bounce/complaint events: downgrade would lose them")
    op.execute("UPDATE subscriber SET state = 'bounced' WHERE state = 'complained'")
    _checks(
        "consent_event",
        [("ck_consent_event_consent_kind", "kind"), ("ck_consent_event_consent_source", "source")],
        [
            ("ck_consent_event_consent_kind", "kind", KINDS_OLD),
            ("ck_consent_event_consent_source", "source", SOURCES_OLD),
        ],
    )
    _rename_state(
        "state", "status", "ck_subscriber_subscriber_state", "ck_subscriber_status", STATES_OLD
    )

"""The archive keeps the HTML of a sent edition; the ledger keeps the relay's code, never its
text (which usually repeats the address).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:10:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CODE = re.compile(r"^(?:DSN )?\d(?:\d\d)?(?:[ .]\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)?")


def upgrade():
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archive_html", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(  # failed rows hold the relay's reply; skipped ones our own reason
        sa.text("SELECT id, error FROM delivery WHERE error IS NOT NULL AND state = 'failed'")
    )
    for row_id, error in rows.fetchall():
        found = CODE.match(error)
        code = found.group(0) if found else "onbekende fout"
        if code != error:
            bind.execute(
                sa.text("UPDATE delivery SET error = :code WHERE id = :id"),
                {"code": code, "id": row_id},
            )


def downgrade():
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("archive_html")

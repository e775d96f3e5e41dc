"""A running import writes a heartbeat (`import_job.heartbeat_at`, the database's time): the
clock's reconcile ends a job whose worker stopped beating as "Mislukt", so an editor never
looks at "Bezig" for ever.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("heartbeat_at")

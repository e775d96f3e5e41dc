"""The archive's web versions become pages: forget the stored mail HTML, so that each sent
edition's web version is rendered once more, as an <article> for the site's page.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 02:10:00

"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # a stored mail document (MJML's output begins with its doctype); the next visit of
    # /archief/<id> renders and keeps the page version
    op.execute(
        "UPDATE edition SET archive_html = NULL "
        "WHERE lower(substr(archive_html, 1, 9)) = '<!doctype'"
    )


def downgrade():
    # the older code serves a whole mail document: let it render its own again
    op.execute(
        "UPDATE edition SET archive_html = NULL WHERE substr(archive_html, 1, 8) = '<article'"
    )

"""Images and import files move from the node's disk into the database (table `blob`,
content-addressed by SHA-256): every node serves every image, workers read the file the web
node received, and the backup of PostgreSQL holds them.

The upgrade moves what this node has under instance/media and instance/imports. Images keep
their names (and so the URLs in sent mails); an image never processed is marked so, for
`flask editions process-images`. Import files of jobs that still wait are moved, every other
file there (personal data a failed job left behind) is deleted. Other nodes' folders:
`flask editions import-media DIRECTORY` (docs/operations.md#media).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 05:00:00

"""

import hashlib
import io
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
blob = sa.table(
    "blob",
    sa.column("sha256", sa.String),
    sa.column("data", sa.LargeBinary),
    sa.column("size", sa.Integer),
    sa.column("created_at", sa.DateTime),
)


def upgrade():
    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blob")),
    )
    with op.batch_alter_table("media_image", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("processed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_media_image_sha256_blob"), "blob", ["sha256"], ["sha256"]
        )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_import_job_file_sha256_blob"), "blob", ["file_sha256"], ["sha256"]
        )
    instance = _instance_path()
    if instance is not None:
        _move_media(instance / "media")
        _move_imports(instance / "imports")


def downgrade():
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_job_file_sha256_blob"), type_="foreignkey")
        batch_op.drop_column("file_sha256")
    with op.batch_alter_table("media_image", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_media_image_sha256_blob"), type_="foreignkey")
        batch_op.drop_column("processed")
        batch_op.drop_column("sha256")
    op.drop_table("blob")


def _instance_path() -> Path | None:
    try:
        from flask import current_app

        return Path(current_app.config["SETTINGS"].instance_path)
    except (RuntimeError, KeyError, AttributeError):
        value = os.environ.get("INSTANCE_PATH")
        return Path(value) if value else None


def _put(connection, data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    found = connection.execute(sa.select(blob.c.sha256).where(blob.c.sha256 == sha256)).first()
    if found is None:
        now = datetime.now(UTC).replace(tzinfo=None)
        connection.execute(
            blob.insert().values(sha256=sha256, data=data, size=len(data), created_at=now)
        )
    return sha256


def _size(data: bytes) -> tuple[int, int]:
    """From the header only; (0, 0) for what Pillow cannot read (served as it is, no size)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return 0, 0


def _move_media(folder: Path) -> None:
    """Files stay where they are (a downgrade still finds them); docs say when to remove them."""
    if not folder.is_dir():
        return
    connection = op.get_bind()
    moved = 0
    for path in sorted(folder.iterdir()):
        if not NAME.match(path.name) or not path.is_file():
            continue
        data = path.read_bytes()
        sha256 = _put(connection, data)
        recorded = connection.execute(
            sa.text("UPDATE media_image SET sha256 = :sha256 WHERE name = :name"),
            {"sha256": sha256, "name": path.name},
        ).rowcount
        if not recorded:
            width, height = _size(data)
            connection.execute(
                sa.text(
                    "INSERT INTO media_image (name, sha256, processed, width, height, "
                    "original_width, original_height, original_bytes, stored_bytes, created_at)"
                    " VALUES (:name, :sha256, :processed, :w, :h, :w, :h, :n, :n, :now)"
                ),
                {
                    "name": path.name,
                    "sha256": sha256,
                    "processed": False,
                    "w": width,
                    "h": height,
                    "n": len(data),
                    "now": datetime.now(UTC).replace(tzinfo=None),
                },
            )
        moved += 1
    log.info("28a: %d images from %s are in the database now", moved, folder)


def _move_imports(folder: Path) -> None:
    """Waiting jobs keep their file (now in the database); every file is deleted from disk."""
    if not folder.is_dir():
        return
    connection = op.get_bind()
    waiting = dict(
        connection.execute(
            sa.text("SELECT stored_as, id FROM import_job WHERE state IN ('queued', 'running')")
        ).all()
    )
    for path in sorted(folder.glob("*.csv")):
        job_id = waiting.get(path.name)
        if job_id is not None:
            sha256 = _put(connection, path.read_bytes())
            connection.execute(
                sa.text("UPDATE import_job SET file_sha256 = :sha256 WHERE id = :id"),
                {"sha256": sha256, "id": job_id},
            )
        path.unlink()
    log.info("28a: %d waiting import files moved, %s emptied", len(waiting), folder)

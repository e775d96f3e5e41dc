"""Rolling deploys (issue 28): one `flask db upgrade` at a time over all machines, a migration
that stops instead of queueing every request behind a table lock, and a release that will not
start on a schema behind its own (and runs on the next release's, while it rolls out)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from newsletter import schema_version
from newsletter.settings import PROJECT_ROOT


def _before_head() -> str:
    from alembic.script import ScriptDirectory

    from newsletter.resources import resource_dir

    script = ScriptDirectory(str(resource_dir("migrations")))
    return str(script.get_revision(script.get_current_head()).down_revision)


PREVIOUS = _before_head()  # the revision before the head


def run(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=dict(os.environ) | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def flask(*args: str, **env: str) -> subprocess.Popen[str]:
    return run("-m", "flask", "--app", "wsgi", *args, **env)


def done(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    """(exit code, output) once it ends; its pipe closed."""
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


@pytest.fixture
def postgres(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's advisory lock and lock_timeout")
    yield db.engine
    code, output = done(flask("db", "upgrade"))
    assert code == 0, output


@pytest.fixture
def revision(app, postgres):
    """`revision("99z")`: the database claims that schema revision for the test."""
    with postgres.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def claim(value: str) -> None:
        with postgres.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": value})

    yield claim
    claim(head)


def test_a_second_upgrade_waits_for_the_first(postgres):
    with postgres.connect() as holder:  # another machine is migrating
        holder.execute(text("SELECT pg_advisory_lock(hashtext('ravijn:migrations'))"))
        waiting = flask("db", "upgrade")
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.communicate(timeout=8)  # it waits, however long the first one takes
        holder.execute(text("SELECT pg_advisory_unlock(hashtext('ravijn:migrations'))"))
        holder.commit()
        code, output = done(waiting)
        assert code == 0, output


def test_a_migration_stops_when_a_table_stays_locked(postgres):
    code, output = done(flask("db", "downgrade", PREVIOUS))
    assert code == 0, output
    with postgres.connect() as holder:  # a long query holds the table the migration writes
        holder.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
        code, output = done(flask("db", "upgrade", MIGRATION_LOCK_TIMEOUT="1"))
        holder.rollback()
    assert code == 1, output
    assert "Migratie gestopt: een tabel bleef langer dan 1 s bezet (lock_timeout)" in output
    with postgres.connect() as connection:  # nothing changed: one transaction, rolled back
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            PREVIOUS
        )


def test_the_app_runs_on_a_newer_schema_and_will_not_start_on_an_older_one(app, revision, caplog):
    schema_version.check(app)  # the head: fine
    revision("99z")  # the next release migrated: this one rolls on as the previous release
    with caplog.at_level("WARNING", logger="newsletter.schema_version"):
        schema_version.check(app)
    assert "schema 99z is newer than this release" in caplog.text
    code, output = done(run("-c", "import wsgi"))  # what gunicorn imports
    assert code == 0 and "Niet gestart" not in output, output

    revision(PREVIOUS)  # this release's code before `flask db upgrade`
    with pytest.raises(schema_version.UnknownSchema, match="Voer eerst `flask --app wsgi db up"):
        schema_version.check(app)
    code, output = done(run("-c", "import wsgi"))
    assert code == 1 and "Niet gestart: de database heeft schemaversie" in output
    code, output = done(run("-c", "import workers", NEWSLETTER_ENV="development"))
    assert (code, output.count("Niet gestart")) == (1, 1)
    os.environ["SCHEMA_CHECK"] = "off"
    try:
        schema_version.check(app)  # the way back after an expand-only migration
    finally:
        del os.environ["SCHEMA_CHECK"]

import logging
import os
from logging.config import fileConfig

from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


#: one migration at a time over all machines: a second `flask db upgrade` (two nodes deploying
#: at once) waits here, then finds nothing left to do
MIGRATION_LOCK = "ravijn:migrations"
#: a DDL statement waits at most this long for its table lock; it stops instead of queueing
#: every reader and sign-up behind it while a long query holds the table
LOCK_TIMEOUT_SECONDS = int(os.environ.get("MIGRATION_LOCK_TIMEOUT", "5"))


def _guard_postgres(connection):
    connection.exec_driver_sql(
        "SELECT pg_advisory_lock(hashtext(%(name)s))", {"name": MIGRATION_LOCK}
    )  # a session lock: it outlives the commit below (and dies with a killed process)
    connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
    connection.commit()


def _unguard_postgres(connection):
    """The connection goes back to the app's pool: without its lock and its lock_timeout."""
    connection.rollback()
    connection.exec_driver_sql(
        "SELECT pg_advisory_unlock(hashtext(%(name)s))", {"name": MIGRATION_LOCK}
    )
    connection.exec_driver_sql("RESET lock_timeout")
    connection.commit()


def _explain_lock_timeout(error):
    if getattr(getattr(error, "orig", None), "sqlstate", None) == "55P03":
        raise SystemExit(
            f"Migratie gestopt: een tabel bleef langer dan {LOCK_TIMEOUT_SECONDS} s bezet "
            "(lock_timeout). Er is niets veranderd; probeer het zo opnieuw, of kijk met "
            "pg_stat_activity welke query de tabel vasthoudt."
        ) from error
    raise error


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite rebuilds a table to alter it (batch mode): DROP of the old table with
            # foreign keys on would cascade (consent events) or null (ledger) the rows that
            # point at it. Off during the migration (outside any transaction, as SQLite
            # requires), and checked afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            _guard_postgres(connection)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        try:
            with context.begin_transaction():
                context.run_migrations()
        except Exception as error:
            _explain_lock_timeout(error)
        finally:
            if postgres:
                try:
                    _unguard_postgres(connection)
                except Exception:  # a broken connection took the lock with it
                    logger.warning("could not release the migration lock", exc_info=True)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"foreign keys broken after the migration: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

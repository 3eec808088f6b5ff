"""Test databases: the settings, the migrated and seeded schema, the statements run.

SQLite: one template file migrated and seeded per (xdist worker) run, copied for each test.
PostgreSQL (when TEST_DATABASE_URL is set): one database per xdist worker, named after
TEST_DATABASE_URL's with the worker's id appended (webapp_ci_test_gw0, …), created when
missing, migrated and seeded once; before each test every table is emptied and the seeded
rows copied back from a `seed` schema, all inside the server.
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from webapp import create_app
from webapp.content import loader
from webapp.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# Seeded once per run on PostgreSQL, copied back before each test; the rest start empty.
SEEDED_TABLES = ("initiative", "initiative_text", "content_state")


class NotATestDatabase(Exception):
    """The database's name does not say "test": nothing will wipe it."""


def make_config(database_uri: str, **extra) -> dict:
    """Test settings: real CSRF, real limits (in memory), a throw-away database."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


def migrate_and_seed(database_uri: str) -> None:
    """Build the schema with the migrations (never create_all) and load the content."""
    app = create_app(make_config(database_uri))
    with app.app_context():
        upgrade()
        loader.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
        db.engine.dispose()


def worker_database_url(url: str, worker: str) -> str:
    """`url` for one xdist worker ("gw0", …): its own database, created when missing.
    Without xdist ("master") the URL itself."""
    if worker in ("", "master"):
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker}"
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def reset_postgresql(url: str) -> None:
    """Drop everything in the test database's public schema.

    Refuses (NotATestDatabase) a database whose name does not contain "test": this wipes it.
    """
    engine = sa.create_engine(url)
    name = engine.url.database or ""
    if "test" not in name:
        engine.dispose()
        raise NotATestDatabase(f"TEST_DATABASE_URL names {name!r}; its name must contain 'test'")
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS seed CASCADE"))
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def seed_postgresql(url: str) -> sa.Engine:
    """The database at `url` emptied, migrated and seeded, the seeded rows kept aside."""
    reset_postgresql(url)
    migrate_and_seed(url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA seed"))
        for table in SEEDED_TABLES:
            connection.execute(sa.text(f"CREATE TABLE seed.{table} AS TABLE public.{table}"))
    return engine


def restore_postgresql(engine: sa.Engine) -> None:
    """Every table back to the seeded state: emptied, seeded rows copied, ids restarted."""
    with engine.begin() as connection:
        tables = [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]
        connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table in SEEDED_TABLES:
            connection.execute(sa.text(f"INSERT INTO public.{table} SELECT * FROM seed.{table}"))
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            )


@dataclass(frozen=True)
class Statement:
    """One SQL statement the database was sent (or "COMMIT"), with its parameters."""

    sql: str
    parameters: object = None


@contextmanager
def statements_run(app, commits: bool = False):
    """The statements the app's engine runs while the block runs, in order; with
    `commits`, a Statement("COMMIT") for each commit too."""
    seen: list[Statement] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append(Statement(statement, parameters))

    def record_commit(_conn):
        seen.append(Statement("COMMIT"))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    if commits:
        sa.event.listen(engine, "commit", record_commit)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        if commits:
            sa.event.remove(engine, "commit", record_commit)

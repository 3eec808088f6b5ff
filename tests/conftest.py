"""Shared fixtures: an app on a real database (migrated and seeded), its clients.

Every test that uses `app` runs on SQLite (a fresh copy of a migrated template file)
and, when TEST_DATABASE_URL is set, once more on PostgreSQL (one database migrated and
seeded per run; before each test every table is emptied and the seeded rows copied back
from a `seed` schema, all inside the server). Browser tests run on SQLite only: they
exercise the pages, not the database, and each one costs seconds.
"""

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from webapp import content
from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# Seeded once per run on PostgreSQL, copied back before each test; the rest start empty.
SEEDED_TABLES = ("initiative", "initiative_text")


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


def pytest_generate_tests(metafunc) -> None:
    """Run every database test once per backend; browser tests on SQLite only."""
    if "backend" in metafunc.fixturenames:
        browser = "browser" in metafunc.definition.path.parts
        backends = ["sqlite"] if browser else BACKENDS
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request) -> str:
    """"sqlite" or "postgresql": the database the test's app runs on."""
    return request.param


def migrate_and_seed(database_uri: str) -> None:
    """Build the schema with the migrations (never create_all) and load the content."""
    app = create_app(make_config(database_uri))
    with app.app_context():
        upgrade()
        content.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
        db.engine.dispose()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A SQLite file built by the migrations and loaded with the content, once per run."""
    path = tmp_path_factory.mktemp("template") / "site.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


def reset_postgresql(url: str) -> None:
    """Drop everything in the test database's public schema.

    Refuses a database whose name does not contain "test": this wipes it.
    """
    engine = sa.create_engine(url)
    name = engine.url.database or ""
    if "test" not in name:
        engine.dispose()
        pytest.exit(f"TEST_DATABASE_URL names {name!r}; its name must contain 'test'", 2)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS seed CASCADE"))
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_postgresql():
    """TEST_DATABASE_URL emptied, migrated and seeded once per run; yields an engine."""
    reset_postgresql(TEST_DATABASE_URL)
    migrate_and_seed(TEST_DATABASE_URL)
    engine = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA seed"))
        for table in SEEDED_TABLES:
            connection.execute(sa.text(f"CREATE TABLE seed.{table} AS TABLE public.{table}"))
    yield engine
    engine.dispose()


def restore_postgresql(engine: sa.Engine) -> None:
    """Every table back to the seeded state: emptied, seeded rows copied, ids restarted."""
    with engine.begin() as connection:
        tables = [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]
        connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table in SEEDED_TABLES:
            connection.execute(sa.text(f"INSERT INTO public.{table} SELECT * FROM seed.{table}"))
            connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))


@pytest.fixture
def db_path(backend, request, tmp_path) -> Path:
    """A fresh copy of the seeded SQLite database for one test (SQLite only)."""
    if backend != "sqlite":
        pytest.skip("reads the SQLite file directly")
    path = tmp_path / "site.db"
    shutil.copy(request.getfixturevalue("seeded_db"), path)
    return path


@pytest.fixture
def database_uri(backend, request) -> str:
    """The database URI for one test, with no rows left behind by earlier tests."""
    if backend == "sqlite":
        return f"sqlite:///{request.getfixturevalue('db_path')}"
    restore_postgresql(request.getfixturevalue("seeded_postgresql"))
    return TEST_DATABASE_URL


@pytest.fixture
def app(database_uri):
    """The application on its own (copy of the) database."""
    app = create_app(make_config(database_uri))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(name="make_config")
def make_config_fixture():
    """`make_config(database_uri, **extra)` for tests that build an app of their own."""
    return make_config


@pytest.fixture
def make_app():
    """`make_app(database_uri, **extra)`: an app of the test's own, its engine closed after."""
    apps = []

    def build(database_uri: str, **extra):
        apps.append(create_app(make_config(database_uri, **extra)))
        return apps[-1]

    yield build
    for built in apps:
        with built.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()

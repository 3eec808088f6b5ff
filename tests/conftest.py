"""Shared fixtures: an app on a real SQLite file (migrated and seeded), its clients."""

import re
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade

from webapp import content
from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A SQLite file built by the migrations and loaded with the content, once per run."""
    path = tmp_path_factory.mktemp("template") / "site.db"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        content.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
        db.engine.dispose()
    return path


@pytest.fixture
def db_path(seeded_db, tmp_path) -> Path:
    """A fresh copy of the seeded database for one test."""
    path = tmp_path / "site.db"
    shutil.copy(seeded_db, path)
    return path


@pytest.fixture
def app(db_path):
    """The application on its own copy of the database."""
    app = create_app(make_config(f"sqlite:///{db_path}"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_factory(db_path):
    """Build apps with extra settings (on this test's database unless a URI is given)."""
    apps = []

    def build(database_uri: str | None = None, **extra):
        app = create_app(make_config(database_uri or f"sqlite:///{db_path}", **extra))
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def hostile_app(app_factory):
    """An app with no practical rate limit, a client and a valid CSRF token for it."""
    app = app_factory(HELP_RATE_LIMIT="1000000 per minute")
    client = app.test_client()
    html = client.get("/en/help").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return app, client, token

"""Shared fixtures: an app on a real SQLite file (migrated and seeded), its clients."""

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

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


# --- Staff area helpers -------------------------------------------------------------

STAFF_EMAIL = "staff@example.org"
STAFF_PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page (or of the page's meta tag)."""
    match = CSRF_FIELD.search(html) or CSRF_META.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class StaffActions:
    """Sign a test client in and out through the real sign-in form (flaskr's AuthActions)."""

    email = STAFF_EMAIL
    password = STAFF_PASSWORD

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> int:
        from webapp.admin import accounts

        with self.app.app_context():
            return accounts.create(email, password).id

    def token(self, url: str = "/admin/login") -> str:
        return csrf_from(self.client.get(url).get_data(as_text=True))

    def login(self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD,
              next: str | None = None):
        url = "/admin/login" + (f"?next={quote(next, safe='')}" if next is not None else "")
        token = self.token(url)
        data = {"csrf_token": token, "email": email, "password": password}
        if next is not None:
            data["next"] = next
        return self.client.post("/admin/login", data=data)

    def logout(self):
        return self.client.post("/admin/logout", data={"csrf_token": self.token("/admin/")})


@pytest.fixture
def staff(app, client) -> StaffActions:
    """A staff account (staff@example.org) and actions to sign the client in and out."""
    actions = StaffActions(app, client)
    actions.user_id = actions.create()
    return actions


@pytest.fixture
def make_request(app):
    """Create a ContactRequest directly through the model; returns its id."""
    from datetime import UTC
    from datetime import datetime

    from webapp.models import ContactRequest
    from webapp.models import Initiative

    counter = iter(range(1, 100000))

    def make(**fields) -> int:
        number = next(counter)
        values = {
            "reference": f"H-TEST-{number:04d}",
            "language": "de",
            "topic": "job",
            "name": f"Person {number}",
            "email": f"person{number}@example.org",
            "message": f"Message number {number}",
            "consent_at": datetime.now(UTC),
        }
        values.update(fields)
        with app.app_context():
            # As the help form does: a topic naming an initiative links to it.
            initiative = db.session.scalar(select(Initiative).filter_by(slug=values["topic"]))
            if initiative is not None:
                values.setdefault("initiative_id", initiative.id)
            item = ContactRequest(**values)
            db.session.add(item)
            db.session.commit()
            return item.id

    return make

@pytest.fixture
def hostile_app(app_factory):
    """An app with no practical rate limit, a client and a valid CSRF token for it."""
    app = app_factory(HELP_RATE_LIMIT="1000000 per minute")
    client = app.test_client()
    html = client.get("/en/help").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return app, client, token


@pytest.fixture
def signed_in(app, client, staff, make_request):
    """A signed-in staff client, a CSRF token, one request's id, and the app."""
    staff.login()
    request_id = make_request()
    token = staff.token(f"/admin/requests/{request_id}")
    return client, token, request_id, app

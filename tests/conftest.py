"""Shared fixtures: an app on a real database (migrated and seeded), its clients, staff,
a real SMTP server and real gunicorn. The helpers behind them live in tests/support/.

Every test that uses `app` runs on SQLite (a fresh copy of a migrated template file)
and, when TEST_DATABASE_URL is set, once more on PostgreSQL (one database per xdist
worker, migrated and seeded once; before each test every table is emptied and the seeded
rows copied back from a `seed` schema, all inside the server). Browser tests run on
SQLite only: they exercise the pages, not the database, and each one costs seconds.
"""

import re
import shutil
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.database import BACKENDS
from tests.support.database import TEST_DATABASE_URL
from tests.support.database import NotATestDatabase
from tests.support.database import make_config
from tests.support.database import migrate_and_seed
from tests.support.database import restore_postgresql
from tests.support.database import seed_postgresql
from tests.support.database import worker_database_url
from tests.support.dovecot import Dovecot
from tests.support.dovecot import available as dovecot_available
from tests.support.gunicorn import start_gunicorn
from tests.support.hostile import HostileApp
from tests.support.sender import start_sender
from tests.support.smtp import Collector
from tests.support.smtp import free_port
from tests.support.smtp import mail_settings
from tests.support.staff import SignedIn
from tests.support.staff import StaffActions
from tests.support.templates import share_compiled_templates
from webapp import create_app
from webapp.extensions import db

# Tests that start a server or a program that runs on its own (gunicorn, nginx, the
# outbox sender, `make run`, the Nu Html Checker's Java) are marked `server`, those in
# tests/browser/ `browser`; `make check` runs everything else.
SERVER_FIXTURES = {"gunicorn_server", "site", "scaled_site", "senders", "dovecot"}
SERVER_MODULES = {
    "test_concurrency.py",
    "test_html_valid.py",
    "test_limiter_outage.py",  # gunicorn and a private redis-server
    "test_logs_without_queries.py",  # `flask run` in a subprocess
    "test_make_run.py",
    "test_ratelimit_redis.py",  # worker processes sharing limits through Redis
}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the tests in tests/browser/ `browser`, those that start a server `server`."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        uses = set(getattr(item, "fixturenames", ()))
        if uses & SERVER_FIXTURES or item.path.name in SERVER_MODULES:
            item.add_marker(pytest.mark.server)


def pytest_generate_tests(metafunc) -> None:
    """Run every database test once per backend; browser tests on SQLite only."""
    if "backend" in metafunc.fixturenames:
        browser = "browser" in metafunc.definition.path.parts
        backends = ["sqlite"] if browser else BACKENDS
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request) -> str:
    """ "sqlite" or "postgresql": the database the test's app runs on."""
    return request.param


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A SQLite file built by the migrations and loaded with the content, once per run."""
    path = tmp_path_factory.mktemp("template") / "site.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_postgresql(worker_id):
    """This xdist worker's PostgreSQL database emptied, migrated and seeded once per run;
    yields an engine and the database's URL (`.url`)."""
    url = worker_database_url(TEST_DATABASE_URL, worker_id)
    try:
        engine = seed_postgresql(url)
    except NotATestDatabase as exc:
        pytest.exit(str(exc), 2)
    yield engine
    engine.dispose()


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
    engine = request.getfixturevalue("seeded_postgresql")
    restore_postgresql(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app(database_uri):
    """The application on its own (copy of the) database."""
    app = share_compiled_templates(create_app(make_config(database_uri)))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(name="make_config")
def make_config_fixture():
    """`make_config(database_uri, **extra)` for tests that build an app of their own."""
    return make_config


@pytest.fixture
def app_factory(request, backend):
    """`app_factory(database_uri=None, **extra)`: an app with extra settings, its engine
    closed afterwards; on this test's database unless a URI is given."""
    apps = []

    def build(database_uri: str | None = None, **extra):
        uri = database_uri or request.getfixturevalue("database_uri")
        apps.append(share_compiled_templates(create_app(make_config(uri, **extra))))
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


@pytest.fixture
def staff(app, client) -> StaffActions:
    """A staff account (staff@example.org) and actions to sign the client in and out."""
    actions = StaffActions(app, client)
    actions.user_id = actions.create()
    return actions


@pytest.fixture
def staff_actions():
    """`staff_actions(app, client)`: the sign-in actions for another app or browser."""
    return StaffActions


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


DEMO_PASSWORD = re.compile(r"as demo@example\.org with the password (\S+)")


@pytest.fixture
def demo_password(app, runner, backend, monkeypatch) -> str:
    """The demo (`flask demo load`) in this test's database; the demo account's password.

    SQLite only: the demo refuses PostgreSQL.
    """
    if backend != "sqlite":
        pytest.skip("the demo runs on SQLite only")
    monkeypatch.setenv("DEMO_ALLOWED", "1")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return DEMO_PASSWORD.search(result.output).group(1)


@pytest.fixture
def hostile_app(app_factory):
    """An app with no practical rate limit, a client and a valid CSRF token for it
    (`.app`, `.client`, `.token`)."""
    app = app_factory(HELP_RATE_LIMIT="1000000 per minute")
    client = app.test_client()
    token = csrf_from(client.get("/en/help").get_data(as_text=True))
    return HostileApp(app, client, token)


@pytest.fixture
def signed_in(app, client, staff, make_request):
    """A signed-in staff client, a CSRF token, one request's id, and the app
    (`.client`, `.token`, `.request_id`, `.app`)."""
    staff.login()
    request_id = make_request()
    token = staff.token(f"/admin/requests/{request_id}")
    return SignedIn(client, token, request_id, app)


# --- A real SMTP server on loopback (aiosmtpd) and a real gunicorn ---------------------


@pytest.fixture
def unused_port() -> int:
    """A loopback port with no server: a mail server that is down."""
    return free_port()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; yields its handler (messages, port)."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    if handler.hold is not None:
        handler.hold.set()
    controller.stop()


@pytest.fixture
def app_with_mail(app_factory, smtp):
    """An app whose outbox sender delivers to the `smtp` server."""
    return app_factory(**mail_settings(smtp.port))


@pytest.fixture
def mail_app_factory(app_factory, smtp):
    """`mail_app_factory(**extra)`: an app sending to the `smtp` server, with extra settings."""

    def build(**extra):
        return app_factory(**{**mail_settings(smtp.port), **extra})

    return build


@pytest.fixture
def gunicorn_server(tmp_path):
    """`gunicorn_server(env, *args, app=…, prefix=…)`: start gunicorn on loopback (after the
    command `prefix`, if any), as `make serve` does; stopped after the test.

    `env` is added to this process's environment (PROXY_FIX_*, TRUSTED_HOSTS and the rate
    limit storage are cleared first, so the server sees only what the test gives it).
    """
    started = []

    def start(env: dict, *args: str, app: str = "wsgi:app", prefix: tuple = ()):
        started.append(start_gunicorn(tmp_path, env, *args, app=app, prefix=prefix))
        return started[-1]

    yield start
    for server in started:
        server.stop()


# --- A real IMAP server on loopback (Dovecot) ----------------------------------------


@pytest.fixture
def dovecot():
    """A private Dovecot (tests/support/dovecot.py) with one mailbox; stopped afterwards.

    Skipped where Dovecot is not installed (`.ci/ensure dovecot-imapd` installs it).
    """
    if not dovecot_available():
        pytest.skip("Dovecot is not installed (.ci/ensure dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


# --- The outbox sender in its own process --------------------------------------------


@pytest.fixture
def senders(database_uri, tmp_path):
    """`start(port, **env)`: an `outbox run` process on this test's database, sending to
    127.0.0.1:port; stopped afterwards."""
    started = []

    def start(port: int, **env):
        started.append(
            start_sender(database_uri, port, tmp_path / f"sender-{len(started)}.log", **env)
        )
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)

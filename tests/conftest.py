"""Shared fixtures: an app on a real database (migrated and seeded), its clients.

Every test that uses `app` runs on SQLite (a fresh copy of a migrated template file)
and, when TEST_DATABASE_URL is set, once more on PostgreSQL (one database migrated and
seeded per run; before each test every table is emptied and the seeded rows copied back
from a `seed` schema, all inside the server). Browser tests run on SQLite only: they
exercise the pages, not the database, and each one costs seconds.
"""

import asyncio
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import select

from webapp import create_app
from webapp.content import loader
from webapp.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# Seeded once per run on PostgreSQL, copied back before each test; the rest start empty.
SEEDED_TABLES = ("initiative", "initiative_text", "content_state")


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
    """ "sqlite" or "postgresql": the database the test's app runs on."""
    return request.param


def migrate_and_seed(database_uri: str) -> None:
    """Build the schema with the migrations (never create_all) and load the content."""
    app = create_app(make_config(database_uri))
    with app.app_context():
        upgrade()
        loader.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
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
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            )


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
def app_factory(request, backend):
    """`app_factory(database_uri=None, **extra)`: an app with extra settings, its engine
    closed afterwards; on this test's database unless a URI is given."""
    apps = []

    def build(database_uri: str | None = None, **extra):
        uri = database_uri or request.getfixturevalue("database_uri")
        apps.append(create_app(make_config(uri, **extra)))
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
        from webapp.helpdesk import accounts

        with self.app.app_context():
            return accounts.create(email, password).id

    def token(self, url: str = "/admin/login") -> str:
        return csrf_from(self.client.get(url).get_data(as_text=True))

    def login(
        self, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, next: str | None = None
    ):
        url = "/admin/login" + (f"?next={quote(next, safe='')}" if next is not None else "")
        token = self.token(url)
        data = {"csrf_token": token, "email": email, "password": password}
        if next is not None:
            data["next"] = next
        return self.client.post("/admin/login", data=data)

    def choose_language(self, code: str):
        """Press a language button in the staff header (a POST; signed in or not)."""
        page = self.client.get("/admin/login", follow_redirects=True).get_data(as_text=True)
        return self.client.post(
            "/admin/language", data={"csrf_token": csrf_from(page), "lang": code}
        )

    def logout(self):
        return self.client.post("/admin/logout", data={"csrf_token": self.token("/admin/")})


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


# --- A real gunicorn ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass
class Answer:
    """What a real server answered."""

    status: int
    headers: http.client.HTTPMessage
    body: str


class Server:
    """gunicorn started with gunicorn.conf.py as `make serve` does; its stderr in `log`."""

    def __init__(self, port: int, log: Path, process: subprocess.Popen) -> None:
        self.port = port
        self.log = log
        self.process = process

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict | None = None,
        source: str = "127.0.0.1",
    ) -> Answer:
        """One request from the client address `source` (any of 127.0.0.0/8)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answer = Answer(response.status, response.headers, response.read().decode())
        connection.close()
        return answer

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


# --- A real SMTP server on loopback (aiosmtpd) ---------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unused_port() -> int:
    """A loopback port with no server: a mail server that is down."""
    return free_port()


class Collector:
    """An aiosmtpd handler keeping every message it is given.

    `hold` (a threading.Event) makes DATA wait until it is set: a server that accepts
    and then does not answer. `refuse` (e.g. "451 Try again later") is its answer instead
    of accepting the message.
    """

    def __init__(self) -> None:
        self.messages = []
        self.hold: threading.Event | None = None
        self.holding = threading.Event()  # set while a DATA is being held
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.hold is not None:
            self.holding.set()
            while not self.hold.is_set():
                await asyncio.sleep(0.02)
        if self.refuse:
            return self.refuse
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self) -> list:
        """The received messages as email.message objects (policy default)."""
        return [
            message_from_bytes(e.original_content, policy=policy.default) for e in self.messages
        ]


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


def mail_settings(port: int) -> dict:
    """Settings for an app that sends through the test SMTP server on `port`."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "website@wir.example",
        "HELPDESK_EMAIL": "hilfe@wir.example",
        "PUBLIC_BASE_URL": "https://wir.example/",
        "MAIL_TIMEOUT": 5,
    }


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
    command `prefix`, if any); stopped after the test.

    `env` is added to this process's environment (PROXY_FIX_*, TRUSTED_HOSTS and the rate
    limit storage are cleared first, so the server sees only what the test gives it).
    """
    started = []

    def start(env: dict, *args: str, app: str = "wsgi:app", prefix: tuple = ()) -> Server:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"  # a file: a full pipe would stall gunicorn
        clean = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PROXY_FIX_", "TRUSTED_HOSTS", "RATELIMIT_", "GUNICORN_"))
        }
        handle = log.open("wb")
        process = subprocess.Popen(
            [
                *prefix,
                str(GUNICORN),
                "-c",
                "gunicorn.conf.py",
                *args,
                "--bind",
                f"127.0.0.1:{port}",
                app,
            ],
            cwd=ROOT,
            env={**clean, "SECRET_KEY": "server-test", **env},
            stdout=handle,
            stderr=handle,
        )
        server = Server(port, log, process)
        started.append((server, handle))
        deadline = time.monotonic() + 30
        while True:
            try:
                server.request("GET", "/en/imprint")
                return server
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"gunicorn did not start: {server.log_text()[-3000:]}")
            time.sleep(0.2)

    yield start
    for server, handle in started:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(timeout=30)
        handle.close()


# --- A real IMAP server on loopback (Dovecot) ----------------------------------------


@pytest.fixture
def dovecot():
    """A private Dovecot (tests/support/dovecot.py) with one mailbox; stopped afterwards.

    Skipped where Dovecot is not installed (`.ci/ensure dovecot-imapd` installs it).
    """
    from support.dovecot import Dovecot
    from support.dovecot import available

    if not available():
        pytest.skip("Dovecot is not installed (.ci/ensure dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()

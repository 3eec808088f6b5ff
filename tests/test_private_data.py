"""Personal data stays out of logs and out of other local users' reach.

- A request that cannot be stored (database locked) is logged without the SQL
  parameters, i.e. without the visitor's name, e-mail address and message.
- Staff search terms (names, e-mail addresses) do not reach gunicorn's access log.
- instance/ is created 700, the SQLite database and its -wal/-shm files 600.
"""

import html
import shutil
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.support.csrf import csrf_from
from webapp import create_app
from webapp.extensions import db

NAME = "Erika Mustermann"
EMAIL = "erika.mustermann@example.org"
MESSAGE = "Bitte rufen Sie mich wegen der Wohnung in Zwickau an."


def send_help_request(client) -> int:
    return post_help_request(client).status_code


def post_help_request(client, headers: dict | None = None):
    page = client.get("/de/help").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "name": NAME,
        "email": EMAIL,
        "topic": "housing",
        "message": MESSAGE,
        "consent": "y",
    }
    return client.post("/de/help", data=data, headers=headers or {})


def test_a_locked_database_is_logged_without_what_the_visitor_typed(app, client, db_path, caplog):
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        assert send_help_request(client) == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "could not be stored" in caplog.text
    assert "OperationalError" in caplog.text
    for secret in (NAME, EMAIL, MESSAGE, "Mustermann", "example.org"):
        assert secret not in caplog.text


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_a_postgresql_length_error_is_logged_without_what_the_visitor_typed(
    backend, app, client, database_uri, caplog, headers
):
    """A value longer than its column (the form allows 200 characters for the name; the
    column here takes 5): PostgreSQL refuses it with "value too long", SQLAlchemy's error
    would quote the INSERT with every parameter. The log names the error kind only, and
    the visitor gets the form back as typed with a clear message."""
    if backend != "postgresql":
        pytest.skip("SQLite does not enforce a column's length")
    engine = sa.create_engine(database_uri, poolclass=sa.NullPool)
    narrow = "ALTER TABLE contact_request ALTER COLUMN name TYPE varchar(5)"
    with engine.begin() as connection:
        connection.execute(sa.text(narrow))
    try:
        response = post_help_request(client, headers)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(narrow.replace("(5)", "(200)")))
        engine.dispose()
    assert response.status_code == 503
    page = html.unescape(response.get_data(as_text=True))
    assert "wegen eines technischen Problems bei uns nicht gesendet" in page
    assert f'value="{NAME}"' in page and f'value="{EMAIL}"' in page and MESSAGE in page
    assert "could not be stored" in caplog.text
    assert "DataError" in caplog.text and "22001" in caplog.text  # string_data_right_truncation
    for secret in (NAME, EMAIL, MESSAGE, "Erika", "Mustermann", "example.org", "INSERT"):
        assert secret not in caplog.text
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM contact_request")) == 0


def test_engine_hides_parameters_even_when_options_are_configured(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    with app.app_context():
        assert db.engine.hide_parameters is True


def test_staff_search_terms_stay_out_of_the_access_log(
    staff, database_uri, gunicorn_server, tmp_path
):
    access_log = tmp_path / "access.log"
    server = gunicorn_server(
        {"DATABASE_URL": database_uri, "GUNICORN_ACCESS_LOG": str(access_log)}, "--workers", "1"
    )
    page = server.request("GET", "/admin/login")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    body = urlencode(
        {
            "csrf_token": csrf_from(page.body),
            "email": staff.email,
            "password": staff.password,
        }
    )
    signed_in = server.request("POST", "/admin/login", body=body, headers={"Cookie": cookie})
    assert signed_in.status == 302
    cookie = signed_in.headers["Set-Cookie"].split(";", 1)[0]
    staff_url = f"/admin/?q={quote(NAME)}&status=new"
    assert server.request("GET", staff_url, headers={"Cookie": cookie}).status == 200
    export = f"/admin/export.csv?q={quote(EMAIL)}"
    assert server.request("GET", export, headers={"Cookie": cookie}).status == 200
    # The style sheet of a search result page: the browser sends that page as Referer.
    referer = f"http://127.0.0.1:{server.port}{staff_url}"
    assert server.request("GET", "/static/css/site.css", headers={"Referer": referer}).status == 200
    # A public page keeps its query string: it holds nothing personal.
    assert server.request("GET", "/de/help?topic=housing").status == 200
    server.process.terminate()
    server.process.wait(timeout=30)

    log = access_log.read_text()
    assert '"GET /admin/ HTTP/1.1" 200' in log
    assert '"GET /admin/export.csv HTTP/1.1" 200' in log
    assert f'"http://127.0.0.1:{server.port}/admin/"' in log  # the Referer, without its query
    assert "/de/help?topic=housing" in log
    for secret in ("Erika", "Mustermann", "erika.mustermann", "q="):
        assert secret not in log


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_instance_folder_and_database_are_private(tmp_path, make_config):
    instance = tmp_path / "instance"
    app = create_app(make_config("sqlite:///site.db", SECRET_KEY=None), instance_path=str(instance))
    with app.app_context():
        upgrade()
    assert send_help_request(app.test_client()) in {303, 422}
    database = instance / "site.db"
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    for name in ("site.db", "site.db-wal", "site.db-shm"):
        assert (instance / name).exists(), name
        assert mode(instance / name) == 0o600, name
    assert database.stat().st_size > 0
    with app.app_context():
        db.engine.dispose()


def test_files_left_open_by_an_older_version_are_closed(tmp_path, make_config, seeded_db):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    shutil.copy(seeded_db, instance / "site.db")
    (instance / "site.db").chmod(0o644)
    app = create_app(make_config("sqlite:///site.db"), instance_path=str(instance))
    assert mode(instance) == 0o700
    assert app.test_client().get("/healthz").status_code == 200
    for name in ("site.db", "site.db-wal", "site.db-shm"):
        assert mode(instance / name) == 0o600, name
    with app.app_context():
        db.engine.dispose()

"""Personal data stays out of logs and out of other local users' reach.

- A request that cannot be stored (database locked) is logged without the SQL
  parameters, i.e. without the visitor's name, e-mail address and message.
- Staff search terms (names, e-mail addresses) do not reach gunicorn's access log.
- instance/ is created 700, the SQLite database and its -wal/-shm files 600.
- What was forgotten, deleted or purged is on disk nowhere: not in the database file,
  not in its -wal or -shm file.
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
    # A visitor's status link: its reference stays out of the log too.
    assert server.request("GET", "/de/help/status?reference=H-2026-000001").status == 200
    server.process.terminate()
    server.process.wait(timeout=30)

    log = access_log.read_text()
    assert '"GET /admin/ HTTP/1.1" 200' in log
    assert '"GET /admin/export.csv HTTP/1.1" 200' in log
    assert f'"http://127.0.0.1:{server.port}/admin/"' in log  # the Referer, without its query
    assert '"GET /de/help/status HTTP/1.1" 200' in log
    for secret in ("Erika", "Mustermann", "erika.mustermann", "q=", "H-2026-000001"):
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


SECRET_MESSAGE = "Kennwort Zeisigwald-7f3a9c, bitte vertraulich."
SECRET_EMAIL = "zeisigwald.7f3a9c@example.org"


def on_disk(path: Path, *needles: str) -> list[str]:
    """Which of `needles` (UTF-8, any case) the database, its -wal or -shm file holds."""
    found = []
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        data = name.read_bytes().lower() if name.exists() else b""
        found += [f"{name.name}: {n}" for n in needles if n.lower().encode() in data]
    return found


def forget_on_the_command_line(app, client, staff, request_id):
    result = app.test_cli_runner().invoke(args=["requests", "forget", SECRET_EMAIL, "--yes"])
    assert "Deleted 1 request(s)" in result.output, result.output


def delete_by_staff(app, client, staff, request_id):
    staff.login()
    token = staff.token(f"/admin/requests/{request_id}")
    response = client.post(f"/admin/requests/{request_id}/delete", data={"csrf_token": token})
    assert response.status_code == 303


def housekeeping_after_closing(app, client, staff, request_id):
    from webapp.models import ContactRequest

    with app.app_context():
        db.session.get(ContactRequest, request_id).status = "closed"
        db.session.commit()
    app.config["PURGE_AFTER_DAYS"] = 0
    result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert "Removed 1 answered or closed request(s)" in result.output, result.output


@pytest.mark.parametrize(
    "remove", [forget_on_the_command_line, delete_by_staff, housekeeping_after_closing]
)
def test_deleted_personal_data_is_on_disk_nowhere(app, client, staff, db_path, remove):
    from webapp.helpdesk import casework
    from webapp.models import ContactRequest
    from webapp.models import StaffUser

    page = client.get("/de/help").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "name": "Zeisig Wald",
        "email": SECRET_EMAIL,
        "topic": "housing",
        "message": SECRET_MESSAGE,
        "consent": "y",
    }
    assert client.post("/de/help", data=data).status_code == 303
    with app.app_context():
        item = db.session.scalar(sa.select(ContactRequest))
        request_id = item.id
        casework.add_note(
            item, "Rückruf an " + SECRET_EMAIL, db.session.get(StaffUser, staff.user_id)
        )
    for n in range(3):  # other visitors write on: more pages in the -wal file
        data.update(email=f"other{n}@example.org", message=f"Eine andere Frage {n}.")
        client.post("/de/help", data=data)
    assert on_disk(db_path, "Zeisigwald-7f3a9c", SECRET_EMAIL)  # the check can see it
    # SQLite copies the -wal file into the database by itself every 1000 pages: the
    # request is in the database file too by the time it is deleted.
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    connection.close()
    assert on_disk(db_path, "Zeisigwald-7f3a9c")[0].startswith("site.db:")

    remove(app, client, staff, request_id)

    assert on_disk(db_path, "Zeisigwald-7f3a9c", SECRET_EMAIL, "zeisigwald.7f3a9c") == []
    assert on_disk(db_path, "other1@example.org")  # the others' requests are still there
    with app.app_context(), db.engine.connect() as connection:
        # Debian builds SQLite with secure_delete on; other builds (Python's own) do not.
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1

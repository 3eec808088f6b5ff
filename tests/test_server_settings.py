"""What only shows on a real gunicorn: a read-only moment of the SQLite file, rate limits
counted per worker, and the forwarded headers gunicorn itself trusts."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from tests.support.csrf import csrf_from

NAME = "Erika Mustermann"
EMAIL = "erika.mustermann@example.org"
MESSAGE = "Bitte rufen Sie mich wegen der Wohnung in Zwickau an."
WARNING = "count rate limits separately"


def visitor(server) -> tuple[str, str]:
    """A visitor's session cookie and CSRF token, from opening the form."""
    page = server.request("GET", "/de/help")
    return page.headers["Set-Cookie"].split(";", 1)[0], csrf_from(page.body)


def submit(server, cookie: str, token: str) -> int:
    body = urlencode(
        {
            "csrf_token": token,
            "name": NAME,
            "email": EMAIL,
            "topic": "housing",
            "message": MESSAGE,
            "consent": "y",
        }
    )
    return server.request("POST", "/de/help", body=body, headers={"Cookie": cookie}).status


# --- A read-only moment -------------------------------------------------------------------


# Root may write to any file whatever its mode; without these capabilities it may not.
WITHOUT_OVERRIDE = (
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
)


@pytest.fixture
def database_file(db_path):
    """This test's SQLite file; made unwritable by its mode alone, even for root."""
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a file's mode cannot stop writes")
    return db_path


def test_a_read_only_moment_does_not_poison_the_pool(database_file, gunicorn_server):
    server = gunicorn_server(
        {"DATABASE_URL": f"sqlite:///{database_file}", "HELP_RATE_LIMIT": "10000/minute"},
        *("--workers", "2", "--threads", "4"),
        prefix=WITHOUT_OVERRIDE if os.geteuid() == 0 else (),
    )
    # No page has opened the database yet (the start-up probe reads none).
    database_file.chmod(0o400)  # unwritable for a moment
    try:
        # Pages that only read open connections meanwhile: SQLite opens them read-only.
        sessions = [visitor(server) for _ in range(4)]
        with ThreadPoolExecutor(16) as pool:
            pages = list(pool.map(lambda n: server.request("GET", f"/de/help?n={n}"), range(48)))
        assert {page.status for page in pages} == {200}
        # The health check must notice that nothing can be stored.
        assert server.request("GET", "/healthz").status == 503
        assert submit(server, *sessions[0]) == 503
    finally:
        database_file.chmod(0o600)
    statuses = [submit(server, *sessions[n % 4]) for n in range(60)]
    # The first write that fails renews its worker's whole pool (all of it was opened
    # read-only): a worker that had not failed yet fails once, whenever it first gets a
    # request; every other request is stored.
    assert set(statuses) <= {303, 503}, statuses
    assert statuses.count(503) <= 2, statuses  # two workers
    assert server.request("GET", "/healthz").status == 200
    server.process.terminate()
    server.process.wait(timeout=30)
    log = server.log_text()
    assert "could not be stored" in log
    for secret in (NAME, EMAIL, MESSAGE, "Mustermann"):
        assert secret not in log


# --- Rate limits per worker -----------------------------------------------------------------


def test_several_workers_with_memory_limits_warn_loudly(database_uri, gunicorn_server):
    server = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "2")
    assert WARNING in server.log_text()
    assert "RATELIMIT_STORAGE_URI=redis://" in server.log_text()


def test_one_worker_or_redis_gives_no_warning(database_uri, gunicorn_server):
    single = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "1")
    shared = gunicorn_server(
        {"DATABASE_URL": database_uri, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"},
        "--workers",
        "2",
    )
    assert WARNING not in single.log_text()
    assert WARNING not in shared.log_text()


# --- Forwarded headers -------------------------------------------------------------------------


def test_forwarded_proto_is_ignored_without_proxy_settings(database_uri, gunicorn_server):
    server = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "1")
    page = server.request("GET", "/de/imprint?x=1", headers={"X-Forwarded-Proto": "https"})
    assert page.status == 200
    assert "Strict-Transport-Security" not in page.headers
    assert 'rel="canonical" href="http://' in page.body


def test_forwarded_proto_is_honoured_with_proxy_settings(database_uri, gunicorn_server):
    server = gunicorn_server(
        {"DATABASE_URL": database_uri, "PROXY_FIX_X_PROTO": "1"}, "--workers", "1"
    )
    page = server.request("GET", "/de/imprint?x=1", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in page.headers
    assert 'rel="canonical" href="https://' in page.body

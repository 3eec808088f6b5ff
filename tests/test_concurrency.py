"""500 help requests at once, across several gunicorn workers: every accepted one is stored."""

import http.client
import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.support.csrf import csrf_from
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SUBMISSIONS = 500
IN_FLIGHT = 64
VISITORS = 25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.fixture
def gunicorn(database_uri, tmp_path):
    """The app under gunicorn, 3 workers x 2 threads, on this test's database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"  # a file, not a pipe: a full pipe would stall gunicorn
    env = dict(
        os.environ,
        DATABASE_URL=database_uri,
        SECRET_KEY="concurrency-test",
        HELP_RATE_LIMIT="100000 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        GUNICORN_ACCESS_LOG="",
    )
    log_file = log.open("wb")
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "--workers",
            "3",
            "--threads",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError("gunicorn exited")
        try:
            return get(port, "/healthz").status == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=30, interval=0.1)
    except AssertionError as exc:
        server.kill()
        server.wait()
        log_file.close()
        raise AssertionError(f"gunicorn did not start ({exc}): {log.read_text()[-2000:]}") from None
    yield port
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=20)
    log_file.close()
    assert "Traceback" not in log.read_text()


def visitor(port: int) -> tuple[str, str]:
    """A visitor's session cookie and CSRF token, from opening the form."""
    response = get(port, "/en/help")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    return cookie, csrf_from(response.body)


def send(port: int, number: int, cookie: str, token: str) -> int:
    body = urlencode(
        {
            "csrf_token": token,
            "name": f"Visitor {number}",
            "email": f"v{number}@example.org",
            "topic": "job",
            "message": f"Request number {number}: looking for work.",
            "consent": "y",
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/en/help",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_500_concurrent_submissions_are_all_stored(gunicorn, database_uri):
    sessions = [visitor(gunicorn) for _ in range(VISITORS)]
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        statuses = list(
            pool.map(lambda n: send(gunicorn, n, *sessions[n % VISITORS]), range(SUBMISSIONS))
        )
    assert not [s for s in statuses if s >= 500], sorted(set(statuses))
    accepted = statuses.count(303)
    assert accepted == SUBMISSIONS, sorted(set(statuses))

    engine = sa.create_engine(database_uri)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT name, reference FROM contact_request")).all()
    finally:
        engine.dispose()
    assert len(rows) == accepted
    assert {name for name, _ in rows} == {f"Visitor {n}" for n in range(SUBMISSIONS)}
    assert len({reference for _, reference in rows}) == accepted

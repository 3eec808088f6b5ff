"""Redis down is not the help desk down: losing the rate-limit storage resets the limits,
nothing else.

The fault: with RATELIMIT_STORAGE_URI pointing at a Redis that does not answer, the help
form, the status lookup and staff sign-in answered 500 and what the visitor typed was
lost, while /healthz said 200 "ok". Here the same storage is unreachable from the start,
and, with a real redis-server of the test's own, goes away in the middle of a run.
"""

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.smtp import free_port
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.models import ContactRequest

REFERENCE = re.compile(r"H-\d{4}-\d{6}")


def help_answers(client, message: str) -> dict:
    return {
        "csrf_token": csrf_from(client.get("/de/help").get_data(as_text=True)),
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "organisation": "",
        "phone": "",
        "topic": "housing",
        "message": message,
        "consent": "y",
        "website": "",
    }


def messages_stored(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ContactRequest.message).order_by(ContactRequest.id)))


def send_help_request(app, client, message: str) -> str:
    """Send the help form without JavaScript; the reference the confirmation shows."""
    response = client.post("/de/help", data=help_answers(client, message))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    sent = client.get(response.headers["Location"])
    assert sent.status_code == 200
    html = sent.get_data(as_text=True)
    assert "Ihre Anfrage wurde gesendet" in html
    return REFERENCE.search(html).group(0)


@pytest.fixture
def redis_down_app(app_factory):
    """An app whose rate-limit storage is a Redis port nobody listens on."""
    return app_factory(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")


def test_help_form_is_stored_and_confirmed_without_redis(redis_down_app):
    client = redis_down_app.test_client()
    reference = send_help_request(redis_down_app, client, "Wir suchen eine Wohnung.")
    assert messages_stored(redis_down_app) == ["Wir suchen eine Wohnung."]
    assert reference.startswith("H-")


# A fresh process: Flask-Limiter warns once per process, when its storage first fails.
WARNING_SCRIPT = """
import logging, sys
from webapp import create_app
logging.basicConfig(level=logging.WARNING)
app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "RATELIMIT_STORAGE_URI": sys.argv[2], "WTF_CSRF_ENABLED": False})
answer = app.test_client().post("/de/help/status", data={"reference": "H-2026-000001",
                                                         "email": "a@example.org"})
print(answer.status_code)
"""


def test_the_fall_back_to_memory_is_logged(database_uri):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    result = subprocess.run(
        [sys.executable, "-c", WARNING_SCRIPT, database_uri, dead],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "200", result.stderr[-2000:]
    assert "falling back to in-memory storage" in result.stderr


def test_limits_go_on_in_memory_and_keep_the_input(app_factory):
    app = app_factory(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        HELP_RATE_LIMIT="2 per minute",
    )
    client = app.test_client()
    send_help_request(app, client, "Erste Frage")
    send_help_request(app, client, "Zweite Frage")
    refused = client.post("/de/help", data=help_answers(client, "Dritte Frage, bitte behalten"))
    assert refused.status_code == 429
    assert "Dritte Frage, bitte behalten" in refused.get_data(as_text=True)
    assert messages_stored(app) == ["Erste Frage", "Zweite Frage"]


def test_status_lookup_answers_without_redis(redis_down_app, make_request):
    # make_request writes through the `app` fixture's database, which is this app's too.
    make_request(reference="H-2026-000123", email="jana@example.org", status="in_progress")
    client = redis_down_app.test_client()
    page = client.get("/en/help/status").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "reference": "H-2026-000123",
        "email": "jana@example.org",
    }
    response = client.post("/en/help/status", data=data)
    assert response.status_code == 200
    assert "Being worked on" in response.get_data(as_text=True)


def test_staff_sign_in_works_without_redis(redis_down_app, staff_actions):
    client = redis_down_app.test_client()
    staff = staff_actions(redis_down_app, client)
    staff.create()
    assert staff.login(password="not the password").status_code == 422
    signed_in = staff.login()
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/admin/"
    assert staff.email in client.get("/admin/").get_data(as_text=True)


def test_healthz_names_the_degraded_limiter_and_stays_up(redis_down_app):
    response = redis_down_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\nlimiter: degraded (memory fallback)\n"


# --- A real Redis that goes away and comes back ----------------------------------------

REDIS_SERVER = shutil.which("redis-server")


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    connection = redis.Redis(port=port, socket_connect_timeout=0.5)

    def answers() -> bool:
        try:
            return bool(connection.ping())
        except redis.RedisError:
            return False

    try:
        wait_until(answers, timeout=10, message="redis-server did not start")
    except AssertionError:
        process.kill()
        raise
    return process


class PrivateRedis(NamedTuple):
    """A redis-server started for one test: its port, and how to stop and restart it."""

    port: int
    stop: Callable[[], None]
    start: Callable[[], None]


@pytest.fixture
def private_redis():
    """A redis-server of this test's own on a free port (PrivateRedis: port, stop, start)."""
    if REDIS_SERVER is None:
        pytest.skip("no redis-server on this machine (apt-get install redis-server)")
    port = free_port()
    running = [start_redis(port)]

    def stop() -> None:
        running[-1].kill()
        running[-1].wait(timeout=10)

    def start() -> None:
        running.append(start_redis(port))

    yield PrivateRedis(port, stop, start)
    for process in running:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_redis_going_away_mid_run_loses_nothing(app_factory, private_redis):
    port, stop, start = private_redis.port, private_redis.stop, private_redis.start
    app = app_factory(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    client = app.test_client()
    send_help_request(app, client, "Vor dem Ausfall")
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"

    stop()
    send_help_request(app, client, "Während des Ausfalls")
    health = client.get("/healthz")
    assert (health.status_code, health.get_data(as_text=True)) == (
        200,
        "ok\nlimiter: degraded (memory fallback)\n",
    )

    start()
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"
    send_help_request(app, client, "Nach dem Ausfall")
    assert messages_stored(app) == ["Vor dem Ausfall", "Während des Ausfalls", "Nach dem Ausfall"]


def test_gunicorn_with_an_unreachable_redis_serves_every_form(staff, database_uri, gunicorn_server):
    # As `make serve` runs it: two workers, each falling back to its own memory.
    server = gunicorn_server(
        {
            "DATABASE_URL": database_uri,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",
        },
        "--workers",
        "2",
    )
    health = server.request("GET", "/healthz")
    assert (health.status, health.body) == (200, "ok\nlimiter: degraded (memory fallback)\n")
    form = server.request("GET", "/de/help")
    cookie = form.headers["Set-Cookie"].split(";", 1)[0]
    fields = {
        "csrf_token": csrf_from(form.body),
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "topic": "housing",
        "message": "Über gunicorn, ohne Redis",
        "consent": "y",
        "website": "",
    }
    sent = server.request("POST", "/de/help", body=urlencode(fields), headers={"Cookie": cookie})
    assert (sent.status, sent.headers["Location"]) == (303, "/de/help/sent")
    page = server.request("GET", "/admin/login")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    body = urlencode(
        {"csrf_token": csrf_from(page.body), "email": staff.email, "password": staff.password}
    )
    signed_in = server.request("POST", "/admin/login", body=body, headers={"Cookie": cookie})
    assert (signed_in.status, signed_in.headers["Location"]) == (302, "/admin/")
    assert " 500 " not in server.log_text()

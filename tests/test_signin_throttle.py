"""Password guessing is slowed per account and client address; strangers cannot lock staff out.

The attack: fourteen wrong passwords for one staff address, each from another client
address, made the right password from yet another address answer 429 for the rest of
the day. Here it is repeated against a real gunicorn, each client bound to its own
loopback address (127.0.0.2 …).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import time_machine

from tests.support.csrf import csrf_from

STAFF_EMAIL = "staff@example.org"  # the `staff` fixture's account
STAFF_PASSWORD = "correct horse battery"


def sign_in(server, source: str, password: str):
    """Open the sign-in page and send the form, both from client address `source`."""
    page = server.request("GET", "/admin/login", source=source)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    body = urlencode(
        {"csrf_token": csrf_from(page.body), "email": STAFF_EMAIL, "password": password}
    )
    answer = server.request(
        "POST", "/admin/login", body=body, headers={"Cookie": cookie}, source=source
    )
    return answer


def test_guesses_from_many_addresses_do_not_lock_out_the_real_person(
    staff, database_uri, gunicorn_server
):
    server = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "1")
    for number in range(2, 16):  # fourteen strangers, one wrong password each
        assert sign_in(server, f"127.0.0.{number}", "a wrong guess").status == 422
    signed_in = sign_in(server, "127.0.0.20", STAFF_PASSWORD)
    assert signed_in.status == 302
    assert signed_in.headers["Location"] == "/admin/"
    cookie = signed_in.headers["Set-Cookie"].split(";", 1)[0]
    page = server.request("GET", "/admin/", headers={"Cookie": cookie}, source="127.0.0.20")
    assert page.status == 200
    assert STAFF_EMAIL in page.body


def test_the_guessing_address_has_to_wait_even_with_the_right_password(
    staff, database_uri, gunicorn_server
):
    server = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "1")
    for _ in range(3):
        assert sign_in(server, "127.0.0.7", "a wrong guess").status == 422
    refused = sign_in(server, "127.0.0.7", STAFF_PASSWORD)
    assert refused.status == 429
    assert "Zu viele Anmeldeversuche" in refused.body
    assert sign_in(server, "127.0.0.8", STAFF_PASSWORD).status == 302  # the real person


def test_delays_grow_with_each_further_failure(app, staff, staff_actions):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.9"
    guesser = staff_actions(app, client)
    with time_machine.travel("2026-11-30 07:00 +0000", tick=False) as clock:
        for _ in range(3):  # free
            assert guesser.login(password="wrong").status_code == 422
        assert guesser.login().status_code == 429  # waits 30 s (LOGIN_FIRST_DELAY)
        clock.shift(timedelta(seconds=31))
        assert guesser.login(password="wrong").status_code == 422  # now 60 s
        clock.shift(timedelta(seconds=31))
        assert guesser.login().status_code == 429
        clock.shift(timedelta(seconds=30))
        assert guesser.login(password="wrong").status_code == 422  # now 120 s
        clock.shift(timedelta(seconds=119))
        assert guesser.login().status_code == 429
        clock.shift(timedelta(seconds=2))
        assert guesser.login().status_code == 302  # the right password, after waiting
        # Success forgets the failures: the next mistake is free again.
        guesser.logout()
        assert guesser.login(password="wrong").status_code == 422
        assert guesser.login().status_code == 302


def test_one_address_guessing_many_accounts_is_still_limited(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.10"
    statuses = []
    for number in range(4):
        page = client.get("/admin/login").get_data(as_text=True)
        data = {
            "csrf_token": csrf_from(page),
            "email": f"guess{number}@example.org",
            "password": "x",
        }
        statuses.append(client.post("/admin/login", data=data).status_code)
    assert statuses == [422, 422, 422, 429]


def burst(server, source: str, guesses: list[tuple[str, str]]) -> list[int]:
    """Open one sign-in page per guess, then send all the (email, password) forms at the
    same moment from client address `source`; the status of each answer."""
    forms = []
    for email, password in guesses:
        page = server.request("GET", "/admin/login", source=source)
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = csrf_from(page.body)
        body = urlencode({"csrf_token": token, "email": email, "password": password})
        forms.append((body, cookie))
    start = threading.Barrier(len(forms))

    def send(form):
        body, cookie = form
        start.wait()
        return server.request(
            "POST", "/admin/login", body=body, headers={"Cookie": cookie}, source=source
        ).status

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(send, forms))


def test_guesses_sent_at_once_are_counted_one_by_one(staff, database_uri, gunicorn_server):
    # Eight wrong passwords and the right one, all at once: only the free attempts
    # (LOGIN_FREE_FAILURES, 3) reach the password check, whichever arrives first.
    server = gunicorn_server({"DATABASE_URL": database_uri}, "--workers", "2", "--threads", "8")
    guesses = [(STAFF_EMAIL, f"wrong guess {n}") for n in range(8)] + [
        (STAFF_EMAIL, STAFF_PASSWORD)
    ]
    statuses = burst(server, "127.0.0.11", guesses)
    checked = [status for status in statuses if status != 429]
    assert len(checked) <= 3, statuses
    assert statuses.count(429) >= 6
    # Another address is not held up by this one's guesses.
    assert sign_in(server, "127.0.0.12", STAFF_PASSWORD).status == 302


def test_one_address_guessing_many_accounts_at_once_gets_the_limit_only(
    database_uri, gunicorn_server
):
    server = gunicorn_server(
        {"DATABASE_URL": database_uri, "LOGIN_RATE_LIMIT": "4 per minute"},
        "--workers",
        "2",
        "--threads",
        "8",
    )
    statuses = burst(server, "127.0.0.13", [(f"guess{n}@example.org", "x") for n in range(12)])
    assert len([status for status in statuses if status != 429]) <= 4, statuses
    assert statuses.count(429) >= 8

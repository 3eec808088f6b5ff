"""Two app instances behind nginx sharing PostgreSQL and Redis, as on several hosts.

nginx's access log names the instance that answered each request, so each test shows
that both instances took part.
"""

import threading
from urllib.parse import urlencode

import sqlalchemy as sa

from deploy.stack import wait_until_up


def answers(token: str, **changes) -> str:
    """A valid help-form submission as a form body."""
    data = {
        "csrf_token": token,
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "organisation": "",
        "phone": "+49 371 123456",
        "topic": "housing",
        "message": "Ich suche eine Wohnung in Chemnitz für meine Familie.",
        "consent": "y",
        "website": "",
        **changes,
    }
    return urlencode(data)


def stored_requests(database: str) -> int:
    engine = sa.create_engine(database, poolclass=sa.NullPool)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM contact_request")).scalar()
    engine.dispose()
    return count


def send_help(site, source: str, times: int = 1) -> list[int]:
    """Submit the help form `times` from client address `source`; the status codes."""
    token, cookie = site.csrf("/en/help", source=source)
    return [
        site.post("/en/help", answers(token), {"Cookie": cookie}, source=source).status
        for _ in range(times)
    ]


def test_a_signed_in_member_of_staff_stays_signed_in_on_every_instance(scaled_site):
    site = scaled_site
    token, cookie = site.csrf("/admin/login")
    body = urlencode(
        {"csrf_token": token, "email": "staff@example.org", "password": "correct horse battery"}
    )
    signed_in = site.post("/admin/login", body, {"Cookie": cookie})
    assert signed_in.status == 302, signed_in.text
    cookie = signed_in.cookie()
    start = len(site.access_log())
    for _ in range(6):
        page = site.get("/admin/", {"Cookie": cookie})
        assert page.status == 200
        assert 'class="signout"' in page.text  # the staff list, not the sign-in form
        assert "no-store" in page.headers["Cache-Control"]
    ports = {f"127.0.0.1:{app.port}" for app in site.stack.apps}
    assert site.instances_for("GET", "/admin/", start) == ports


def test_the_help_form_limit_counts_across_instances(scaled_site):
    site = scaled_site
    start = len(site.access_log())
    before = stored_requests(site.database)
    # HELP_RATE_LIMIT: 5 per minute per client address, whichever instance answers.
    assert send_help(site, "127.0.0.23", times=6) == [303] * 5 + [429]
    assert stored_requests(site.database) == before + 5
    ports = {f"127.0.0.1:{app.port}" for app in site.stack.apps}
    assert site.instances_for("POST", "/en/help", start) == ports
    assert send_help(site, "127.0.0.24") == [303]  # another visitor is not held back


def test_stopping_an_instance_loses_no_submission_and_shows_no_error(scaled_site):
    site = scaled_site
    stack = site.stack
    statuses: list[int] = []
    stop = threading.Event()

    def visitor() -> None:  # GETs that reach an instance (no-store: never from the cache)
        while not stop.is_set():
            statuses.append(site.get("/de/help/status").status)

    before = stored_requests(site.database)
    start = len(site.access_log())
    reader = threading.Thread(target=visitor)
    reader.start()
    try:
        stack.stop_instance(0)
        sent = [status for n in range(4) for status in send_help(site, f"127.0.0.{40 + n}")]
    finally:
        stop.set()
        reader.join()
        stack.start_instance(0)
        first = stack.apps[0]
        wait_until_up(f"http://127.0.0.1:{first.port}/healthz", first.process, "gunicorn")
    assert sent == [303] * 4
    assert stored_requests(site.database) == before + 4
    assert statuses and set(statuses) == {200}, statuses
    # nginx tried the stopped instance, was refused, and passed the request on.
    retried = [line for line in site.access_log()[start:] if ", 127.0.0.1:" in line]
    assert retried, "no request was passed to the other instance"
    assert site.instances_for("POST", "/en/help", start) == {f"127.0.0.1:{stack.apps[1].port}"}

"""The stack exactly as `make stack` starts it (deploy/stack.py): the real nginx from
deploy/nginx/wir.conf.in in front of two gunicorn instances, and the outbox sender.

`site`: `python -m deploy.stack` itself (what `make stack` runs) on a SQLite file, started
once for the module and stopped with Ctrl-C's SIGINT, which must stop every part of it.
`scaled_site`: the same `Stack` class driven from the test, so a test can stop an
instance, on PostgreSQL and Redis; skipped when either is unreachable. Its database is
TEST_DATABASE_URL's name plus `_stack` (default `webapp_test_stack` on 127.0.0.1),
dropped and created for each run; Redis is STACK_TEST_REDIS_URL (database 4 on
127.0.0.1), where the rate-limit counters (`LIMITS:*`) are deleted first.
Requests go over real sockets and are never decompressed behind the test's back. The
helpers are in tests/support/stack.py.
"""

import re
import signal
import subprocess
import sys

import pytest
import redis

from deploy.stack import Stack
from deploy.stack import free_port
from tests.support.stack import REDIS_URI
from tests.support.stack import ROOT
from tests.support.stack import Site
from tests.support.stack import environment
from tests.support.stack import fresh_postgresql
from tests.support.stack import listening
from tests.support.stack import run_flask
from tests.support.stack import unreachable
from tests.support.staff import STAFF_EMAIL
from tests.support.staff import STAFF_PASSWORD
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`make stack`'s own program on a SQLite file, shared by the tests of one module.

    Afterwards SIGINT (Ctrl-C) must end it with status 0 and leave no port listening.
    """
    folder = tmp_path_factory.mktemp("stack")
    port = free_port()
    env = environment(
        DATABASE_URL=f"sqlite:///{folder / 'site.db'}", PORT=str(port), APP_INSTANCES="2"
    )
    log = folder / "stack.log"  # its output: gunicorn, the sender, nginx's access log
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.stack"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def started():
        if process.poll() is not None:
            return "exited"
        return re.search(r"^stack: .* ports ([\d, ]+),", log.read_text(), re.M)

    try:
        ready = wait_until(started, timeout=90, interval=0.1)
    except AssertionError:
        ready = None
    if ready is None or ready == "exited":
        process.kill()
        pytest.fail(f"make stack did not start:\n{log.read_text()[-3000:]}")
    yield Site(port, log)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
    ports = [port] + [int(p) for p in ready[1].split(", ")]
    assert not any(listening(p) for p in ports), "something still listens after Ctrl-C"


@pytest.fixture(scope="module")
def scaled_site(tmp_path_factory):
    """The stack on PostgreSQL and Redis, with a staff account; `.database` is its URL."""
    reason = unreachable()
    if reason:
        pytest.skip(reason)
    database = fresh_postgresql()
    client = redis.Redis.from_url(REDIS_URI)
    for key in client.scan_iter("LIMITS:*"):  # counts from an earlier run (per day)
        client.delete(key)
    client.close()
    env = environment(
        DATABASE_URL=database,
        RATELIMIT_STORAGE_URI=REDIS_URI,
        HELP_RATE_LIMIT="5 per minute;30 per day",  # what test_scale_out counts on
    )
    stack = Stack(port=free_port(), instances=2, environ=env, logs=tmp_path_factory.mktemp("log"))
    try:
        stack.prepare()
        # The staff account before the instances start: nothing else writes yet.
        run_flask(
            stack.env,
            "admin",
            "create",
            STAFF_EMAIL,
            "--password-stdin",
            stdin=STAFF_PASSWORD + "\n",
        )
        stack.start()
        running = Site(stack.port, stack.workdir / "nginx-access.log", stack)
        running.database = database
        yield running
    finally:
        stack.stop()

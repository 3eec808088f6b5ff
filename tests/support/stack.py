"""The stack as `make stack` starts it (deploy/stack.py), driven from the tests: nginx in
front of gunicorn instances, on SQLite or on PostgreSQL and Redis.

PostgreSQL: TEST_DATABASE_URL's name plus `_stack` (default `webapp_test_stack` on
127.0.0.1), dropped and created for each run; Redis is STACK_TEST_REDIS_URL (database 4
on 127.0.0.1). Requests go over real sockets and are never decompressed behind the
test's back.
"""

import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import redis
import sqlalchemy as sa

from deploy.stack import Stack
from tests.support.csrf import csrf_from

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
PG_URL = sa.engine.make_url(
    os.environ.get("TEST_DATABASE_URL", "").strip()
    or "postgresql+psycopg://postgres@127.0.0.1:5432/webapp_test"
)
PG_SERVER = PG_URL.set(database="postgres")
PG_DATABASE = f"{PG_URL.database}_stack"
REDIS_URI = os.environ.get("STACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
# Settings of the machine running the tests that must not leak into the stack.
CLEARED = ("PROXY_FIX_", "TRUSTED_HOSTS", "RATELIMIT_", "GUNICORN_", "DATABASE_URL", "SECRET_KEY")


@dataclass
class Reply:
    """What nginx answered: status, headers, the body as sent (maybe gzip)."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded, gunzipped first if it came compressed."""
        raw = gzip.decompress(self.body) if self.gzipped else self.body
        return raw.decode()

    @property
    def gzipped(self) -> bool:
        return self.headers.get("Content-Encoding") == "gzip"

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")

    def cookie(self) -> str | None:
        """`name=value` of the Set-Cookie header, if any."""
        header = self.headers.get("Set-Cookie")
        return header.split(";", 1)[0] if header else None


class FormSession(NamedTuple):
    """A form's CSRF token and the session cookie it belongs to."""

    token: str
    cookie: str | None


class Site:
    """A running stack (nginx on `port`, its access log in `log`) and an HTTP client."""

    def __init__(self, port: int, log: Path, stack: Stack | None = None) -> None:
        self.port = port
        self.log = log
        self.stack = stack

    def request(
        self,
        method: str,
        path: str,
        headers: dict | None = None,
        body: str | None = None,
        source: str = "127.0.0.1",
    ) -> Reply:
        """One request from client address `source` (any of 127.0.0.0/8)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        reply = Reply(response.status, response.headers, response.read())
        connection.close()
        return reply

    def get(self, path: str, headers: dict | None = None, **kwargs) -> Reply:
        return self.request("GET", path, headers, **kwargs)

    def post(self, path: str, body: str, headers: dict | None = None, **kwargs) -> Reply:
        return self.request("POST", path, headers, body=body, **kwargs)

    def csrf(self, path: str, cookie: str | None = None, **kwargs) -> "FormSession":
        """The form's CSRF token and the session cookie that goes with it."""
        reply = self.get(path, {"Cookie": cookie} if cookie else {}, **kwargs)
        return FormSession(csrf_from(reply.text), reply.cookie() or cookie)

    def access_log(self) -> list[str]:
        """nginx's access log lines so far (format `wir`: cache status, instance)."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return [line for line in lines if " cache=" in line and " upstream=" in line]

    def instances_for(self, method: str, path: str, since: int = 0) -> set[str]:
        """The instances (host:port) that answered `method path` in the log from line `since`."""
        served = set()
        for line in self.access_log()[since:]:
            if f'"{method} {path} ' in line:
                served.update(re.findall(r"upstream=(\S+)", line)[0].split(", "))
        return served - {"-"}


def run_flask(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def environment(**settings: str) -> dict:
    """This process's environment without the machine's own site settings, plus `settings`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    return {
        **base,
        "SECRET_KEY": "stack-test",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        **settings,
    }


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def unreachable() -> str | None:
    """Why PostgreSQL or Redis cannot be used, or None."""
    try:
        engine = sa.create_engine(PG_SERVER, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL at {PG_SERVER.host}:{PG_SERVER.port} is unreachable: {exc.orig}"
    try:
        redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URI} is unreachable: {exc}"
    return None


def fresh_postgresql() -> str:
    """An empty database of our own; its URL."""
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {PG_DATABASE}"))
    engine.dispose()
    return PG_URL.set(database=PG_DATABASE).render_as_string(hide_password=False)

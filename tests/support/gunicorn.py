"""A real gunicorn, started with gunicorn.conf.py as `make serve` does."""

import http.client
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.smtp import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Settings of the machine running the tests that must not reach the server.
CLEARED = ("PROXY_FIX_", "TRUSTED_HOSTS", "RATELIMIT_", "GUNICORN_")


@dataclass
class Answer:
    """What a real server answered."""

    status: int
    headers: http.client.HTTPMessage
    body: str


class Server:
    """gunicorn on loopback; its stderr in `log`."""

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

    def answers(self) -> bool:
        """Whether it answers a request yet; fails at once when gunicorn has exited."""
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.log_text()[-3000:]}")
        try:
            self.request("GET", "/en/imprint")
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def start_gunicorn(
    folder: Path, env: dict, *args: str, app: str = "wsgi:app", prefix: tuple = ()
) -> Server:
    """gunicorn on a free loopback port (after the command `prefix`, if any), its log in
    `folder`; returns once it answers. `env` is added to this process's environment, from
    which PROXY_FIX_*, TRUSTED_HOSTS and the rate limit settings are cleared first."""
    port = free_port()
    log = folder / f"gunicorn-{port}.log"  # a file: a full pipe would stall gunicorn
    clean = {key: value for key, value in os.environ.items() if not key.startswith(CLEARED)}
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [*prefix, str(GUNICORN), "-c", "gunicorn.conf.py", *args]
            + ["--bind", f"127.0.0.1:{port}", app],
            cwd=ROOT,
            env={**clean, "SECRET_KEY": "server-test", **env},
            stdout=handle,
            stderr=handle,
        )
    server = Server(port, log, process)
    try:
        wait_until(server.answers, timeout=30, interval=0.1, message="gunicorn did not start")
    except AssertionError as exc:
        server.stop()
        raise AssertionError(f"{exc}: {server.log_text()[-3000:]}") from None
    return server

"""The outbox sender (`flask --app wsgi outbox run`) as its own process, as `make run`
starts it beside the web process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_sender(database_uri: str, port: int, log_path: Path, **settings) -> subprocess.Popen:
    """An `outbox run` process on `database_uri`, sending to 127.0.0.1:`port`, its output
    in `log_path` (also on the process as `log_path`); `settings` are more environment."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "test-secret",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_DEFAULT_SENDER": "website@wir.example",
        "MAIL_TIMEOUT": "30",
        **settings,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    return process

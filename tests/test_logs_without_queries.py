"""No personal data in any log: the development server logs paths without query strings,
and nginx's access log is kept exactly the days the privacy notice states.

nginx's own log format is checked through the real stack (tests/stack/test_access_log.py),
gunicorn's in tests/test_private_data.py.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy import logrotate
from tests.support.smtp import free_port
from tests.support.waiting import wait_until
from webapp.content import operator_details

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"
LOOKUP = "/de/help/status?reference=H-2026-000001&email=x%40y.z"
SEARCH = "/admin/?q=jana%40example.org"


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_development_server_logs_no_query_strings(database_uri, tmp_path):
    # `make run` starts `flask --app wsgi run`; this is that command, on a port of its own.
    port = free_port()
    log = tmp_path / "flask-run.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "FLASK_"))},
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "dev-server-test",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(FLASK), "--app", "wsgi", "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:

        def up() -> bool:
            if server.poll() is not None:
                pytest.fail(f"flask run stopped: {log.read_text()[-2000:]}")
            try:
                return get(f"http://127.0.0.1:{port}{LOOKUP}") == 200
            except urllib.error.URLError:
                return False

        wait_until(up, timeout=30, message="flask run did not start")
        # Sent on to the sign-in page, whose `next` names the search again.
        assert get(f"http://127.0.0.1:{port}{SEARCH}") == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    text = re.sub(r"\x1b\[[\d;]*m", "", log.read_text(errors="replace"))  # no colours
    assert '"GET /de/help/status HTTP/1.1" 200' in text
    assert '"GET /admin/ HTTP/1.1" 302' in text
    assert '"GET /admin/login HTTP/1.1" 200' in text
    for secret in ("H-2026-000001", "x@y.z", "x%40y.z", "jana", "?"):
        assert secret not in text, secret


def test_the_logrotate_example_keeps_the_days_of_the_sample_operator_file():
    committed = (ROOT / "deploy" / "logrotate" / "wir").read_text()
    assert committed == logrotate.example(), "stale: run `make logrotate-conf`"
    days = logrotate.log_days(operator_details.EXAMPLE_FILE)
    assert f"\n    rotate {days}\n" in committed
    assert f"\n{logrotate.ACCESS_LOG} {{\n" in committed
    # The same file nginx writes in the production example.
    assert f"access_log {logrotate.ACCESS_LOG} wir;" in (ROOT / "deploy/nginx/wir.conf").read_text()


def test_the_snippet_follows_the_operator_file(tmp_path):
    sample = operator_details.EXAMPLE_FILE.read_text(encoding="utf-8")
    own = tmp_path / "operator.toml"
    own.write_text(sample.replace("server_log_days = 7", "server_log_days = 30"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "deploy.logrotate", str(own)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\n    rotate 30\n" in result.stdout
    assert "\n    maxage 30\n" in result.stdout


LOGROTATE = shutil.which("logrotate") or shutil.which("/usr/sbin/logrotate")


def test_logrotate_takes_the_snippet_beside_debians_nginx_rule(tmp_path):
    """Debian's /etc/logrotate.d/nginx rotates /var/log/nginx/*.log for 14 days; a second
    rule for a file it matches would be refused, so the site's log has its own folder."""
    if LOGROTATE is None:
        pytest.skip("no logrotate on this machine (apt-get install logrotate)")
    folder = tmp_path / "nginx"
    (folder / "wir").mkdir(parents=True)
    (folder / "wir" / "access.log").write_text("a line\n")
    (folder / "other.log").write_text("a line\n")
    rules = tmp_path / "logrotate.d"
    rules.mkdir()
    # Debian's rule as nginx-common ships it (trimmed), for the same folder.
    (rules / "nginx").write_text(
        f"{folder}/*.log {{\n    daily\n    rotate 14\n    missingok\n}}\n"
    )
    (rules / "wir").write_text(logrotate.render(7, "test", f"{folder}/wir/access.log"))
    main = tmp_path / "logrotate.conf"
    main.write_text(f"include {rules}\n")
    result = subprocess.run(
        [LOGROTATE, "-d", "-s", str(tmp_path / "state"), str(main)],
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert "error" not in output.lower(), output
    assert f"rotating pattern: {folder}/wir/access.log  after 1 days (7 rotations)" in output

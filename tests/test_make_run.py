"""`make run` shows the way in: the site's address, the staff area's, the first account."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_the_way_in_names_both_addresses_and_the_account_command():
    out = make("-s", "way-in", "HOST=192.0.2.7", "PORT=8123")
    assert "The site:        http://192.0.2.7:8123/\n" in out
    assert "The staff area:  http://192.0.2.7:8123/admin/\n" in out
    assert "flask --app wsgi admin create you@example.org" in out


def test_make_run_prints_the_way_in_before_it_starts_the_server():
    plan = make("-n", "run", "HOST=192.0.2.7", "PORT=8123")  # the commands, none run
    staff_area = plan.index("http://192.0.2.7:8123/admin/")
    server = plan.index("flask --app wsgi run --host 192.0.2.7 --port 8123")
    assert staff_area < server

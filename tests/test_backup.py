"""Backups that restore: `flask --app wsgi backup PATH` copies a SQLite database while the
site writes to it, and a new instance started on the copy has everything the site had
confirmed before: requests, their e-mails, staff accounts. PostgreSQL is refused with
the way to do it (pg_dump, in the README)."""

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.database import make_config
from tests.support.waiting import wait_until
from webapp import create_app
from webapp.extensions import db
from webapp.models import ContactRequest
from webapp.models import OutboxMessage
from webapp.models import StaffUser

ROOT = Path(__file__).resolve().parent.parent


class Visitors(threading.Thread):
    """Send the help form again and again; keep each confirmed reference, in order."""

    def __init__(self, app) -> None:
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.confirmed: list[str] = []
        self.stop = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            token = csrf_from(self.client.get("/en/help").get_data(as_text=True))
            data = {
                "name": f"Visitor {number}",
                "email": f"visitor{number}@example.org",
                "topic": "housing",
                "message": f"Question number {number} about a flat in Plauen.",
                "consent": "y",
                "csrf_token": token,
            }
            response = self.client.post("/en/help", data=data)
            if response.status_code != 303:
                self.errors.append(f"{response.status_code}")
                continue
            page = self.client.get("/en/help/sent").get_data(as_text=True)
            self.confirmed.append(re.search(r"H-\d{4}-\d{6}", page).group(0))


def run_backup(database_uri: str, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "backup", str(target)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_uri, "SECRET_KEY": "test-secret"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_taken_while_visitors_write_restores_everything(
    app_factory, db_path, staff_actions, tmp_path
):
    database_uri = f"sqlite:///{db_path}"
    app = app_factory(HELP_RATE_LIMIT="100000 per minute")
    staff = staff_actions(app, app.test_client())
    staff.create()
    staff.create("second@example.org", "another good password")
    visitors = Visitors(app)
    visitors.start()
    try:
        wait_until(lambda: len(visitors.confirmed) >= 5, timeout=60)
        before = list(visitors.confirmed)
        copy = tmp_path / "backups" / "site-copy.db"
        copy.parent.mkdir()
        result = run_backup(database_uri, copy)
        after = len(visitors.confirmed)
        wait_until(
            lambda: len(visitors.confirmed) >= after + 3, timeout=60
        )  # the site went on writing
    finally:
        visitors.stop.set()
        visitors.join(30)
    assert visitors.errors == []
    assert after > len(before)  # visitors were confirmed while the backup ran
    assert result.returncode == 0, result.stderr
    assert "integrity check ok" in result.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sorted(p.name for p in copy.parent.iterdir()) == ["site-copy.db"]  # one file
    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    raw.close()

    restored = create_app(make_config(f"sqlite:///{copy}"))
    try:
        with restored.app_context():
            references = db.session.scalars(
                select(ContactRequest.reference).order_by(ContactRequest.id)
            ).all()
            # Everything confirmed before the backup began is there; what the copy holds
            # is the site at one moment: the first N requests, none missing in between.
            assert set(before) <= set(references)
            assert references == visitors.confirmed[: len(references)]
            kinds = db.session.execute(
                select(OutboxMessage.request_id, OutboxMessage.kind).order_by(OutboxMessage.id)
            ).all()
            ids = db.session.scalars(select(ContactRequest.id)).all()
            # Every request with both its e-mails: no half-written transaction.
            assert sorted(kinds) == sorted(
                (request_id, kind)
                for request_id in ids
                for kind in ("staff_notification", "confirmation")
            )
            assert db.session.scalars(select(StaffUser.email).order_by(StaffUser.email)).all() == [
                "second@example.org",
                "staff@example.org",
            ]
        client = restored.test_client()
        staff = staff_actions(restored, client)
        assert staff.login().status_code == 302  # the account signs in on the copy
        page = client.get(f"/admin/requests/{ids[0]}").get_data(as_text=True)
        assert before[0] in page and "about a flat in Plauen" in page
    finally:
        with restored.app_context():
            db.engine.dispose()


def test_a_backup_never_replaces_the_database_or_half_writes_a_copy(runner, db_path, tmp_path):
    result = runner.invoke(args=["backup", str(db_path)])
    assert result.exit_code == 1
    assert "must not replace the database" in result.output
    result = runner.invoke(args=["backup", str(tmp_path / "missing" / "copy.db")])
    assert result.exit_code == 1 and "There is no folder" in result.output
    assert not (tmp_path / "missing").exists()


def test_postgresql_is_refused_with_the_way_to_do_it(backend, runner, tmp_path):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "README" in result.output
    assert not (tmp_path / "copy.db").exists()

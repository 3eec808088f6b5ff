"""The `admin` and `requests` command groups: staff accounts and purging old requests."""

import subprocess
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash

from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import StaffUser

PASSWORD = "a long enough password"


def user(app, email: str) -> StaffUser | None:
    with app.app_context():
        found = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def test_create_asks_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["admin", "create", "Anna@Example.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created staff account anna@example.org." in result.output
    assert "Password: \nRepeat for confirmation: " in result.output
    assert PASSWORD not in result.output
    account = user(app, "anna@example.org")
    assert account.password_hash.startswith("scrypt:")
    assert check_password_hash(account.password_hash, PASSWORD)


def test_create_with_differing_passwords_asks_again(app, runner):
    result = runner.invoke(
        args=["admin", "create", "anna@example.org"],
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower() or "mismatch" in result.output.lower()
    assert user(app, "anna@example.org") is not None


def test_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["admin", "create", "bot@example.org", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert check_password_hash(user(app, "bot@example.org").password_hash, PASSWORD)


def test_create_refuses_a_short_password_and_a_duplicate(app, runner):
    result = runner.invoke(
        args=["admin", "create", "c@example.org", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert user(app, "c@example.org") is None
    runner.invoke(
        args=["admin", "create", "c@example.org", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    result = runner.invoke(
        args=["admin", "create", "C@example.org", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code != 0
    assert "exists already" in result.output


def test_set_password_and_list(app, runner):
    runner.invoke(
        args=["admin", "create", "d@example.org", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    result = runner.invoke(
        args=["admin", "set-password", "d@example.org"],
        input="the new password\nthe new password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password changed for d@example.org;" in result.output
    assert check_password_hash(user(app, "d@example.org").password_hash, "the new password")
    result = runner.invoke(
        args=["admin", "set-password", "nobody@example.org", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code != 0 and "There is no account" in result.output
    result = runner.invoke(args=["admin", "list"])
    assert result.exit_code == 0
    assert "d@example.org\tactive" in result.output


def test_list_without_accounts_says_how_to_create_one(runner):
    assert "admin create EMAIL" in runner.invoke(args=["admin", "list"]).output


def test_purge_removes_answered_and_closed_requests_older_than_the_limit(app, runner, make_request):
    now = datetime.now(UTC)
    old_closed = make_request(
        reference="H-OLD-C", status="closed", created_at=now - timedelta(days=40)
    )
    make_request(reference="H-OLD-A", status="answered", created_at=now - timedelta(days=40))
    make_request(reference="H-OLD-P", status="in_progress", created_at=now - timedelta(days=40))
    make_request(reference="H-NEW-C", status="closed", created_at=now - timedelta(days=10))
    result = runner.invoke(args=["requests", "purge", "--older-than", "30"])
    assert result.exit_code == 0, result.output
    assert (
        "Removed 2 answered or closed request(s) last changed more than 30 days ago."
        in result.output
    )
    with app.app_context():
        left = db.session.scalars(select(ContactRequest.reference)).all()
        assert sorted(left) == ["H-NEW-C", "H-OLD-P"]
        assert db.session.get(ContactRequest, old_closed) is None
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.reference)).all()
        assert [(e.reference, e.action, e.actor_id) for e in entries] == [
            ("H-OLD-A", "purged", None),
            ("H-OLD-C", "purged", None),
        ]


def test_purge_defaults_to_the_configured_age(app, runner, make_request):
    now = datetime.now(UTC)
    make_request(status="closed", created_at=now - timedelta(days=366))
    make_request(status="closed", created_at=now - timedelta(days=300))
    result = runner.invoke(args=["requests", "purge"])
    assert "Removed 1 answered or closed request(s) last changed more than 365 days ago." in (
        result.output
    )
    app.config["PURGE_AFTER_DAYS"] = 200
    result = runner.invoke(args=["requests", "purge"])
    assert "Removed 1 answered or closed request(s) last changed more than 200 days ago." in (
        result.output
    )
    with app.app_context():
        assert db.session.scalars(select(ContactRequest)).all() == []


def test_importing_the_package_does_not_load_the_staff_blueprint():
    """Account rules live in webapp/accounts.py: the CLI no longer pulls in webapp.admin."""
    code = "import sys, webapp, webapp.cli; print('webapp.admin' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_one_account_per_address_in_any_case_or_unicode_form(app, runner):
    """Addresses are compared casefolded and composed (webapp/helpdesk/addresses.py), so
    Straße@… and STRASSE@… cannot become two accounts for one person."""
    result = runner.invoke(
        args=["admin", "create", "Straße@Example.org", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert "Created staff account strasse@example.org." in result.output
    for spelling in ("STRASSE@example.org", "strasse@EXAMPLE.ORG"):
        result = runner.invoke(
            args=["admin", "create", spelling, "--password-stdin"], input=f"{PASSWORD}\n"
        )
        assert result.exit_code != 0 and "exists already" in result.output
    with app.app_context():
        assert [account.email for account in db.session.scalars(select(StaffUser))] == [
            "strasse@example.org"
        ]

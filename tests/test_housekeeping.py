"""Retention that happens: `flask housekeeping` and the sender's daily run delete what is
kept no longer, and nothing else. The clock is moved with time-machine; the sender runs
as a real process (`flask --app wsgi outbox run`)."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.smtp import free_port
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.helpdesk import housekeeping
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import HousekeepingState
from webapp.models import Note
from webapp.models import OutboxMessage
from webapp.models import StaffUser

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def send_help(client, name: str) -> None:
    token = csrf_from(client.get("/en/help").get_data(as_text=True))
    data = {
        "name": name,
        "email": f"{name.lower()}@example.org",
        "topic": "job",
        "message": f"A question from {name}.",
        "consent": "y",
        "csrf_token": token,
    }
    assert client.post("/en/help", data=data).status_code == 303


def names(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(ContactRequest.name)))


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def messages_of(app, name: str) -> int:
    return count(
        app,
        OutboxMessage,
        OutboxMessage.recipient == f"{name.lower()}@example.org",
    )


def change(app, staff_id: int, name: str, action, *args) -> None:
    """A member of staff's change to one request, through casework (audited)."""
    with app.app_context():
        item = db.session.scalar(select(ContactRequest).where(ContactRequest.name == name))
        action(item, *args, db.session.get(StaffUser, staff_id))


def test_time_moves_on_and_housekeeping_deletes_only_what_is_due(app, runner, staff):
    app.config["HELP_RATE_LIMIT"] = "100 per minute"
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        for name in ("Answered", "Closed", "New", "Working", "Noted", "Spam", "Late"):
            send_help(client, name)
        change(app, staff.user_id, "Answered", casework.change_status, "answered")
        change(app, staff.user_id, "Closed", casework.change_status, "closed")
        change(app, staff.user_id, "Working", casework.change_status, "in_progress")
        change(app, staff.user_id, "Noted", casework.change_status, "closed")
        change(app, staff.user_id, "Spam", casework.mark_spam, True)
        with app.app_context():
            # An e-mail of no request, sent (the site queues none today; the rule holds).
            outbox.queue("answer", "loose@example.org", "Hello", "Text").state = "sent"
            db.session.commit()
        assert messages_of(app, "Answered") == 1  # the confirmation (and a staff notice)

    with time_machine.travel(START + timedelta(days=20), tick=False):
        change(app, staff.user_id, "Late", casework.mark_spam, True)

    with time_machine.travel(START + timedelta(days=31), tick=False):
        result = runner.invoke(args=["housekeeping"])
        assert "Removed 1 spam request(s) older than 30 days." in result.output
        assert "Removed 0 answered or closed request(s)" in result.output
        # Spam goes 30 days after its last change: being marked as spam is one.
        assert "Spam" not in names(app) and "Late" in names(app)

    with time_machine.travel(START + timedelta(days=200), tick=False):
        change(app, staff.user_id, "Noted", casework.add_note, "Called back about the job.")

    with time_machine.travel(START + timedelta(days=366), tick=False):
        result = runner.invoke(args=["housekeeping"])
        assert result.exit_code == 0, result.output
        assert (
            "Removed 2 answered or closed request(s) last changed more than 365 days ago."
            in result.output
        )
        assert "Removed 1 e-mail(s) belonging to no request" in result.output
        # Their history is as old as they are and goes with them (the spam request's
        # "marked as spam" too); what stays is that each was removed, and when.
        assert "Removed 3 history entries of deleted requests" in result.output
        # Open requests stay however old; a closed one changed since stays too.
        assert names(app) == ["New", "Noted", "Working"]
        assert messages_of(app, "Answered") == messages_of(app, "Closed") == 0
        assert messages_of(app, "New") == 1
        assert count(app, Note) == 1
        with app.app_context():
            purged = db.session.scalars(
                select(AuditEntry.reference).where(AuditEntry.action == "purged")
            ).all()
        assert len(purged) == 4  # spam, late spam, answered, closed: reference and time

    with time_machine.travel(START + timedelta(days=31 + 366), tick=False):
        result = runner.invoke(args=["housekeeping"])
        # A year on: the record of the first spam request's removal, and the late one's
        # "marked as spam" (day 20).
        assert "Removed 2 history entries of deleted requests" in result.output, result.output
        with app.app_context():
            left = db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.request_id.is_(None))
            ).all()
        assert left == ["purged", "purged", "purged"]

    with time_machine.travel(START + timedelta(days=200 + 366), tick=False):
        runner.invoke(args=["housekeeping"])
        assert names(app) == ["New", "Working"]


def test_the_rules_come_from_the_configuration(app_factory):
    app = app_factory(PURGE_AFTER_DAYS=90, SPAM_PURGE_AFTER_DAYS=7)
    rules = housekeeping.retention_rules(app.config)
    assert [(rule.what, rule.days) for rule in rules] == [
        ("requests", 90),
        ("spam", 7),
        ("emails", 90),
        ("history", 90),
    ]


def test_staff_see_the_configured_spam_retention(app_factory, staff_actions, make_request):
    app = app_factory(SPAM_PURGE_AFTER_DAYS=14)
    client = app.test_client()
    staff = staff_actions(app, client)
    staff.create()
    staff.login()
    request_id = make_request(is_spam=True)
    page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "sie wird 14 Tage nach ihrer letzten Änderung gelöscht" in page


def test_outbox_send_runs_housekeeping_once_a_day(app, runner, make_request):
    old = START - timedelta(days=400)
    make_request(name="First", status="closed", created_at=old)
    with time_machine.travel(START, tick=False):
        first = runner.invoke(args=["outbox", "send"])
        assert "Removed 1 answered or closed request(s)" in first.output, first.output
        make_request(name="Second", status="closed", created_at=old)
        again = runner.invoke(args=["outbox", "send"])
        assert "Removed" not in again.output  # once a day, however often cron calls
        assert names(app) == ["Second"]
    with time_machine.travel(START + timedelta(hours=23, minutes=59), tick=False):
        assert "Removed" not in runner.invoke(args=["outbox", "send"]).output
    with time_machine.travel(START + timedelta(days=1), tick=False):
        later = runner.invoke(args=["outbox", "send"])
        assert "Removed 1 answered or closed request(s)" in later.output
        assert names(app) == []
        with app.app_context():
            assert housekeeping.last_run() == START + timedelta(days=1)


def test_an_explicit_run_counts_as_the_days_run(app, runner, make_request):
    with time_machine.travel(START, tick=False):
        runner.invoke(args=["housekeeping"])
    make_request(name="Old", status="answered", created_at=START - timedelta(days=400))
    with time_machine.travel(START + timedelta(hours=12), tick=False):
        assert "Removed" not in runner.invoke(args=["outbox", "send"]).output
        assert names(app) == ["Old"]


def tried(app, message_id: int) -> bool:
    """Whether a sender has tried the outbox message once."""
    with app.app_context():
        attempts = db.session.get(OutboxMessage, message_id).attempts
        db.session.remove()
        return attempts >= 1


def sender_passes(app, count: int) -> None:
    """Wait until the running sender has finished `count` more passes (each pass tries the
    due mail, then its chores): one undeliverable message per pass, each waited for."""
    for number in range(count):
        with app.app_context():
            message = outbox.queue(Kind.ANSWER, f"pass{number}@example.org", "Pass", "Pass")
            db.session.commit()
            message_id = message.id
            db.session.remove()

        wait_until(lambda key=message_id: tried(app, key), timeout=30, message="no pass")


@pytest.fixture
def sender(senders):
    """`start()`: an `outbox run` process on this test's database; its mail server is a
    port where nothing listens, so every message it tries counts one failed attempt."""
    dead_port = free_port()
    return lambda: senders(dead_port, OUTBOX_POLL_SECONDS="0.1")


def test_the_sender_runs_housekeeping_by_itself_once_for_all_senders(app, sender, make_request):
    long_ago = datetime.now(UTC) - timedelta(days=400)
    make_request(name="Answered long ago", status="answered", created_at=long_ago)
    make_request(name="Open", status="new", created_at=long_ago)
    first = sender()
    wait_until(
        lambda: names(app) == ["Open"], timeout=30, message="the sender did not run housekeeping"
    )
    with app.app_context():
        ran_at = housekeeping.last_run()
        assert ran_at is not None
        db.session.remove()
    make_request(name="Closed long ago", status="closed", created_at=long_ago)
    first.terminate()
    first.wait(10)
    second = sender()  # a restart within the day: no second run
    sender_passes(app, 2)  # the first pass's chores are over once the second pass sends
    assert second.poll() is None
    assert sorted(names(app)) == ["Closed long ago", "Open"]
    assert count(app, HousekeepingState) == 1
    with app.app_context():
        assert housekeeping.last_run() == ran_at

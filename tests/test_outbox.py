"""The outbox sender under trouble: a dead, a hanging and a returning mail server, a killed
sender, two senders at once. Senders run as real processes (`flask --app wsgi outbox run`),
the mail server is aiosmtpd on loopback; retry delays are shortened for the test.
"""

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
FAST = {
    "OUTBOX_POLL_SECONDS": "0.1",
    "OUTBOX_RETRY_FIRST_SECONDS": "0.2",
    "OUTBOX_RETRY_MAX_SECONDS": "0.5",
    "OUTBOX_GIVE_UP_SECONDS": "3600",
}


@pytest.fixture
def senders(senders):
    """The shared `senders`, with this module's quick retry settings (FAST)."""
    return lambda port, **env: senders(port, **{**FAST, **env})


def post_help(client, email: str) -> None:
    token = csrf_from(client.get("/en/help").get_data(as_text=True))
    data = {
        "name": "Visitor",
        "email": email,
        "topic": "job",
        "message": "A question about work in the region.",
        "consent": "y",
        "csrf_token": token,
    }
    assert client.post("/en/help", data=data).status_code == 303


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        db.session.remove()
        return found


def received_ids(smtp) -> Counter:
    return Counter(mail["Message-ID"] for mail in smtp.parsed())


def test_mail_server_down_then_up_every_message_arrives_once(
    app_factory, senders, smtp, unused_port
):
    app = app_factory(HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    port = unused_port
    sender = senders(port)
    for number in range(3):
        post_help(client, f"visitor{number}@example.org")
    # The server is down: every message is tried and waits for its next try.
    assert wait_until(lambda: all(m.attempts >= 2 for m in rows(app)))
    assert {m.state for m in rows(app)} == {State.QUEUED}

    handler = type(smtp)()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert wait_until(lambda: {m.state for m in rows(app)} == {State.SENT}, timeout=30)
        # One more request once all are sent: the sender polls again (and again), and
        # still nothing goes out twice.
        post_help(client, "visitor3@example.org")
        assert wait_until(lambda: {m.state for m in rows(app)} == {State.SENT}, timeout=30)
    finally:
        controller.stop()
    expected = {m.message_id for m in rows(app)}
    assert len(expected) == 8
    assert received_ids(handler) == Counter(expected)
    assert sender.poll() is None  # the sender kept running throughout


def test_hanging_mail_server_does_not_slow_the_site(app_factory, senders, smtp):
    app = app_factory(HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    smtp.hold = threading.Event()  # accepts the connection, never answers DATA
    senders(smtp.port)
    post_help(client, "first@example.org")
    assert smtp.holding.wait(30), "the sender never reached the mail server"
    # While the sender is stuck in the middle of a send, the site answers as usual.
    post_help(client, "second@example.org")
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/help").status_code == 200
    assert not smtp.hold.is_set() and smtp.messages == []
    assert len(rows(app)) == 4
    smtp.hold.set()
    assert wait_until(lambda: {m.state for m in rows(app)} == {State.SENT})


def test_sender_killed_mid_send_loses_nothing(app_factory, senders, smtp):
    app = app_factory()
    post_help(app.test_client(), "visitor@example.org")
    smtp.hold = threading.Event()
    first = senders(smtp.port, OUTBOX_LEASE_SECONDS="1")
    assert smtp.holding.wait(30)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    # The server never confirmed that message: let the held delivery fail.
    smtp.refuse = "451 Try again later"
    smtp.hold.set()
    assert smtp.held_over.wait(10), "the held delivery did not end"
    smtp.hold, smtp.refuse = None, None
    assert smtp.messages == []
    assert {m.state for m in rows(app)} == {State.QUEUED}

    senders(smtp.port, OUTBOX_LEASE_SECONDS="1")  # a new sender takes over once the lease ends
    assert wait_until(lambda: {m.state for m in rows(app)} == {State.SENT})
    assert set(received_ids(smtp)) == {m.message_id for m in rows(app)}


def test_two_senders_never_send_one_message_twice(app_factory, senders, smtp):
    app = app_factory()
    with app.app_context():
        for number in range(60):
            outbox.queue(Kind.ANSWER, f"v{number}@example.org", f"Re: {number}", "Text")
        db.session.commit()
    first = senders(smtp.port)
    second = senders(smtp.port)
    assert wait_until(lambda: len(smtp.messages) >= 60, timeout=30)
    # One more once all are out: both senders keep polling, and still send nothing twice.
    with app.app_context():
        outbox.queue("answer", "late@example.org", "Re: late", "Text")
        db.session.commit()
    assert wait_until(lambda: len(smtp.messages) >= 61, timeout=30)
    counts = received_ids(smtp)
    assert len(counts) == 61
    assert set(counts.values()) == {1}
    assert {m.state for m in rows(app)} == {State.SENT}
    assert first.poll() is None and second.poll() is None


def test_sender_stops_cleanly_on_sigterm(senders, smtp):
    sender = senders(smtp.port)
    assert wait_until(lambda: "sender running" in sender.log_path.read_text())
    sender.send_signal(signal.SIGTERM)
    assert sender.wait(15) == 0
    assert "Outbox sender stopped." in sender.log_path.read_text()


def test_retries_grow_and_give_up_after_about_a_day(app):
    with app.app_context():
        delays = [outbox.retry_delay(n) for n in range(1, 8)]
        assert delays[0] <= 60  # the first retry within a minute
        assert delays == sorted(delays) and delays[-1] > delays[0]
        tries = next(n for n in range(1, 200) if outbox.gives_up_after(n))
        waited = sum(outbox.retry_delay(n) for n in range(1, tries + 1))
        assert 20 * 3600 <= waited <= 30 * 3600


def test_one_send_from_cron_sends_everything_that_is_due(app_with_mail, smtp):
    # More than one pass claims (20): cron runs `outbox send` once a minute, and a
    # backlog after a mail server outage must not drain only 20 a minute.
    with app_with_mail.app_context():
        for number in range(45):
            outbox.queue(Kind.ANSWER, f"person{number}@example.org", f"Re: {number}", "Text")
        db.session.commit()
    result = app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 45, failed 0" in result.output
    assert len(smtp.messages) == 45
    assert {message.state for message in rows(app_with_mail)} == {State.SENT}


def test_once_the_server_is_back_mail_waiting_for_it_goes_out_at_once(
    mail_app_factory, smtp, unused_port
):
    # Retries an hour apart: without the rule, the first message would wait that hour.
    app = mail_app_factory(MAIL_PORT=unused_port, OUTBOX_RETRY_FIRST_SECONDS=3600)
    send = app.test_cli_runner()
    with app.app_context():
        outbox.queue(Kind.ANSWER, "waiting@example.org", "Re: down", "Text")
        db.session.commit()
    assert "Sent 0, failed 1" in send.invoke(args=["outbox", "send"]).output  # server down
    app.config["MAIL_PORT"] = smtp.port
    with app.app_context():
        outbox.queue(Kind.ANSWER, "greylisted@example.org", "Re: later", "Text")
        db.session.commit()
    smtp.refuse = "451 Try again later"  # this message's own refusal keeps its delay
    assert "Sent 0, failed 1" in send.invoke(args=["outbox", "send"]).output
    smtp.refuse = None
    with app.app_context():
        outbox.queue(Kind.ANSWER, "new@example.org", "Re: new", "Text")
        db.session.commit()
    assert "Sent 1, failed 0" in send.invoke(args=["outbox", "send"]).output
    # The next pass takes the one that waited for the server, not the greylisted one.
    assert "Sent 1, failed 0" in send.invoke(args=["outbox", "send"]).output
    states = {m.recipient: (m.state, m.attempts) for m in rows(app)}
    assert states == {
        "waiting@example.org": (State.SENT, 2),
        "greylisted@example.org": (State.QUEUED, 1),
        "new@example.org": (State.SENT, 1),
    }
    assert [e.rcpt_tos for e in smtp.messages] == [["new@example.org"], ["waiting@example.org"]]


@pytest.mark.parametrize(
    ("answer", "state"),
    [("451 Try again later", State.QUEUED), ("550 No such mailbox", State.FAILED)],
)
def test_a_temporary_refusal_is_retried_a_permanent_one_is_not(app_with_mail, smtp, answer, state):
    with app_with_mail.app_context():
        outbox.queue(Kind.ANSWER, "gone@example.org", "Re: x", "Text")
        db.session.commit()
    smtp.refuse = answer
    result = app_with_mail.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 0, failed 1" in result.output
    [message] = rows(app_with_mail)
    assert (message.state, message.attempts) == (state, 1)
    assert message.last_error == f"SMTPDataError: {answer}"


@pytest.mark.server
def test_sender_started_by_make_stops_when_its_shell_is_gone(database_uri, tmp_path):
    # What `make run` / `make serve` do: the sender runs in the background of a shell
    # that runs the web process; it must not outlive that shell.
    env = {**os.environ, "DATABASE_URL": database_uri, "SECRET_KEY": "x", **FAST}
    # The shell ends once the sender says it runs (or after 30 s at most).
    log = tmp_path / "sender.log"
    script = (
        f"{sys.executable} -m flask --app wsgi outbox run --stop-with-parent "
        f"> {log} 2>&1 & echo $!; "
        f"for _ in $(seq 300); do grep -q 'sender running' {log} && break; sleep 0.1; done"
    )
    shell = subprocess.run(
        ["sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    pid = int(shell.stdout.strip())
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), 30)
    assert "Outbox sender stopped." in (tmp_path / "sender.log").read_text()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True

"""The outbox: every e-mail the site sends is stored first and sent by a separate process.

Why: a request thread must never wait for a mail server, and a message must never be
lost because the server was down or a worker died. So `queue()` only adds a row to
the caller's session; it is committed together with the change that causes the mail
(a new request, a staff answer), or not at all. A sender (`flask --app wsgi outbox run`,
or `outbox send` once, e.g. from cron) delivers the rows.

Delivery is at least once. A sender first claims a row (it writes its name and a lease
end into `claimed_by` / `claimed_until` and commits), then talks to SMTP, then marks the
row sent. Two senders never hold the same row: on PostgreSQL the claim reads with
`FOR UPDATE SKIP LOCKED`; on SQLite each claim is a conditional UPDATE whose row count
says who won. A sender that dies between the server's "250 OK" and marking the row
sent leaves it claimed until the lease ends; then it is sent again, with the same
Message-ID, so mail programs show it once.

A failed try is retried after a growing delay (OUTBOX_RETRY_FIRST_SECONDS, doubling up
to OUTBOX_RETRY_MAX_SECONDS); once the delays add up to OUTBOX_GIVE_UP_SECONDS (a day)
the row is marked "failed" and staff can send it again from the request page. Only a
refusal of that message for good (a 5xx answer to its recipient or its content, e.g. "no
such mailbox") marks it failed at once. A mail server that refuses *us* (any answer but
yes to EHLO, STARTTLS, AUTH or MAIL FROM, or a 421 anywhere: a failed login, "530
authentication required", "421 too busy") says nothing about the message: it is retried
like a server that cannot be reached, and staff see that delivery is paused (`paused()`).

A message may be queued without its text (queue_new(), the help POST's e-mails): the
sender writes it at the first try with the writer registered for its kind (`writer()`),
stores it, and only then sends; every later try sends what was stored.

Some kinds have a daily cap per mailbox (DAILY_LIMITS: the visitor's confirmation): an
address in any case or Unicode form, with or without a `+tag`, is one mailbox
(webapp/helpdesk/addresses.py), so spelling it differently gets no more. The
sender applies it, not the request that queues the message: the help POST then writes
without reading first, and a message over the cap is marked "withheld" instead of being
sent. It stays visible to staff, is never sent again and is never replied to.
"""

import os
import secrets
import smtplib
import socket
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from flask import has_request_context
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import OutboxMessage
from webapp.models import StaffUser
from webapp.models import utcnow

KINDS = tuple(Kind)
# Kinds an address gets only so many of a day, and the setting that says how many.
DAILY_LIMITS = {Kind.CONFIRMATION: "HELP_CONFIRMATIONS_PER_DAY"}
# What staff may queue again; withheld never (the cap said no), queued is waiting.
RESENDABLE = (State.SENT, State.FAILED)
# kind -> the function writing (subject, body) of such a message from its request.
_WRITERS: dict[Kind, Callable[[ContactRequest], tuple[str, str]]] = {}


def writer(kind: Kind):
    """Register the function that writes the text of `kind` messages queued without one."""

    def register(function: Callable[[ContactRequest], tuple[str, str]]):
        _WRITERS[kind] = function
        return function

    return register


def text_of(message: OutboxMessage) -> tuple[str, str]:
    """Subject and body as sent, or, before the sender wrote them, as they will be (for
    the request page and a person's export; not stored)."""
    if message.body is not None:
        return message.subject, message.body
    return _write(message)


def _write(message: OutboxMessage) -> tuple[str, str]:
    # Links and translations as in a request on the public address (the sender has none).
    context = (
        nullcontext()
        if has_request_context()
        else current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"])
    )
    with context:
        return _WRITERS[message.kind](message.help_request)


def _domain() -> str:
    """The domain for Message-IDs: the sender address's, so they look like ours."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, tuple):
        sender = sender[1]
    return sender.rpartition("@")[2].strip(" >") or "localhost"


def new_message_id() -> str:
    """A Message-ID unique across processes and hosts.

    Not email.utils.make_msgid: it looks up the host name on every call (a DNS query
    where the name is not local), and its uniqueness rests on the `random` module, whose
    state forked workers share and anyone may seed (hypothesis does, and two messages in
    the same hundredth of a second then got one ID). Here: the time in nanoseconds, then
    64 bits from the OS.

    The time comes first so that new IDs sort last: the unique index on message_id then
    grows at its end, where every help POST finds the page it wrote last, instead of
    changing a random page of it each time (SQLite writes each changed page to its WAL at
    the commit, PostgreSQL a whole page after each checkpoint). Random IDs measured about
    20 µs more per POST, under the database's write lock.
    """
    return _message_id(_domain())


def _message_id(domain: str) -> str:
    return f"<{time.time_ns():016x}.{secrets.token_hex(8)}@{domain}>"


def queue(
    kind: Kind,
    recipient: str,
    subject: str,
    body: str,
    *,
    request_id: int | None = None,
    author: StaffUser | None = None,
    reply_to: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
) -> OutboxMessage:
    """Add one e-mail to the outbox in the current session and return its row.

    Does not commit: the caller commits it together with the change that causes the
    mail, so either both are stored or neither. The Message-ID is assigned here, so
    every retry sends the same message. `references` are earlier Message-IDs of the
    same conversation, oldest first (they become the References header).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    now = utcnow()
    message = OutboxMessage(
        kind=kind,
        request_id=request_id,
        author_id=author.id if author else None,
        recipient=recipient,
        reply_to=reply_to,
        subject=subject,
        body=body,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        thread_references=" ".join(references) if references else None,
        state=State.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    return message


def queue_new(messages: list[dict]) -> None:
    """Add several new e-mails about a request at once, each a dict of kind, recipient,
    reply_to and request_id, in one INSERT of many rows; their text is written by the
    sender (see `writer()`), their Message-IDs are fixed here. Does not commit; it runs in
    the caller's transaction.
    """
    if not messages:
        return
    now = utcnow()
    domain = _domain()
    rows = []
    for message in messages:
        if message["kind"] not in _WRITERS:
            raise ValueError(f"no writer for outbox kind {message['kind']!r}")
        rows.append(
            {
                **message,
                "message_id": _message_id(domain),
                "state": State.QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                # As OutboxMessage sets them with the recipient (a bulk INSERT skips @validates).
                "recipient_key": addresses.normalise(message["recipient"]),
                "recipient_mailbox": addresses.mailbox(message["recipient"]),
            }
        )
    db.session.execute(insert(OutboxMessage.__table__), rows)


def earlier_in_a_day(message: OutboxMessage) -> int:
    """How many messages of its kind went (or are going) to its mailbox in the day
    before it: queued earlier (lower id), withheld ones not counted, addresses compared
    by mailbox (Jana@…, jana@… and jana+1@… are one; the mailbox index serves it).

    Only what came before counts, so the answer is the same on every try and for every
    sender. An earlier message still waiting counts, which at worst withholds one more,
    never lets one too many through.
    """
    table = OutboxMessage.__table__
    stmt = select(db.func.count()).where(
        table.c.kind == message.kind,
        table.c.recipient_mailbox == addresses.mailbox(message.recipient),
        table.c.created_at >= message.created_at - timedelta(days=1),
        table.c.id < message.id,
        table.c.state != State.WITHHELD,
    )
    return db.session.scalar(stmt) or 0


def over_daily_limit(message: OutboxMessage) -> bool:
    """Whether sending a message would exceed its kind's daily cap for its address."""
    setting = DAILY_LIMITS.get(message.kind)
    if setting is None:
        return False
    return earlier_in_a_day(message) >= int(current_app.config[setting])


def can_send_again(message: OutboxMessage) -> bool:
    """Whether staff may queue a message again: once it was sent or has failed."""
    return message.state in RESENDABLE


def send_again(message: OutboxMessage) -> None:
    """Put a sent or failed message back in the queue, with a fresh count of tries.

    Does not commit (the caller records who asked for it in the same transaction).
    """
    if not can_send_again(message):
        raise ValueError(f"a {message.state} message cannot be sent again")
    message.state = State.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    message.claimed_until = None
    message.last_error = None


def mark_bounced(message: OutboxMessage, diagnostic: str) -> None:
    """Record that a delivery report came back for a message (webapp/mail/inbox.py), with
    the receiving server's diagnostic (addresses already removed). Does not commit."""
    message.state = State.BOUNCED
    message.last_error = diagnostic[:300] or None


# --- The sender -------------------------------------------------------------------------


def worker_name() -> str:
    """Who claims a row: host and process, so two hosts never share a name."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: doubling from the first delay."""
    config = current_app.config
    first = float(config["OUTBOX_RETRY_FIRST_SECONDS"])
    return min(first * 2 ** max(attempts - 1, 0), float(config["OUTBOX_RETRY_MAX_SECONDS"]))


def gives_up_after(attempts: int) -> bool:
    """True once the waits so far add up to OUTBOX_GIVE_UP_SECONDS (about a day)."""
    waited = sum(retry_delay(n) for n in range(1, attempts + 1))
    return waited >= float(current_app.config["OUTBOX_GIVE_UP_SECONDS"])


def claim(worker: str, limit: int = 20, due_by: datetime | None = None) -> list[int]:
    """Claim up to `limit` messages due now (or by `due_by`) for `worker`; return their
    ids (committed)."""
    now = utcnow()
    lease_end = now + timedelta(seconds=float(current_app.config["OUTBOX_LEASE_SECONDS"]))
    due = (
        OutboxMessage.state == State.QUEUED,
        OutboxMessage.next_attempt_at <= (due_by or now),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )
    candidates = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        # Rows another sender is claiming right now are skipped, not waited for.
        ids = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(claimed_by=worker, claimed_until=lease_end)
            )
        db.session.commit()
        return ids
    # SQLite has no row locks: each claim is an UPDATE that only succeeds while the row
    # is still unclaimed; SQLite runs one writer at a time, so exactly one sender wins.
    ids = list(db.session.scalars(candidates))
    db.session.rollback()
    won = []
    for message_id in ids:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *due)
            .values(claimed_by=worker, claimed_until=lease_end)
        )
        db.session.commit()
        if result.rowcount == 1:
            won.append(message_id)
    return won


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail for one outbox row: the same headers on every try."""
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.recipient
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail["Subject"] = message.subject
    created = message.created_at
    if created.tzinfo is None:  # SQLite gives back naive times; they are UTC
        created = created.replace(tzinfo=UTC)
    mail["Date"] = format_datetime(created)
    mail["Message-ID"] = message.message_id
    if message.in_reply_to:
        mail["In-Reply-To"] = message.in_reply_to
    if message.thread_references:
        mail["References"] = message.thread_references
    if message.kind != Kind.ANSWER:
        # Tells mail servers not to send out-of-office replies to automatic mails.
        mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body)
    return mail


def smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    factory = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    # The timeout bounds every step, so a server that never answers cannot hold us.
    host = factory(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    try:
        if config["MAIL_USE_TLS"]:
            host.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        host.close()
        raise
    return host


# A mail server refusing the sender itself, not one message (`server_refusal`): last_error
# starts with this, followed by the server's reply.
SERVER_REFUSED = "Server refused: "
# Failures that say nothing about the message, only that the mail server could not be
# reached, went away or refused us (the error kinds `_describe` starts last_error with).
# Once a send succeeds again, messages that failed so wait no longer: see `_server_is_back`.
UNREACHABLE = (
    SERVER_REFUSED,
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "TimeoutError",
    "gaierror",
    "OSError",
    "SMTPServerDisconnected",
    "SMTPConnectError",
)


def _describe(exc: Exception, recipient: str) -> str:
    """Why a send failed, short, without the recipient's address."""
    text = type(exc).__name__
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        text = f"{text}: {exc.smtp_code} {detail}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = f"{text}: the server refused the recipient"
    elif str(exc):
        text = f"{text}: {exc}"
    return text.replace(recipient, "<recipient>")[:300]


def _store_text(message: OutboxMessage, worker: str) -> bool:
    """Write a message's text and store it before its first try (committed), while this
    sender holds the claim; every later try sends exactly this. False: claim lost."""
    subject, body = _write(message)
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.body.is_(None),
        )
        .values(subject=subject, body=body)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, worker: str, **values) -> None:
    """Record an outcome, only while this sender still holds the claim."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None, **values)
    )
    db.session.commit()


def server_refusal(exc: Exception, connecting: bool = False) -> bool:
    """True when the mail server turned away the sender, not this message: any refusal
    while `connecting` (greeting, EHLO, STARTTLS, AUTH), of EHLO or MAIL FROM (the same
    sender for every message), or a 421 ("closing the connection") at any step."""
    if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
        exc, smtplib.SMTPException
    ):
        return False  # gone away or never reached: UNREACHABLE already
    if connecting or isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPHeloError)):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _text in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421


def permanent(exc: Exception) -> bool:
    """True when the mail server refused this message for good: a 5xx to its recipient
    (RCPT) or to its content (DATA). Trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _reply(exc: Exception) -> str:
    """The server's reply in an error, e.g. "530 5.7.0 Authentication required"."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return f"{type(exc).__name__}: {exc}"
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}"


def _failed(message: OutboxMessage, worker: str, exc: Exception, connecting: bool = False) -> None:
    attempts = message.attempts + 1
    # A refusal of us is retried like an unreachable server; `permanent` is never one.
    if server_refusal(exc, connecting):
        error = (SERVER_REFUSED + _reply(exc)).replace(message.recipient, "<recipient>")[:300]
    else:
        error = _describe(exc, message.recipient)
    current_app.logger.warning(
        "Outbox: message %s failed (try %s): %s", message.id, attempts, error
    )
    if permanent(exc) or gives_up_after(attempts):
        _finish(message.id, worker, attempts=attempts, last_error=error, state=State.FAILED)
        current_app.logger.error("Outbox: message %s given up after %s tries", message.id, attempts)
        return
    retry_at = utcnow() + timedelta(seconds=retry_delay(attempts))
    _finish(message.id, worker, attempts=attempts, last_error=error, next_attempt_at=retry_at)


def _server_is_back() -> None:
    """A message has just gone out, so the mail server can be reached again: messages
    waiting for a retry because it could not be (refused, timed out, went away) are due
    now instead of after their grown delay, so an outage of hours does not leave mail
    waiting hours after it ends. A message the server itself turned away (a 4xx about
    that message, e.g. greylisting) keeps its delay."""
    now = utcnow()
    waiting = (
        OutboxMessage.state == State.QUEUED,
        OutboxMessage.attempts > 0,
        OutboxMessage.next_attempt_at > now,
        or_(*(OutboxMessage.last_error.startswith(kind, autoescape=True) for kind in UNREACHABLE)),
    )
    # Looked for first, so that the usual pass (nothing waiting) writes nothing.
    if db.session.scalar(select(OutboxMessage.id).where(*waiting).limit(1)) is None:
        db.session.rollback()
        return
    result = db.session.execute(update(OutboxMessage).where(*waiting).values(next_attempt_at=now))
    db.session.commit()
    if result.rowcount:
        current_app.logger.info(
            "Outbox: the mail server is back; %s waiting messages are due now", result.rowcount
        )


def paused() -> str | None:
    """While the mail server refuses us and messages wait for it: its latest reply
    (e.g. "530 5.7.0 Authentication required"), for staff to see; otherwise None."""
    error = db.session.scalar(
        select(OutboxMessage.last_error)
        .where(
            OutboxMessage.state == "queued",
            OutboxMessage.attempts > 0,
            OutboxMessage.last_error.startswith(SERVER_REFUSED, autoescape=True),
        )
        .order_by(OutboxMessage.next_attempt_at.desc())
        .limit(1)
    )
    return error.removeprefix(SERVER_REFUSED) if error else None


@dataclass
class PassResult:
    """What one pass did."""

    sent: int = 0
    failed: int = 0
    withheld: int = 0


def send_pass(
    worker: str | None = None,
    stop: threading.Event | None = None,
    due_by: datetime | None = None,
) -> PassResult:
    """Claim the due messages (due now, or by `due_by`) and try each once; one SMTP
    connection for the pass."""
    worker = worker or worker_name()
    result = PassResult()
    if not current_app.config.get("MAIL_SERVER"):
        return result
    ids = claim(worker, due_by=due_by)
    connection = None
    try:
        for message_id in ids:
            if stop is not None and stop.is_set():
                # Hand the rest back at once rather than when the lease ends.
                _finish(message_id, worker)
                continue
            message = db.session.get(OutboxMessage, message_id)
            if message is None:  # deleted meanwhile (e.g. `requests forget`)
                continue
            if over_daily_limit(message):
                _finish(message_id, worker, state=State.WITHHELD)
                current_app.logger.info("Outbox: message %s withheld (daily limit)", message_id)
                result.withheld += 1
                continue
            if message.body is None:
                try:
                    written = _store_text(message, worker)
                except Exception as exc:  # a writer's bug: a failed try, retried, shown to staff
                    db.session.rollback()
                    current_app.logger.exception("Outbox: message %s: no text", message_id)
                    _failed(db.session.get(OutboxMessage, message_id), worker, exc)
                    result.failed += 1
                    continue
                if not written:  # the lease ran out and another sender took it over
                    continue
                message = db.session.get(OutboxMessage, message_id)
            try:
                if connection is None:
                    connection = smtp_connection()
                connection.send_message(build_email(message))
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, worker, exc, connecting=connection is None)
                result.failed += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            _finish(
                message_id,
                worker,
                state=State.SENT,
                sent_at=utcnow(),
                attempts=message.attempts + 1,
            )
            result.sent += 1
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
    if result.sent:
        _server_is_back()
    return result


def send_due(worker: str | None = None) -> PassResult:
    """Passes until one finds nothing to do: every message due when it starts is tried
    once (a failed one gets a later retry time, so it is not tried again here). For
    `outbox send` from cron, which would otherwise leave all but one pass's worth for
    the next minute."""
    total = PassResult()
    started = utcnow()
    while True:
        result = send_pass(worker, due_by=started)
        db.session.remove()
        if not (result.sent or result.failed or result.withheld):
            return total
        total.sent += result.sent
        total.failed += result.failed
        total.withheld += result.withheld


def run(
    stop: threading.Event,
    parent: int | None = None,
    also: Callable[[], None] | None = None,
    chores: Callable[[], None] | None = None,
) -> None:
    """Send passes until `stop` is set (or the process `parent` has gone away); `also` is
    called after every pass (the mailbox reader, which keeps its own interval), then
    `chores` (the daily retention rules), whose failure is logged only."""
    poll = float(current_app.config["OUTBOX_POLL_SECONDS"])
    if not current_app.config.get("MAIL_SERVER"):
        current_app.logger.warning("Outbox: MAIL_SERVER is not set; messages stay queued")
    while not stop.is_set():
        if parent is not None and os.getppid() != parent:
            break
        try:
            result = send_pass(stop=stop)
        except Exception:  # the database was away: try again later, never die
            db.session.rollback()
            current_app.logger.exception("Outbox: a pass failed")
            result = PassResult()
        db.session.remove()
        if also is not None:
            also()
        if chores is not None:
            try:
                chores()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("Outbox: a chore failed")
            db.session.remove()
        if not result.sent and not result.failed and not result.withheld:
            stop.wait(poll)

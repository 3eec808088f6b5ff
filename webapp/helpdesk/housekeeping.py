"""Retention: how long the help desk keeps what, and the one place that deletes it.

`flask --app wsgi housekeeping` applies every rule once. The outbox sender applies them
by itself once a day (`outbox run` checks on every pass, `outbox send` from cron on
every call); the time of the last run is kept in the database (housekeeping_state), so
any number of senders and restarts run them once a day between them. The privacy notice
states the rules from `retention_rules(config)`: the very list applied here.

The rules (`what`, and the setting giving its days):
- "requests" (PURGE_AFTER_DAYS): requests no longer open (answered or closed) whose last
  change is older: received, the newest entry of their history (every staff change,
  note and answer leaves one) or their newest e-mail. Their notes and e-mails go with
  them; the history keeps "removed after the retention period" and the reference.
- "spam" (SPAM_PURGE_AFTER_DAYS): requests marked as spam, that long after their last
  change (being marked is one; a bot's request caught by the form is marked on arrival),
  whatever their status.
- "emails" (PURGE_AFTER_DAYS): e-mails belonging to no request (the site queues none
  today), that long after they were queued, unless still waiting to be sent.
- "history" (PURGE_AFTER_DAYS): history entries of requests that no longer exist (the
  reference, who acted, what changed; the deletion itself), that long after they were
  written; no reference stays for ever.

Not rules here, because they end by themselves or are not the database's: the rate-limit
counters and sign-in delays expire in the limiter's storage within a day
(statutory.longest_window_hours states it); session cookies end with the browser; the
server's access logs are rotated outside the app; staff accounts are not visitors' data
(they are deactivated, never deleted). Incoming e-mail, once stored, needs its own rule
in `retention_rules` and its table in ACTIVITY (a visitor's reply is a change).
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from webapp import database
from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.helpdesk.vocabulary import OPEN_STATUSES
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import HousekeepingState
from webapp.models import IncomingMessage
from webapp.models import OutboxMessage
from webapp.models import utcnow

# The rules run at most this often from the sender (`run_if_due`).
INTERVAL = timedelta(days=1)
STATE_ROW = 1
# Rows whose time counts as a change of the request they belong to: (link, time).
ACTIVITY = (
    (AuditEntry.request_id, AuditEntry.created_at),
    (OutboxMessage.request_id, OutboxMessage.created_at),
    (IncomingMessage.request_id, IncomingMessage.received_at),
)


@dataclass(frozen=True)
class Retention:
    """One retention rule: what goes, after how many days, and the function deleting it
    (called with the time of the run and the days; returns how many rows it deleted)."""

    what: str
    days: int
    delete: Callable[[datetime, int], int] = field(repr=False, compare=False)


def _purge(items: list[ContactRequest]) -> int:
    for item in items:
        casework.audit(None, item.reference or f"#{item.id}", None, "purged")
        db.session.delete(item)  # notes and e-mails go with it
    return len(items)


def _unchanged_since(cutoff: datetime) -> list:
    """Conditions: a request received before `cutoff` and changed in no way since."""
    return [ContactRequest.created_at < cutoff] + [
        ~exists().where(link == ContactRequest.id, at >= cutoff) for link, at in ACTIVITY
    ]


def purge_requests(now: datetime, days: int) -> int:
    """Delete requests no longer open whose last change is more than `days` days old."""
    stmt = select(ContactRequest).where(
        ContactRequest.status.not_in(OPEN_STATUSES),
        *_unchanged_since(now - timedelta(days=days)),
    )
    return _purge(list(db.session.scalars(stmt)))


def purge_spam(now: datetime, days: int) -> int:
    """Delete requests marked as spam whose last change (being marked is one) is more
    than `days` days old, whatever their status."""
    stmt = select(ContactRequest).where(
        ContactRequest.is_spam.is_(True), *_unchanged_since(now - timedelta(days=days))
    )
    return _purge(list(db.session.scalars(stmt)))


def purge_loose_emails(now: datetime, days: int) -> int:
    """Delete e-mails of no request queued more than `days` days ago, unless still waiting."""
    result = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.request_id.is_(None),
            OutboxMessage.state != "queued",
            OutboxMessage.created_at < now - timedelta(days=days),
        )
    )
    return result.rowcount


def purge_history(now: datetime, days: int) -> int:
    """Delete history entries of deleted requests written more than `days` days ago."""
    result = db.session.execute(
        delete(AuditEntry).where(
            AuditEntry.request_id.is_(None), AuditEntry.created_at < now - timedelta(days=days)
        )
    )
    return result.rowcount


def retention_rules(config) -> list[Retention]:
    """Every retention rule with its days from the configuration, in the order they run."""
    keep = int(config["PURGE_AFTER_DAYS"])
    return [
        Retention("requests", keep, purge_requests),
        Retention("spam", int(config["SPAM_PURGE_AFTER_DAYS"]), purge_spam),
        Retention("emails", keep, purge_loose_emails),
        Retention("history", keep, purge_history),
    ]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite gives back naive times (UTC)
        return value.replace(tzinfo=UTC)
    return value


def last_run() -> datetime | None:
    """When the rules last ran (None: never)."""
    return _aware(db.session.scalar(select(HousekeepingState.last_run_at)))


def _record(now: datetime, due_only: bool) -> bool:
    """Write `now` as the last run, in the caller's transaction; with `due_only`, only
    when the last run is a day old or more. True when written: this caller runs."""
    condition = [HousekeepingState.id == STATE_ROW]
    if due_only:
        condition.append(
            or_(
                HousekeepingState.last_run_at.is_(None),
                HousekeepingState.last_run_at <= now - INTERVAL,
            )
        )
    written = db.session.execute(
        update(HousekeepingState).where(*condition).values(last_run_at=now)
    ).rowcount
    if written:
        return True
    if db.session.get(HousekeepingState, STATE_ROW) is not None:
        return False  # another sender ran them within the day
    try:
        with db.session.begin_nested():
            db.session.add(HousekeepingState(id=STATE_ROW, last_run_at=now))
    except IntegrityError:  # another sender wrote the first row meanwhile
        return False
    return True


@dataclass(frozen=True)
class Done:
    """One rule and how many rows it deleted in a run."""

    rule: Retention
    removed: int


def _apply(config, now: datetime, only: tuple[str, ...] | None) -> list[Done]:
    done = [
        Done(rule, rule.delete(now, rule.days))
        for rule in retention_rules(config)
        if only is None or rule.what in only
    ]
    db.session.commit()
    # Deleted text must not linger in SQLite's -wal file (secure_delete zeroes the rest).
    database.truncate_wal()
    current_app.logger.info(
        "Housekeeping: removed %s", ", ".join(f"{d.removed} {d.rule.what}" for d in done)
    )
    return done


def run(config, now: datetime | None = None, only: tuple[str, ...] | None = None) -> list[Done]:
    """Apply every retention rule now (or those named in `only`), in one transaction.

    A run of every rule counts as the day's run for `run_if_due`.
    """
    now = now or utcnow()
    if only is None:
        _record(now, due_only=False)
    return _apply(config, now, only)


def run_if_due(config, now: datetime | None = None) -> list[Done] | None:
    """Apply every rule if they last ran a day ago or more (or never); else None.

    The usual call finds them not due and only reads one row. When due, recording the
    run and the deletions are one transaction: of several senders exactly one runs them,
    and a run that fails is undone and tried again on the next call.
    """
    now = now or utcnow()
    last = last_run()
    db.session.rollback()  # end the read: on SQLite a write must not follow it in one transaction
    if last is not None and last > now - INTERVAL:
        return None
    if not _record(now, due_only=True):
        db.session.rollback()
        return None
    return _apply(config, now, None)

"""The demo: made-up help requests and a demo staff account in a development database.

`flask --app wsgi demo load` (`make demo`) fills the staff area with the requests of
`content/demo.toml`: every topic, every status, all six languages, with notes and
answers, received over the last weeks. Each one goes through the code the site itself
uses (`notify`, `casework`, `correspondence`), so the list, a request's conversation and
its history look exactly as they would after real work; afterwards every row is moved
back to the time the data file gives it.

The requests are invented, so the demo must never land among real ones: it refuses to
run unless DEMO_ALLOWED is set, and on any database but SQLite (production runs on
PostgreSQL). Its e-mails are marked sent at once, so the outbox sender never mails the
made-up addresses.
"""

import secrets
import tomllib
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import make_url

from webapp.config import env_flag
from webapp.config import time_zone
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.helpdesk import assignment
from webapp.helpdesk import casework
from webapp.helpdesk import correspondence
from webapp.helpdesk import notifications
from webapp.helpdesk import submission
from webapp.helpdesk import vocabulary
from webapp.mail import outbox
from webapp.mail.kinds import State
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import Initiative
from webapp.models import Note
from webapp.models import OutboxMessage
from webapp.models import StaffUser
from webapp.models import utcnow

DEMO_FILE = Path(__file__).resolve().parent / "content" / "demo.toml"
DEMO_EMAIL = "demo@example.org"
# A second member of staff, so notes and answers come from more than one person. Its
# password is random and never shown: only the demo account is meant for signing in.
COLLEAGUE_EMAIL = "jonas.richter@example.org"
WRAP_WIDTH = 60  # see unwrap()


class DemoRefused(Exception):
    """The demo will not run here; the message says why."""


@dataclass(frozen=True)
class Loaded:
    """What `load` did: the demo account's e-mail and new password, and requests added."""

    email: str
    password: str
    requests: int


def refusal(database_uri: str) -> str | None:
    """Why the demo must not run on this database now, or None when it may."""
    try:
        allowed = env_flag("DEMO_ALLOWED")
    except ValueError as exc:
        return f"{exc}. The demo runs only when DEMO_ALLOWED=1 is set (make demo sets it)."
    if not allowed:
        return (
            "The demo writes made-up help requests into the database and runs only when "
            "DEMO_ALLOWED=1 is set (make demo sets it)."
        )
    backend = make_url(database_uri).get_backend_name()
    if backend != "sqlite":
        name = "PostgreSQL" if backend == "postgresql" else backend
        return (
            f"The demo runs on a SQLite development database only; this one is {name}. "
            "Made-up requests must never mix with real ones."
        )
    return None


def load(path: Path = DEMO_FILE, now: datetime | None = None) -> Loaded:
    """Fill the database with the demo requests and create the demo staff account.

    Run again, it adds nothing and gives the demo account a new password. Raises
    DemoRefused (having written nothing) when `refusal` objects or the initiatives have
    not been loaded yet.
    """
    reason = refusal(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if reason:
        raise DemoRefused(reason)
    password = secrets.token_urlsafe(12)
    if accounts.find(DEMO_EMAIL) is not None:
        accounts.set_password(DEMO_EMAIL, password)
        return Loaded(DEMO_EMAIL, password, 0)
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["request"]
    _check_topics(entries)
    now = now or utcnow()
    staff = {
        "demo": accounts.create(DEMO_EMAIL, password),
        "colleague": accounts.create(COLLEAGUE_EMAIL, secrets.token_urlsafe(24)),
    }
    # The links in the queued e-mails need a request context on the public address.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        for entry in sorted(entries, key=lambda e: _received(e, now)):
            _add_request(entry, staff, now)
    return Loaded(DEMO_EMAIL, password, len(entries))


def unwrap(text: str) -> str:
    """A text of the data file as someone would have typed it into a form.

    The file is wrapped for reading: a line of WRAP_WIDTH characters or more continues on
    the next one. Shorter lines (a greeting, a signature) end where they end.
    """
    lines = text.strip().splitlines()
    out = lines[:1]
    for line in lines[1:]:
        if len(out[-1]) >= WRAP_WIDTH and line.strip():
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _check_topics(entries: list[dict]) -> None:
    slugs = set(db.session.scalars(select(Initiative.slug)))
    unknown = {e["topic"] for e in entries} - slugs - set(vocabulary.FIXED_TOPICS)
    if unknown:
        raise DemoRefused(
            f"Unknown topics {sorted(unknown)}: load the initiatives first "
            "(flask --app wsgi content load)."
        )


def _received(entry: dict, now: datetime) -> datetime:
    """When a request arrived: `days_ago` days back at `time` local time, never later
    than a few minutes ago."""
    zone = time_zone(current_app.config)
    hour, minute = (int(part) for part in entry["time"].split(":"))
    day = now.astimezone(zone) - timedelta(days=entry["days_ago"])
    local = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return min(local.astimezone(UTC), now - timedelta(minutes=5))


def _add_request(entry: dict, staff: dict[str, StaffUser], now: datetime) -> None:
    """Store one request as the help form does, then play its steps in order."""
    received = _received(entry, now)
    initiative = db.session.scalar(select(Initiative).where(Initiative.slug == entry["topic"]))
    item = ContactRequest(
        created_at=received,
        language=entry["language"],
        topic=entry["topic"],
        initiative_id=initiative.id if initiative else None,
        name=entry["name"],
        email=entry["email"],
        organisation=entry.get("organisation"),
        phone=entry.get("phone"),
        message=unwrap(entry["message"]),
        status=vocabulary.Status.NEW,
        consent_at=received,
        is_spam=False,
    )
    with _dated(received):
        drafts = notifications.prepare(item)  # the notice to staff and the confirmation
        db.session.add(item)
        db.session.flush()
        item.reference = submission.reference_for(item)
        notifications.queue(drafts, item)
        db.session.commit()
    for step in entry.get("step", []):
        when = min(received + timedelta(hours=step["hours"]), now - timedelta(minutes=1))
        author = staff[step.get("by", "demo")]
        kind = next(name for name in STEPS if name in step)
        with _dated(when):
            STEPS[kind](item, step, author)


def _note(item: ContactRequest, step: dict, author: StaffUser) -> None:
    casework.add_note(item, unwrap(step["note"]), author)


def _status(item: ContactRequest, step: dict, author: StaffUser) -> None:
    casework.change_status(item, step["status"], author)


def _answer(item: ContactRequest, step: dict, author: StaffUser) -> None:
    subject = correspondence.answer_subject(item)
    body = unwrap(step["answer"])
    correspondence.send_answer(
        item, subject, body, author, step.get("then", vocabulary.Status.ANSWERED)
    )


def _assign(item: ContactRequest, step: dict, author: StaffUser) -> None:
    email = COLLEAGUE_EMAIL if step["assign"] == "colleague" else DEMO_EMAIL
    assignment.assign(item, accounts.find(email), author)


# What a step in the data file can do, by the key that holds its value.
STEPS: dict[str, Callable[[ContactRequest, dict, StaffUser], None]] = {
    "note": _note,
    "status": _status,
    "answer": _answer,
    "assign": _assign,
}


@contextmanager
def _dated(when: datetime) -> Iterator[None]:
    """Move every note, history entry and e-mail written inside the block to `when`;
    its e-mails count as sent a minute later (with their text written), so none of them
    ever goes out."""
    tables = (AuditEntry, Note, OutboxMessage)
    before = {model: db.session.scalar(select(func.max(model.id))) or 0 for model in tables}
    yield
    for model in (AuditEntry, Note):
        db.session.execute(update(model).where(model.id > before[model]).values(created_at=when))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > before[OutboxMessage])
        .values(
            created_at=when,
            next_attempt_at=when,
            state=State.SENT,
            attempts=1,
            sent_at=when + timedelta(minutes=1),
        )
    )
    # The help POST's e-mails get their text from the sender; here, as if it had run.
    unwritten = select(OutboxMessage).where(
        OutboxMessage.id > before[OutboxMessage], OutboxMessage.body.is_(None)
    )
    for message in db.session.scalars(unwritten):
        message.subject, message.body = outbox.text_of(message)
    db.session.commit()
    db.session.expire_all()

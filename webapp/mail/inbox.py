"""Incoming e-mail: the help desk mailbox, read over IMAP and filed into the requests.

`fetch_once()` (`flask --app wsgi mailbox fetch`, and every IMAP_POLL_SECONDS from the
outbox sender when IMAP_HOST is set) reads every message in IMAP_FOLDER and files it:

1. a reply whose In-Reply-To/References name a Message-ID the site sent (or an e-mail
   already filed) goes to that request;
2. else a reference number (H-2026-000123) in the subject names the request;
3. else it starts a new request "by e-mail" (topic "other"), with the staff notice and,
   unless the e-mail is automatic, the visitor's confirmation, as the help form does; at
   most EMAIL_REQUESTS_PER_DAY a day per sender, after that it joins the sender's latest.

A delivery status notification (RFC 3464) is matched to the outbox message it reports on,
which is marked "bounced". Automatic mail (RFC 3834) is filed but never confirmed and
never reopens a request.

Each message is filed exactly once: the unique Message-ID in `incoming_message` decides
between two fetchers, and a message is moved to IMAP_PROCESSED_FOLDER only after it was
stored, so a crash in between means it is read again and found filed. One that cannot be
parsed goes to IMAP_FAILED_FOLDER. Logs name UIDs, counts and references, never what an
e-mail says or who sent it.
"""

import ipaddress
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.helpdesk import assignment
from webapp.helpdesk import casework
from webapp.helpdesk import notifications
from webapp.helpdesk import submission
from webapp.helpdesk.vocabulary import Status
from webapp.mail import incoming
from webapp.mail import outbox
from webapp.mail import texts
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import IncomingAttachment
from webapp.models import IncomingMessage
from webapp.models import MailboxState
from webapp.models import OutboxMessage
from webapp.models import utcnow

SECURITIES = ("ssl", "starttls", "none")
REOPENED_FROM = (Status.ANSWERED, Status.CLOSED)
# The kinds of outbox message that go to the visitor: what a bounce can report on.
VISITOR_KINDS = ("confirmation", "answer")
# What filing one message did.
FILED = "filed"
NEW_REQUEST = "new_request"
BOUNCE = "bounce"
DUPLICATE = "duplicate"
OWN = "own"
UNMATCHED = "unmatched"


class MailboxError(Exception):
    """The mailbox settings are wrong (nothing was tried)."""


def configured() -> bool:
    """Whether a mailbox is set up to be read."""
    return bool(current_app.config.get("IMAP_HOST"))


def address_key(address: str) -> str:
    """How two addresses compare: the help desk's one rule (addresses.normalise)."""
    return addresses.normalise(address)


# --- Filing one message ----------------------------------------------------------------


def file_message(raw: bytes) -> str:
    """File one RFC 5322 message; return what happened (FILED, NEW_REQUEST, BOUNCE,
    DUPLICATE, OWN, UNMATCHED). Raises incoming.Unreadable for a message that cannot be
    read, SQLAlchemyError when the database fails (after rolling back)."""
    parsed = incoming.parse(raw, int(current_app.config["ATTACHMENT_MAX_BYTES"]))
    for attempt in range(4):
        try:
            outcome = _file(parsed)
            db.session.commit()
            return outcome
        except IntegrityError:
            db.session.rollback()
            if _filed(parsed.message_id):
                return DUPLICATE  # another fetcher filed it a moment ago
            raise
        except OperationalError:
            # SQLite: another fetcher wrote since this transaction read; read again.
            db.session.rollback()
            if attempt == 3:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def _filed(message_id: str) -> bool:
    return (
        db.session.scalar(
            select(IncomingMessage.id).where(IncomingMessage.message_id == message_id)
        )
        is not None
    )


def _file(parsed: incoming.Parsed) -> str:
    if _filed(parsed.message_id):
        return DUPLICATE
    if db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.message_id == parsed.message_id)
    ):
        return OWN  # our own notice to the help desk address, back in its mailbox
    if parsed.report is not None:
        return _file_report(parsed)
    item = _request_for(parsed)
    if item is not None:
        return _file_reply(item, parsed)
    config = current_app.config
    own = {address_key(config["HELPDESK_EMAIL"]), address_key(_sender_address())}
    if address_key(parsed.from_address) in own:
        return OWN  # never a request from ourselves: that is how loops start
    earlier = _requests_started_today(parsed.from_address)
    if len(earlier) >= int(config["EMAIL_REQUESTS_PER_DAY"]):
        if not earlier:
            return UNMATCHED
        return _file_reply(earlier[-1], parsed)
    return _new_request(parsed)


def _sender_address() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender[1] if isinstance(sender, tuple) else sender


def _request_for(parsed: incoming.Parsed) -> ContactRequest | None:
    """The request an e-mail answers: by its thread, else by a reference in the subject."""
    if parsed.thread_ids:
        request_id = db.session.scalar(
            select(OutboxMessage.request_id)
            .where(
                OutboxMessage.message_id.in_(parsed.thread_ids),
                OutboxMessage.request_id.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        ) or db.session.scalar(
            select(IncomingMessage.request_id)
            .where(IncomingMessage.message_id.in_(parsed.thread_ids))
            .order_by(IncomingMessage.id.desc())
            .limit(1)
        )
        if request_id is not None:
            return db.session.get(ContactRequest, request_id)
    if parsed.reference:
        return db.session.scalar(
            select(ContactRequest).where(ContactRequest.reference == parsed.reference)
        )
    return None


def _store(item: ContactRequest, parsed: incoming.Parsed, **flags) -> IncomingMessage:
    now = utcnow()
    message = IncomingMessage(
        request_id=item.id,
        message_id=parsed.message_id,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        subject=parsed.subject,
        sent_at=parsed.sent_at or now,
        received_at=now,
        body=parsed.body,
        quoted=parsed.quoted,
        automatic=parsed.automatic,
        from_other_address=address_key(parsed.from_address) != address_key(item.email),
        delivery_report=parsed.report is not None,
        started_request=False,
        attachments=[
            IncomingAttachment(
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                kept=a.data is not None,
                data=a.data,
            )
            for a in parsed.attachments
        ],
    )
    for key, value in flags.items():
        setattr(message, key, value)
    db.session.add(message)
    db.session.flush()  # the unique Message-ID is checked here, before anything else
    return message


def _file_reply(item: ContactRequest, parsed: incoming.Parsed) -> str:
    _store(item, parsed)
    action = (
        casework.Action.AUTOMATIC_RECEIVED if parsed.automatic else casework.Action.EMAIL_RECEIVED
    )
    casework.audit(item, item.reference, None, action)
    if parsed.automatic:
        return FILED  # an out-of-office note is no reason to reopen or notify
    item.reply_waiting_since = utcnow()
    if item.status in REOPENED_FROM:
        casework.audit(
            item,
            item.reference,
            None,
            casework.Action.REOPENED,
            f"{item.status} -> {Status.IN_PROGRESS}",
        )
        item.status = Status.IN_PROGRESS
    assignee = item.assignee
    if assignee is not None and assignee.active:
        outbox.queue_new(
            [
                {
                    "kind": Kind.REPLY_NOTICE,
                    "recipient": assignee.email,
                    "reply_to": None,
                    "request_id": item.id,
                }
            ]
        )
    return FILED


def _requests_started_today(address: str) -> list[ContactRequest]:
    """The requests this address started by e-mail in the last 24 hours, oldest first."""
    since = utcnow() - timedelta(days=1)
    return list(
        db.session.scalars(
            select(ContactRequest)
            .join(IncomingMessage, IncomingMessage.request_id == ContactRequest.id)
            .where(
                IncomingMessage.started_request.is_(True),
                IncomingMessage.from_key == address_key(address),
                IncomingMessage.received_at >= since,
            )
            .order_by(ContactRequest.id)
        )
    )


def _new_request(parsed: incoming.Parsed) -> str:
    """A new request "by e-mail", stored and announced as the help form does."""
    config = current_app.config
    language = parsed.language if parsed.language in config["LANGUAGES"] else None
    now = utcnow()
    text = "\n\n".join(part for part in (parsed.subject, parsed.body) if part)
    item = ContactRequest(
        created_at=now,
        language=language or config["BABEL_DEFAULT_LOCALE"],
        topic="other",
        name=(parsed.from_name or parsed.from_address.partition("@")[0])[:200],
        email=parsed.from_address,
        message=text or "–",
        status=Status.NEW,
        # Writing to the help desk is the visitor's own act; there is no form to consent in.
        consent_at=now,
        is_spam=False,
    )
    drafts = notifications.prepare(item)
    if parsed.automatic:
        # RFC 3834: no automatic answer to an automatic e-mail.
        drafts = [(draft, to) for draft, to in drafts if draft.kind != "confirmation"]
    db.session.add(item)
    db.session.flush()
    item.reference = submission.reference_for(item)
    _store(item, parsed, started_request=True)
    casework.audit(item, item.reference, None, casework.Action.REQUEST_BY_EMAIL)
    notifications.queue(drafts, item)
    return NEW_REQUEST


def _file_report(parsed: incoming.Parsed) -> str:
    """A delivery status notification: mark the message it returns as bounced."""
    report = parsed.report
    target = None
    if report.original_message_id:
        target = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == report.original_message_id)
        )
    if target is None and report.recipients:
        stmt = select(OutboxMessage).where(
            OutboxMessage.kind.in_(VISITOR_KINDS),
            OutboxMessage.recipient_key.in_([address_key(r) for r in report.recipients]),
        )
        if parsed.reference:
            stmt = stmt.join(ContactRequest).where(ContactRequest.reference == parsed.reference)
        target = db.session.scalar(stmt.order_by(OutboxMessage.id.desc()).limit(1))
    if target is None or target.help_request is None:
        return UNMATCHED
    item = target.help_request
    _store(item, parsed, from_other_address=False)
    if report.failed and target.state != State.BOUNCED:
        outbox.mark_bounced(target, report.diagnostic)
        casework.audit(item, item.reference, None, casework.Action.BOUNCED, target.kind)
    return BOUNCE


@outbox.writer(Kind.REPLY_NOTICE)
def reply_notice(item: ContactRequest) -> tuple[str, str]:
    """The notice to the assignee that the visitor wrote again: nothing the visitor wrote
    (templates/email/reply_notice.*.txt)."""
    lang = (
        assignment.staff_language(item.assignee)
        if item.assignee
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    with force_locale(lang):
        return texts.render(
            Kind.REPLY_NOTICE,
            reference=item.reference,
            link=notifications.public_url("admin.detail", request_id=item.id),
        )


def delete_for_request(item: ContactRequest) -> int:
    """Delete the e-mails filed into a request, with their attachments (for retention);
    return how many. Does not commit."""
    result = db.session.execute(
        delete(IncomingMessage).where(IncomingMessage.request_id == item.id)
    )
    db.session.expire(item, ["incoming"])
    return result.rowcount or 0


def attachment_of(request_id: int, attachment_id: int) -> IncomingAttachment | None:
    """A kept attachment of one request, for the download (None: not there or not kept)."""
    attachment = db.session.get(IncomingAttachment, attachment_id)
    if attachment is None or not attachment.kept:
        return None
    if attachment.incoming_message.request_id != request_id:
        return None
    return attachment


# --- Reading the mailbox ---------------------------------------------------------------


@dataclass
class FetchResult:
    """What one reading of the mailbox did."""

    filed: int = 0
    new_requests: int = 0
    bounces: int = 0
    duplicates: int = 0
    unreadable: int = 0
    skipped: int = 0
    error: str | None = None


def password() -> str | None:
    """IMAP_PASSWORD, or the first line of IMAP_PASSWORD_FILE."""
    config = current_app.config
    if config.get("IMAP_PASSWORD"):
        return config["IMAP_PASSWORD"]
    path = config.get("IMAP_PASSWORD_FILE")
    if path:
        return Path(path).read_text().splitlines()[0].strip()
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect() -> IMAPClient:
    """A logged-in connection to the mailbox, encrypted unless the host is this machine."""
    config = current_app.config
    host = config["IMAP_HOST"]
    security = str(config.get("IMAP_SECURITY") or "ssl").lower()
    if security not in SECURITIES:
        raise MailboxError("IMAP_SECURITY must be ssl, starttls or none")
    if security == "none" and not _loopback(host):
        raise MailboxError("IMAP_SECURITY=none is allowed only for a loopback host")
    port = config.get("IMAP_PORT") or (993 if security == "ssl" else 143)
    client = IMAPClient(
        host, port=int(port), ssl=security == "ssl", timeout=float(config["IMAP_TIMEOUT"])
    )
    try:
        if security == "starttls":
            client.starttls()
        client.login(config["IMAP_USER"], password() or "")
    except BaseException:
        client.shutdown()
        raise
    return client


def _ensure_folder(client: IMAPClient, name: str) -> None:
    if client.folder_exists(name):
        return
    try:
        client.create_folder(name)
    except IMAPClientError:
        if not client.folder_exists(name):  # not another fetcher's creation a moment ago
            raise


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    """Move one message; a message another fetcher moved first is simply gone (the
    server says so, e.g. Dovecot's EXPUNGEISSUED), and that is no error here."""
    try:
        if client.has_capability("MOVE"):
            client.move([uid], folder)
            return
        client.copy([uid], folder)
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:
            client.expunge()
    except IMAPClientError as exc:
        if _still_there(client, uid):
            raise
        current_app.logger.info(
            "Inbox: message UID %s was moved meanwhile (%s)", uid, type(exc).__name__
        )


def _still_there(client: IMAPClient, uid: int) -> bool:
    return bool(client.search(["UID", str(uid)]))


def _read(client: IMAPClient, uid: int) -> bytes | None:
    """One message's bytes, unchanged and without marking it read; None when another
    fetcher moved it meanwhile."""
    try:
        return client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
    except IMAPClientError:
        if _still_there(client, uid):
            raise
        return None


def _describe(exc: BaseException) -> str:
    """Why the mailbox could not be read: the error's kind and the server's words."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:300]


def fetch_once(limit: int = 500) -> FetchResult:
    """Read the mailbox once and file what is in it; the outcome is kept for the overview.

    Never raises for an unreachable or refusing server: the result's `error` says why,
    and the next call tries again.
    """
    config = current_app.config
    result = FetchResult()
    try:
        client = connect()
    except (IMAPClientError, OSError, MailboxError) as exc:
        result.error = _describe(exc)
        _record(result)
        return result
    try:
        processed, failed = config["IMAP_PROCESSED_FOLDER"], config["IMAP_FAILED_FOLDER"]
        _ensure_folder(client, processed)
        _ensure_folder(client, failed)
        client.select_folder(config["IMAP_FOLDER"])
        for uid in client.search(["NOT", "DELETED"])[:limit]:
            raw = _read(client, uid)
            if raw is None:
                continue  # another fetcher moved it meanwhile
            try:
                outcome = file_message(raw)
            except OperationalError:
                raise  # the database is away: stop, and read the rest next time
            except Exception as exc:  # unreadable, or not storable: never stops the fetch
                db.session.rollback()
                reason = str(exc) if isinstance(exc, incoming.Unreadable) else type(exc).__name__
                current_app.logger.warning(
                    "Inbox: message UID %s could not be read (%s); moved to the failed folder",
                    uid,
                    reason,
                )
                _move(client, uid, failed)
                result.unreadable += 1
                continue
            _move(client, uid, processed)
            _count(result, outcome)
    except (IMAPClientError, OSError) as exc:
        result.error = _describe(exc)
    except SQLAlchemyError as exc:
        db.session.rollback()
        result.error = submission.describe_failure(exc)
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            client.shutdown()
    _record(result)
    return result


def _count(result: FetchResult, outcome: str) -> None:
    if outcome == FILED:
        result.filed += 1
    elif outcome == NEW_REQUEST:
        result.new_requests += 1
    elif outcome == BOUNCE:
        result.bounces += 1
    elif outcome == DUPLICATE:
        result.duplicates += 1
    else:
        result.skipped += 1


def _record(result: FetchResult) -> None:
    """Keep how this reading went (committed), for the staff overview; and log it."""
    logger = current_app.logger
    if result.error:
        logger.warning("Inbox: the mailbox could not be read: %s", result.error)
    elif result.filed or result.new_requests or result.bounces or result.unreadable:
        logger.info(
            "Inbox: %s filed, %s new requests, %s delivery reports, %s unreadable",
            result.filed,
            result.new_requests,
            result.bounces,
            result.unreadable,
        )
    try:
        state = db.session.get(MailboxState, 1)
        if state is None:
            state = MailboxState(id=1, failures=0)
            db.session.add(state)
        now = utcnow()
        state.last_attempt_at = now
        if result.error:
            state.last_error = result.error
            state.failures = (state.failures or 0) + 1
        else:
            state.last_error = None
            state.failures = 0
            state.last_success_at = now
        db.session.commit()
    except SQLAlchemyError:  # two fetchers writing the first row at once: one is enough
        db.session.rollback()


def state() -> MailboxState | None:
    """How the last reading went (None: never read), for the staff overview."""
    return db.session.get(MailboxState, 1)


class Poller:
    """Reads the mailbox every IMAP_POLL_SECONDS; the outbox sender calls it in its loop."""

    def __init__(self) -> None:
        self.next_at = 0.0

    def __call__(self) -> None:
        if not configured() or time.monotonic() < self.next_at:
            return
        try:
            fetch_once()
        except Exception as exc:  # the database away, a bug: try again next time
            db.session.rollback()
            # The kind only: a traceback's messages could quote an e-mail.
            current_app.logger.error("Inbox: reading the mailbox failed: %s", type(exc).__name__)
        finally:
            db.session.remove()
            self.next_at = time.monotonic() + float(current_app.config["IMAP_POLL_SECONDS"])

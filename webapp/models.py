"""Database models: the initiatives shown on the site and the help desk's records."""

from datetime import UTC
from datetime import datetime
from urllib.parse import urlsplit

from flask_login import UserMixin
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import validates

from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.helpdesk.vocabulary import Status
from webapp.mail.kinds import State


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Initiative(db.Model):
    """One WIR! alliance; its texts live in InitiativeText, one row per language."""

    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    website: Mapped[str] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    texts: Mapped[list["InitiativeText"]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", lazy="selectin"
    )

    def text(self, lang: str) -> "InitiativeText":
        """The texts in one language (falls back to the first one stored)."""
        for text in self.texts:
            if text.lang == lang:
                return text
        return self.texts[0]

    @property
    def website_label(self) -> str:
        """The website's address as people read it (www.recomine.de): the link text names
        where a link goes, which for an alliance without its own site is its host's site."""
        return urlsplit(self.website).netloc or self.website


class ContentState(db.Model):
    """One row: the version of the loaded content, raised by every `content load`.

    Every worker on every host keeps the initiatives in memory and reloads them when it
    sees a new version (webapp/initiatives.py).
    """

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class InitiativeText(db.Model):
    """An initiative's name, teaser, summary and facts in one language."""

    __tablename__ = "initiative_text"
    __table_args__ = (UniqueConstraint("initiative_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    lead: Mapped[str] = mapped_column(String(400))
    teaser: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[list] = mapped_column(JSON, default=list)
    initiative: Mapped[Initiative] = relationship(back_populates="texts")

    @property
    def paragraphs(self) -> list[str]:
        """The summary split into paragraphs at blank lines."""
        return [part.strip() for part in self.summary.split("\n\n") if part.strip()]


class ContactRequest(db.Model):
    """A visitor's help request. Holds only what the visitor sent plus our bookkeeping."""

    __tablename__ = "contact_request"
    # Ids are never handed out twice (SQLite: AUTOINCREMENT; PostgreSQL's sequences never
    # go back): the reference number is made of the id, and an old link or number must
    # never open a later visitor's request.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(80), index=True)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    # As the visitor typed it: shown to staff, and where answers go.
    email: Mapped[str] = mapped_column(String(320))
    # addresses.normalise(email), set with it: every look-up by address compares this
    # (status lookup, export, forget), never lower(email), which SQLite folds ASCII only.
    email_key: Mapped[str] = mapped_column(String(320), index=True, info={"address_key": True})
    organisation: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW, index=True)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    is_spam: Mapped[bool] = mapped_column(Boolean, default=False)
    # The member of staff looking after the request, if any (see assignment.py).
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    initiative: Mapped[Initiative | None] = relationship()
    assignee: Mapped["StaffUser | None"] = relationship()
    notes: Mapped[list["Note"]] = relationship(
        back_populates="help_request", cascade="all, delete-orphan", order_by="Note.created_at"
    )
    # Every e-mail about this request (staff notice, confirmation, answers), oldest first.
    messages: Mapped[list["OutboxMessage"]] = relationship(
        back_populates="help_request",
        cascade="all, delete-orphan",
        order_by="OutboxMessage.id",
        passive_deletes=True,
    )
    # E-mails read from the help desk mailbox into this request (webapp/mail/inbox.py),
    # oldest first; they go with the request (deletion, forget, purge).
    incoming: Mapped[list["IncomingMessage"]] = relationship(
        back_populates="help_request",
        cascade="all, delete-orphan",
        order_by="IncomingMessage.id",
        passive_deletes=True,
    )
    # Set when the visitor's e-mail arrives, cleared when staff answer or change the status:
    # "reply waiting" in the list and the overview.
    reply_waiting_since: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )

    @validates("email")
    def _set_email_key(self, _key: str, value: str) -> str:
        self.email_key = addresses.normalise(value)
        return value


class StaffUser(UserMixin, db.Model):
    """A member of staff who may sign in to the admin view."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised to end every session of the account at once (see accounts.py).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie names
        return f"{self.id}.{self.session_version or 0}"


class SignInCounter(db.Model):
    """Sign-in attempts counted before the password is checked (signin_throttle.py).

    One row per account and client address, or per client address and window of
    LOGIN_RATE_LIMIT. The key is a keyed hash of those, never the address itself; a row is
    deleted once its window and its wait have passed. Times are seconds since the epoch.
    """

    __tablename__ = "signin_counter"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_ends: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class Note(db.Model):
    """An internal, append-only note by staff on a request."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("contact_request.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    help_request: Mapped[ContactRequest] = relationship(back_populates="notes")
    author: Mapped[StaffUser | None] = relationship()


class AuditEntry(db.Model):
    """Who did what to which request, and when. Holds no personal data of the visitor."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_request.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(20), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(400), default="")
    actor: Mapped[StaffUser | None] = relationship()


class OutboxMessage(db.Model):
    """One e-mail the site sends, stored before it is sent (see webapp/outbox.py).

    Written in the same transaction as the change that causes it; a sender process
    delivers it and records the outcome. The Message-ID is fixed when the row is
    written, so a retry sends the very same message.
    """

    __tablename__ = "outbox_message"
    # Every look-up by address goes through the recipient's mailbox: the daily limit on
    # confirmations (with kind and date), a person's export and deletion (with
    # recipient_key). One index serves them all.
    __table_args__ = (
        Index(
            "ix_outbox_message_mailbox_kind_created_at", "recipient_mailbox", "kind", "created_at"
        ),
        # Never a deleted message's id again: a sender still holding it, or a "Send
        # again" button on an open page, must not reach another message.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_request.id", ondelete="CASCADE"), index=True
    )
    # One of mail.kinds.Kind.
    kind: Mapped[str] = mapped_column(String(30))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(320))
    # Set with the recipient (see webapp/helpdesk/addresses.py): the address normalised,
    # for export and forget, and without its +tag, the inbox the daily limit counts.
    recipient_key: Mapped[str] = mapped_column(String(320), info={"address_key": True})
    recipient_mailbox: Mapped[str] = mapped_column(String(320), info={"address_key": True})
    reply_to: Mapped[str | None] = mapped_column(String(320))
    # None until the sender writes them from the request (the help POST's e-mails: at the
    # first try, kept for every retry); outbox.text_of() gives the text meanwhile.
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(250))
    # The References header: earlier Message-IDs of the thread, space-separated.
    thread_references: Mapped[str | None] = mapped_column(Text)
    # One of mail.kinds.State: queued until sent; sent; failed once retrying has been given
    # up; withheld when the sender found its address over the kind's daily limit; bounced
    # when a delivery report came back for it (webapp/mail/inbox.py).
    state: Mapped[str] = mapped_column(String(10), default=State.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Why the last try failed: the error's kind and the server's code, never an address.
    last_error: Mapped[str | None] = mapped_column(String(300))
    # A sender owns a row until claimed_until; after that another may take it over.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    help_request: Mapped[ContactRequest | None] = relationship(back_populates="messages")
    author: Mapped[StaffUser | None] = relationship()

    @validates("recipient")
    def _set_recipient_keys(self, _key: str, value: str) -> str:
        self.recipient_key = addresses.normalise(value)
        self.recipient_mailbox = addresses.mailbox(value)
        return value


class SavedReply(db.Model):
    """A short reply text staff keep for one topic and language; it prefills an answer."""

    __tablename__ = "saved_reply"
    # The answer form looks up the replies for one request's topic and language.
    # Ids never reused: an edit form left open on a deleted reply must not save over a
    # colleague's newer one.
    __table_args__ = (
        Index("ix_saved_reply_topic_language", "topic", "language"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A topic as ContactRequest.topic holds it: a fixed topic or an initiative's slug.
    topic: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IncomingMessage(db.Model):
    """An e-mail read from the help desk mailbox and filed into a request (mail/inbox.py).

    Only text is kept: the plain-text part, or the HTML part turned into text; the quoted
    earlier mail apart, so the page can fold it away.
    """

    __tablename__ = "incoming_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("contact_request.id", ondelete="CASCADE"), index=True
    )
    # The Message-ID header, or a hash of the message where it has none: each e-mail is
    # filed once, however many fetchers read it (the unique index decides).
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    from_address: Mapped[str] = mapped_column(String(320))
    # addresses.normalise(from_address), set with it: look-ups by sender compare this.
    from_key: Mapped[str] = mapped_column(String(320), index=True, info={"address_key": True})
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300), default="")
    # The Date header (the sender's clock) if readable, else when it was read.
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text, default="")
    quoted: Mapped[str] = mapped_column(Text, default="")
    # Filed into a request whose address is another one: staff judge whether it belongs.
    from_other_address: Mapped[bool] = mapped_column(Boolean, default=False)
    # An automatic e-mail (RFC 3834: out-of-office, list, bounce): never answered by the site.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    # A delivery status notification: the outbox message it reports on is marked bounced.
    delivery_report: Mapped[bool] = mapped_column(Boolean, default=False)
    # This e-mail started its request ("by e-mail"): counted for the daily limit per sender.
    started_request: Mapped[bool] = mapped_column(Boolean, default=False)
    help_request: Mapped[ContactRequest] = relationship(back_populates="incoming")
    attachments: Mapped[list["IncomingAttachment"]] = relationship(
        back_populates="incoming_message",
        cascade="all, delete-orphan",
        order_by="IncomingAttachment.id",
        passive_deletes=True,
    )

    @validates("from_address")
    def _set_from_key(self, _key: str, value: str) -> str:
        self.from_key = addresses.normalise(value)
        return value


class IncomingAttachment(db.Model):
    """A file that came with an incoming e-mail; kept in the database (so backups, export
    and deletion include it), or, past ATTACHMENT_MAX_BYTES, only its name and size."""

    __tablename__ = "incoming_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incoming_message_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    # As the sender declared it; shown to staff, never used to serve the file.
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    kept: Mapped[bool] = mapped_column(Boolean, default=True)
    # None when not kept (over the size limit). Loaded only when asked for: the request
    # page lists the files without reading them.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    incoming_message: Mapped[IncomingMessage] = relationship(back_populates="attachments")


class MailboxState(db.Model):
    """One row: how the last reading of the help desk mailbox went, for the staff overview."""

    __tablename__ = "mailbox_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why the last try failed (the error's kind and the server's words), None after a success.
    last_error: Mapped[str | None] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HousekeepingState(db.Model):
    """One row: when the retention rules last ran (webapp/helpdesk/housekeeping.py), so
    that any number of senders run them once a day between them."""

    __tablename__ = "housekeeping_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

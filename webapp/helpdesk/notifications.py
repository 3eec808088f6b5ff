"""The e-mails a new help request causes: a notice to staff and a confirmation to the visitor.

Both are queued in the outbox (webapp/outbox.py) in the same transaction as the
request, so neither is sent for a request that was not stored, and neither is lost
when the mail server is down: the sender process delivers them.

The help POST queues them without their text: kind, recipient, Reply-To and the
request, nothing more. The sender writes the text from the stored request at the first
try (the writers registered below) and keeps it in the row, so every retry, and a
"send again", sends the very same message under the Message-ID fixed at queue time.
That keeps translations, dates and links out of the request, whose INSERT holds
SQLite's write lock until the commit while other help POSTs wait.

Neither mail repeats what the visitor typed. The staff notice carries the reference,
the topic and a link to the admin view; staff read the rest there. The confirmation
carries the reference, the topic, the date and what happens next, never the name or
the message: otherwise anyone could use the form to send their own text to a
stranger's address. For the same reason an address gets at most
HELP_CONFIRMATIONS_PER_DAY confirmations a day: the outbox sender withholds the rest
(outbox.DAILY_LIMITS), so the help POST itself never reads the outbox.
"""

from dataclasses import dataclass

from flask import current_app
from flask import url_for
from flask_babel import force_locale

from webapp.helpdesk import vocabulary
from webapp.mail import outbox
from webapp.mail import texts
from webapp.mail.kinds import Kind
from webapp.models import ContactRequest
from webapp.web.i18n import language_name


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on PUBLIC_BASE_URL (never the request's Host)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def recipient(item: ContactRequest) -> str:
    """The initiative's contact for an initiative topic, else the general help desk."""
    if item.initiative is not None and item.initiative.contact_email:
        return item.initiative.contact_email
    return current_app.config["HELPDESK_EMAIL"]


@dataclass(frozen=True)
class Draft:
    """An e-mail the help POST queues: its kind and Reply-To. Its text is written later,
    by the sender (the writers below)."""

    kind: Kind
    reply_to: str | None = None


@outbox.writer(Kind.STAFF_NOTIFICATION)
def staff_notification(item: ContactRequest) -> tuple[str, str]:
    """Subject and text of the notice to staff, in the site's default language
    (templates/email/staff_notification.*.txt)."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        return texts.render(
            Kind.STAFF_NOTIFICATION,
            reference=item.reference,
            topic=vocabulary.topic_label(item.topic, lang, item.initiative),
            language=language_name(item.language),
            link=public_url("admin.detail", request_id=item.id),
        )


@outbox.writer(Kind.CONFIRMATION)
def confirmation(item: ContactRequest) -> tuple[str, str]:
    """Subject and text of the visitor's confirmation, in their language: nothing the
    visitor typed (templates/email/confirmation.*.txt)."""
    lang = item.language
    with force_locale(lang):
        return texts.render(
            Kind.CONFIRMATION,
            reference=item.reference,
            topic=vocabulary.topic_label(item.topic, lang, item.initiative),
            received=item.created_at,
            reply_days=int(current_app.config["HELP_REPLY_DAYS"]),
            status_link=public_url("help.status", lang=lang, reference=item.reference),
        )


def prepare(item: ContactRequest) -> list[tuple[Draft, str]]:
    """The e-mails for a new request, as (draft, recipient) pairs: the notice to staff and
    the visitor's confirmation. Reads nothing and writes no text (the sender does both:
    the daily limit, the text)."""
    return [
        (Draft(Kind.STAFF_NOTIFICATION), recipient(item)),
        (Draft(Kind.CONFIRMATION, current_app.config["HELPDESK_EMAIL"]), item.email),
    ]


def queue(drafts: list[tuple[Draft, str]], item: ContactRequest) -> None:
    """Queue prepared e-mails for a request just flushed (the caller commits)."""
    outbox.queue_new(
        [
            {
                "kind": draft.kind,
                "recipient": address,
                "reply_to": draft.reply_to,
                "request_id": item.id,
            }
            for draft, address in drafts
        ]
    )

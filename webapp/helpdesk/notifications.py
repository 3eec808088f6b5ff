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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.content import operator_details
from webapp.helpdesk import vocabulary
from webapp.mail import outbox
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

    kind: str
    reply_to: str | None = None


@outbox.writer("staff_notification")
def staff_notification(item: ContactRequest) -> tuple[str, str]:
    """Subject and text of the notice to staff, in the site's default language."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    reference = item.reference
    with force_locale(lang):
        topic = vocabulary.topic_label(item, lang)
        subject = _("New help request %(reference)s: %(topic)s", reference=reference, topic=topic)
        body = "\n".join(
            [
                _("A new help request has arrived."),
                "",
                _("Reference: %(reference)s", reference=reference),
                _("Topic: %(topic)s", topic=topic),
                _(
                    "Language of the visitor: %(language)s",
                    language=language_name(item.language),
                ),
                "",
                _("Open it in the admin area:"),
                public_url("admin.detail", request_id=item.id),
                "",
                operator_details.mail_footer(lang),
            ]
        )
    return subject, body


def confirmation_subject(reference: str) -> str:
    """The confirmation's subject in the current language; answers reply to it."""
    return _("Your request %(reference)s has been received", reference=reference)


def confirmation_body(item: ContactRequest) -> str:
    """The confirmation text in the current language: nothing the visitor typed."""
    lang = item.language
    reference = item.reference
    days = int(current_app.config["HELP_REPLY_DAYS"])
    return "\n".join(
        [
            _("Hello,"),
            "",
            _("Thank you for your request. We have received it under this reference number:"),
            "",
            f"    {reference}",
            "",
            _("Topic: %(topic)s", topic=vocabulary.topic_label(item, lang)),
            _("Received on: %(date)s", date=format_date(item.created_at, "long")),
            "",
            _("What happens next"),
            _("A member of our team will read your request and answer you by e-mail.")
            + " "
            + ngettext(
                "We answer within %(num)d working day.",
                "We answer within %(num)d working days.",
                days,
            ),
            _("Please quote your reference number if you contact us about this request."),
            "",
            _("You can check the status of your request here:"),
            public_url("help.status", lang=lang, reference=reference),
            "",
            _(
                "You are receiving this e-mail because this address was entered in the help "
                "form of our website. If you did not send a request, please ignore it."
            ),
            "",
            operator_details.mail_footer(lang),
        ]
    )


@outbox.writer("confirmation")
def confirmation(item: ContactRequest) -> tuple[str, str]:
    """Subject and text of the visitor's confirmation, in their language."""
    with force_locale(item.language):
        return confirmation_subject(item.reference), confirmation_body(item)


def prepare(item: ContactRequest) -> list[tuple[Draft, str]]:
    """The e-mails for a new request, as (draft, recipient) pairs: the notice to staff and
    the visitor's confirmation. Reads nothing and writes no text (the sender does both:
    the daily limit, the text)."""
    return [
        (Draft("staff_notification"), recipient(item)),
        (Draft("confirmation", current_app.config["HELPDESK_EMAIL"]), item.email),
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

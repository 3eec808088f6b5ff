"""The e-mails a new help request causes: a notice to staff and a confirmation to the visitor.

Both are written to the outbox (webapp/outbox.py) in the same transaction as the
request, so neither is sent for a request that was not stored, and neither is lost
when the mail server is down: the sender process delivers them.

Neither mail repeats what the visitor typed. The staff notice carries the reference,
the topic and a link to the admin view; staff read the rest there. The confirmation
carries the reference, the topic, the date and what happens next, never the name or
the message: otherwise anyone could use the form to send their own text to a
stranger's address. For the same reason an address gets at most
HELP_CONFIRMATIONS_PER_DAY confirmations a day.
"""

from datetime import timedelta

from flask import current_app
from flask import url_for
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from . import operator
from . import outbox
from . import vocabulary
from .i18n import language_name
from .models import ContactRequest
from .models import utcnow


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on PUBLIC_BASE_URL (never the request's Host)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def recipient(item: ContactRequest) -> str:
    """The initiative's contact for an initiative topic, else the general help desk."""
    if item.initiative is not None and item.initiative.contact_email:
        return item.initiative.contact_email
    return current_app.config["HELPDESK_EMAIL"]


def queue_staff_notification(item: ContactRequest) -> None:
    """Queue the notice to staff, in the site's default language."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        topic = vocabulary.topic_label(item, lang)
        subject = _(
            "New help request %(reference)s: %(topic)s", reference=item.reference, topic=topic
        )
        body = "\n".join(
            [
                _("A new help request has arrived."),
                "",
                _("Reference: %(reference)s", reference=item.reference),
                _("Topic: %(topic)s", topic=topic),
                _(
                    "Language of the visitor: %(language)s",
                    language=language_name(item.language),
                ),
                "",
                _("Open it in the admin area:"),
                public_url("admin.detail", request_id=item.id),
                "",
                operator.mail_footer(lang),
            ]
        )
    outbox.queue("staff_notification", recipient(item), subject, body, request_id=item.id)


def confirmation_subject(reference: str) -> str:
    """The confirmation's subject in the current language; answers reply to it."""
    return _("Your request %(reference)s has been received", reference=reference)


def confirmation_body(item: ContactRequest) -> str:
    """The confirmation text in the current language: nothing the visitor typed."""
    lang = item.language
    days = int(current_app.config["HELP_REPLY_DAYS"])
    return "\n".join(
        [
            _("Hello,"),
            "",
            _("Thank you for your request. We have received it under this reference number:"),
            "",
            f"    {item.reference}",
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
            public_url("help.status", lang=lang, reference=item.reference),
            "",
            _(
                "You are receiving this e-mail because this address was entered in the help "
                "form of our website. If you did not send a request, please ignore it."
            ),
            "",
            operator.mail_footer(lang),
        ]
    )


def queue_confirmation(item: ContactRequest) -> bool:
    """Queue the visitor's confirmation in their language; False when over the daily limit."""
    limit = int(current_app.config["HELP_CONFIRMATIONS_PER_DAY"])
    since = utcnow() - timedelta(days=1)
    if outbox.count_recent("confirmation", item.email, since) >= limit:
        current_app.logger.info("Help desk: no confirmation for %s (daily limit)", item.reference)
        return False
    with force_locale(item.language):
        subject = confirmation_subject(item.reference)
        body = confirmation_body(item)
    outbox.queue(
        "confirmation",
        item.email,
        subject,
        body,
        request_id=item.id,
        reply_to=current_app.config["HELPDESK_EMAIL"],
    )
    return True


def request_stored(item: ContactRequest) -> None:
    """Queue both mails for a request just added to the session (the caller commits)."""
    queue_staff_notification(item)
    queue_confirmation(item)

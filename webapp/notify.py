"""The e-mails a new help request causes: a notice to staff and a confirmation to the visitor.

Both are written to the outbox (webapp/outbox.py) in the same transaction as the
request, so neither is sent for a request that was not stored, and neither is lost
when the mail server is down: the sender process delivers them.

Neither mail repeats what the visitor typed. The staff notice carries the reference,
the topic and a link to the admin view; staff read the rest there. The confirmation
carries the reference, the topic, the date and what happens next, never the name or
the message: otherwise anyone could use the form to send their own text to a
stranger's address. For the same reason an address gets at most
HELP_CONFIRMATIONS_PER_DAY confirmations a day: the outbox sender withholds the rest
(outbox.DAILY_LIMITS), so the help POST itself never reads the outbox.
"""

import time
from dataclasses import dataclass

from flask import current_app
from flask import url_for
from flask_babel import force_locale
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import to_user_timezone

from . import operator
from . import outbox
from . import vocabulary
from .i18n import language_name
from .models import ContactRequest


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on PUBLIC_BASE_URL (never the request's Host)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def recipient(item: ContactRequest) -> str:
    """The initiative's contact for an initiative topic, else the general help desk."""
    if item.initiative is not None and item.initiative.contact_email:
        return item.initiative.contact_email
    return current_app.config["HELPDESK_EMAIL"]


# Stand-ins for the reference and id of a request not yet written (see prepare()). No
# real reference has the year 0000 and no row the id 0.
PENDING_REFERENCE = "H-0000-000000"
PENDING_ID = 0


@dataclass(frozen=True)
class Draft:
    """An e-mail written before its request was stored, with the stand-ins in it; the
    same for every request of one language and topic (so without its recipient)."""

    kind: str
    subject: str
    body: str
    reply_to: str | None = None


def staff_notification(item: ContactRequest, reference: str, request_id: int) -> Draft:
    """The notice to staff, in the site's default language."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
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
                public_url("admin.detail", request_id=request_id),
                "",
                operator.mail_footer(lang),
            ]
        )
    return Draft("staff_notification", subject, body)


def confirmation_subject(reference: str) -> str:
    """The confirmation's subject in the current language; answers reply to it."""
    return _("Your request %(reference)s has been received", reference=reference)


def confirmation_body(item: ContactRequest, reference: str) -> str:
    """The confirmation text in the current language: nothing the visitor typed."""
    lang = item.language
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
            operator.mail_footer(lang),
        ]
    )


def confirmation(item: ContactRequest, reference: str) -> Draft:
    """The visitor's confirmation in their language."""
    with force_locale(item.language):
        subject = confirmation_subject(reference)
        body = confirmation_body(item, reference)
    return Draft("confirmation", subject, body, current_app.config["HELPDESK_EMAIL"])


# Drafts with stand-ins are the same for every request of one language, topic and day:
# each worker writes them once and reuses them (a help POST then renders no e-mail).
# Kept DRAFT_CACHE_SECONDS at most, so a renamed initiative shows within minutes.
DRAFT_CACHE_SECONDS = 300


def _cached(key: tuple, render) -> Draft:
    cache = current_app.extensions.setdefault("notify_drafts", {"since": 0.0, "drafts": {}})
    now = time.monotonic()
    if now - cache["since"] > DRAFT_CACHE_SECONDS:
        cache["since"], cache["drafts"] = now, {}
    draft = cache["drafts"].get(key)
    if draft is None:
        draft = cache["drafts"][key] = render()
    return draft


def prepare(item: ContactRequest) -> list[tuple[Draft, str]]:
    """The e-mails for a request that is not written yet, as (draft, recipient) pairs:
    the notice to staff and the visitor's confirmation, with stand-ins for the request's
    reference and id.

    Called before the request's INSERT. On SQLite that INSERT takes the database's write
    lock until the commit, and every help POST waits for it; so the translations, dates
    and links are done here, with no lock held, and only the stand-ins are replaced under
    it (queue()). Nothing is read from the database: the daily limit on confirmations is
    the sender's business (it withholds the ones over it).
    """
    topic = (item.topic, item.initiative.id if item.initiative else None)
    staff = _cached(
        ("staff", item.language, topic),
        lambda: staff_notification(item, PENDING_REFERENCE, PENDING_ID),
    )
    day = to_user_timezone(item.created_at).date()
    visitor = _cached(
        ("confirmation", item.language, topic, day),
        lambda: confirmation(item, PENDING_REFERENCE),
    )
    return [(staff, recipient(item)), (visitor, item.email)]


def queue(drafts: list[tuple[Draft, str]], item: ContactRequest) -> None:
    """Queue prepared e-mails for a request just flushed (the caller commits)."""
    if not drafts:
        return
    pending_link = public_url("admin.detail", request_id=PENDING_ID)
    link = public_url("admin.detail", request_id=item.id)

    def fill(text: str) -> str:
        return text.replace(pending_link, link).replace(PENDING_REFERENCE, item.reference)

    outbox.queue_new(
        [
            {
                "kind": draft.kind,
                "recipient": address,
                "subject": fill(draft.subject),
                "body": fill(draft.body),
                "request_id": item.id,
                "reply_to": draft.reply_to,
            }
            for draft, address in drafts
        ]
    )

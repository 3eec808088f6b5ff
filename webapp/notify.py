"""Telling staff about a new help request by e-mail (Flask-Mail).

The mail goes out once the visitor's response has been delivered, so a slow or
dead mail server never delays the confirmation; the request is already stored.
Every failure is logged and remembered on the request (notification = "failed").
The mail holds no personal data: the reference, the topic and a link to the admin view.
"""

import smtplib
from functools import partial

from flask import Flask
from flask import Response
from flask import after_this_request
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection
from flask_mail import Message
from sqlalchemy import select

from . import operator
from .extensions import db
from .helpdesk import FIXED_TOPICS
from .helpdesk import TOPIC_NAMES
from .i18n import language_name
from .models import ContactRequest
from .models import Initiative


class _TimedConnection(Connection):
    """Flask-Mail's connection with MAIL_TIMEOUT applied (Flask-Mail 0.10 sets none)."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        factory = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = factory(state.server, state.port, timeout=current_app.config["MAIL_TIMEOUT"])
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


def recipient(request: ContactRequest) -> str:
    """The initiative's contact for an initiative topic, else the general help desk."""
    if request.initiative is not None and request.initiative.contact_email:
        return request.initiative.contact_email
    return current_app.config["HELPDESK_EMAIL"]


def admin_link(request: ContactRequest) -> str:
    """Where staff open the request (the admin view's URL scheme)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/admin/requests/{request.id}"


def topic_name(request: ContactRequest, lang: str) -> str:
    """The topic as staff read it: a translated topic name or the initiative's name."""
    if request.topic in FIXED_TOPICS:
        return str(TOPIC_NAMES[request.topic])
    initiative = request.initiative or db.session.scalar(
        select(Initiative).where(Initiative.slug == request.topic)
    )
    return initiative.text(lang).name if initiative else request.topic


def build_message(request: ContactRequest) -> Message:
    """The staff notification for one request, in the site's default language."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        topic = topic_name(request, lang)
        subject = _(
            "New help request %(reference)s: %(topic)s", reference=request.reference, topic=topic
        )
        body = "\n".join(
            [
                _("A new help request has arrived."),
                "",
                _("Reference: %(reference)s", reference=request.reference),
                _("Topic: %(topic)s", topic=topic),
                _(
                    "Language of the visitor: %(language)s",
                    language=language_name(request.language),
                ),
                "",
                _("Open it in the admin area:"),
                admin_link(request),
                "",
                operator.mail_footer(lang),
            ]
        )
    return Message(subject=subject, recipients=[recipient(request)], body=body)


def notify_staff(request_id: int) -> str | None:
    """Send the notification for one stored request; return and store its outcome.

    None when no MAIL_SERVER is configured, otherwise "sent" or "failed". Never raises.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return None
    outcome = "failed"
    try:
        request = db.session.get(ContactRequest, request_id)
        message = build_message(request)
        with _TimedConnection(current_app.extensions["mail"]) as connection:
            message.send(connection)
        outcome = "sent"
    except Exception:  # a notification must never take the request down with it
        current_app.logger.exception("Help desk: notification for request %s failed", request_id)
    try:
        db.session.execute(
            ContactRequest.__table__.update()
            .where(ContactRequest.id == request_id)
            .values(notification=outcome)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception(
            "Help desk: could not record notification %r for request %s", outcome, request_id
        )
    return outcome


def _notify_in_context(app: Flask, request_id: int) -> None:
    with app.app_context():
        notify_staff(request_id)


def notify_after_response(request_id: int) -> None:
    """Arrange for notify_staff() to run once the current response has been sent."""
    if not current_app.config.get("MAIL_SERVER"):
        return
    app = current_app._get_current_object()

    @after_this_request
    def send_when_closed(response: Response) -> Response:
        response.call_on_close(partial(_notify_in_context, app, request_id))
        return response

"""The site as bench/help_post.py serves it, in one of three variants (BENCH_VARIANT):

- "outbox": the real app. The POST stores the request and queues the staff notice and
  the visitor's confirmation in the outbox, in the same transaction; the sender, a
  separate process, writes and sends them later.
- "before": the help POST as it was before the outbox (up to commit 6a2ee1f^, see
  `git show 6a2ee1f^:webapp/notifications.py`): nothing queued; once the response has gone
  out, the request's own thread writes the staff notice, sends it over SMTP to
  MAIL_SERVER and records the outcome on the request with an UPDATE and a commit. The
  old code did exactly these steps (the outcome went into a column since removed; the
  UPDATE here writes the row's status unchanged, which costs SQLite and PostgreSQL the
  same write). The visitor's confirmation did not exist then and is not sent.
- "none": the same POST with no e-mail at all, neither queued nor sent: what the outbox
  write costs by itself, against a site that tells nobody about a request.

Only `notifications.prepare` (which names the e-mails to queue) and, for "before", the hook
after the response differ; CSRF, validation, the topic query, the INSERT of the
request, its commit and the redirect are the same code in all three.
"""

import os
from email.message import EmailMessage
from functools import partial

from flask import after_this_request
from flask import current_app
from sqlalchemy import update

from webapp import create_app
from webapp.extensions import db
from webapp.helpdesk import notifications
from webapp.helpdesk import submission
from webapp.mail import outbox
from webapp.models import ContactRequest

VARIANT = os.environ.get("BENCH_VARIANT", "outbox")


def _no_mail(_item) -> list:
    """Queue no e-mail."""
    return []


def _notify_staff(app, request_id: int) -> None:
    """The old notify_staff(): write the notice, send it, record the outcome."""
    with app.app_context():
        outcome = "failed"
        try:
            item = db.session.get(ContactRequest, request_id)
            with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
                subject, body = outbox._WRITERS["staff_notification"](item)
            mail = EmailMessage()
            mail["From"] = app.config["MAIL_DEFAULT_SENDER"]
            mail["To"] = notifications.recipient(item)
            mail["Subject"] = subject
            mail.set_content(body)
            with outbox.smtp_connection() as smtp:  # the sender's connection: same timeout
                smtp.send_message(mail)
            outcome = "sent"
        except Exception:  # as before: a notification never takes the request down
            app.logger.exception("bench: notification for request %s failed", request_id)
        try:
            db.session.execute(
                update(ContactRequest)
                .where(ContactRequest.id == request_id)
                .values(status=ContactRequest.status)
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            app.logger.exception("bench: could not record %r for request %s", outcome, request_id)


def _submit_then_notify_after_response(data, lang, spam=False):
    """helpdesk.submit(), then the old notify_after_response(): the notice is sent on
    this thread once the response has been delivered (WSGI close)."""
    stored = _submit(data, lang, spam=spam)
    if not spam:
        app = current_app._get_current_object()

        @after_this_request
        def send_when_closed(response):
            response.call_on_close(partial(_notify_staff, app, stored.id))
            return response

    return stored


if VARIANT not in {"outbox", "before", "none"}:
    raise SystemExit(f"bench: unknown BENCH_VARIANT {VARIANT!r}")
if VARIANT in {"before", "none"}:
    notifications.prepare = _no_mail
if VARIANT == "before":
    _submit = submission.submit
    submission.submit = _submit_then_notify_after_response

app = create_app()

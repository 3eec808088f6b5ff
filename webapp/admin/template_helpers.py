"""Template helpers for the staff area: labels and dates in the staff member's language."""

from flask import current_app
from flask_babel import format_decimal
from flask_login import current_user

from webapp.admin import bp
from webapp.admin.forms import LanguageForm
from webapp.admin.forms import LogoutForm
from webapp.helpdesk import casework
from webapp.helpdesk import correspondence
from webapp.helpdesk import request_list
from webapp.helpdesk import vocabulary
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.web import dates
from webapp.web.i18n import current_lang


def file_size(size: int) -> str:
    """A file's size as people read it: 830 bytes, 12 KB, 2.4 MB (decimal units)."""
    if size < 1000:
        return f"{size} B"
    if size < 1000 * 1000:
        return f"{format_decimal(round(size / 1000))} KB"
    return f"{format_decimal(round(size / 1000 / 1000, 1), format='#,##0.0')} MB"


@bp.context_processor
def admin_context() -> dict:
    """What every admin template may use (`current_user` only here: loading it reads the
    session, which public pages must never do)."""
    return {
        "current_user": current_user,
        "status_label": vocabulary.status_label,
        "topic_label": lambda topic, initiative=None: vocabulary.topic_label(
            topic, current_lang(), initiative
        ),
        "age_of": request_list.age_of,
        "spam_purge_days": current_app.config["SPAM_PURGE_AFTER_DAYS"],
        "describe": casework.describe,
        "message_kind": correspondence.kind_label,
        "MailKind": Kind,
        "delivery_state": lambda message: correspondence.delivery_state(message, dates.staff_time),
        "can_send_again": outbox.can_send_again,
        "message_text": outbox.text_of,
        "conversation": correspondence.conversation,
        "bounce_notices": correspondence.bounce_notices,
        "file_size": file_size,
        "attachment_limit": file_size(int(current_app.config["ATTACHMENT_MAX_BYTES"])),
        "language_form": LanguageForm(formdata=None),
        "logout_form": LogoutForm(formdata=None),
    }

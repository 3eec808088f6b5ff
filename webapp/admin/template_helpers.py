"""Template helpers for the staff area: labels and dates in the staff member's language."""

from datetime import datetime

from flask import current_app
from flask_babel import format_datetime
from flask_login import current_user

from webapp.admin import bp
from webapp.admin.forms import LanguageForm
from webapp.admin.forms import LogoutForm
from webapp.helpdesk import casework
from webapp.helpdesk import correspondence
from webapp.helpdesk import request_list
from webapp.helpdesk import vocabulary
from webapp.mail import outbox
from webapp.web.i18n import current_lang

DATE_PATTERNS = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}


def staff_time(value: datetime | None) -> str:
    """A stored (UTC) time shown in the site's time zone, e.g. 26.11.2026, 14:05."""
    if value is None:
        return ""
    return format_datetime(value, DATE_PATTERNS.get(current_lang(), DATE_PATTERNS["en"]))


@bp.context_processor
def admin_context() -> dict:
    """What every admin template may use (`current_user` only here: loading it reads the
    session, which public pages must never do)."""
    return {
        "current_user": current_user,
        "staff_time": staff_time,
        "status_label": vocabulary.status_label,
        "topic_label": lambda item: vocabulary.topic_label(item, current_lang()),
        "age_of": request_list.age_of,
        "spam_purge_days": current_app.config["SPAM_PURGE_AFTER_DAYS"],
        "describe": casework.describe,
        "message_kind": correspondence.kind_label,
        "delivery_state": lambda message: correspondence.delivery_state(message, staff_time),
        "can_send_again": outbox.can_send_again,
        "message_text": outbox.text_of,
        "language_form": LanguageForm(formdata=None),
        "logout_form": LogoutForm(formdata=None),
    }

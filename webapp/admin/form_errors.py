"""An expired or missing CSRF token in the staff area: the form again, with what was typed."""

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from webapp.admin import bp
from webapp.admin import request_page
from webapp.admin import saved_reply_pages
from webapp.admin import signin
from webapp.extensions import db
from webapp.models import ContactRequest
from webapp.web.errors import render_error


@bp.errorhandler(CSRFError)
def csrf_failed(_exc):
    """The form again with what was typed and why, never a bare error page."""
    message = _("This page was open for a long time. Please send it again.")
    if request.endpoint == "admin.login":
        return signin.form_again(message)
    if not current_user.is_authenticated:
        return render_error(400)
    if request.endpoint in saved_reply_pages.FORM_ENDPOINTS:
        return saved_reply_pages.form_again(message)
    request_id = (request.view_args or {}).get("request_id")
    item = db.session.get(ContactRequest, request_id) if request_id else None
    page = request_page.form_again(item, message) if item is not None else None
    return page if page is not None else render_error(400)

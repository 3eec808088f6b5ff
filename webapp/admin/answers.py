"""Routes for the e-mails of a request: answer the visitor, send a message again."""

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import correspondence
from ..extensions import db
from ..models import OutboxMessage
from ..responses import wants_fragment
from . import bp
from .forms import AnswerForm
from .forms import ResendForm
from .routes import _detail
from .routes import _request_or_404

UPDATE = "admin/_conversation_update.html"


@bp.post("/requests/<int:request_id>/answer")
def answer(request_id: int):
    """Queue an answer to the visitor: htmx gets the e-mails, others a redirect."""
    item = _request_or_404(request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail(item, 422, UPDATE, answer_form=form)
    message = correspondence.send_answer(
        item, form.subject.data, form.body.data, current_user, form.status.data
    )
    text = _("Your answer is on its way to the visitor.")
    if wants_fragment():
        return _detail(item, 200, UPDATE, announce=text, announce_message=message.id)
    flash(text, "success")
    return redirect(
        url_for("admin.detail", request_id=item.id, _anchor=f"message-{message.id}"), 303
    )


@bp.post("/requests/<int:request_id>/messages/<int:message_id>/resend")
def resend_message(request_id: int, message_id: int):
    """Queue a sent or failed e-mail again."""
    item = _request_or_404(request_id)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.request_id != item.id:
        abort(404)
    if ResendForm().validate_on_submit() and message.state != "queued":
        correspondence.resend(item, message, current_user)
    text = _("The e-mail will be sent again.")
    if wants_fragment():
        return _detail(item, 200, UPDATE, announce=text, announce_message=message.id)
    flash(text, "success")
    return redirect(
        url_for("admin.detail", request_id=item.id, _anchor=f"message-{message.id}"), 303
    )

"""Routes for the visitor as a person: answer by e-mail, send again, forget the address."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import correspondence
from .. import outbox
from .. import persons
from ..extensions import db
from ..models import OutboxMessage
from ..responses import wants_fragment
from . import bp
from .forms import AnswerForm
from .forms import ForgetForm
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
    """Queue a sent or failed e-mail again; a withheld one never (409)."""
    item = _request_or_404(request_id)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.request_id != item.id:
        abort(404)
    if message.state == "withheld":
        abort(409)
    # A queued one is on its way already (a second click): nothing to do.
    if ResendForm().validate_on_submit() and outbox.can_send_again(message):
        correspondence.resend(item, message, current_user)
    text = _("The e-mail will be sent again.")
    if wants_fragment():
        return _detail(item, 200, UPDATE, announce=text, announce_message=message.id)
    flash(text, "success")
    return redirect(
        url_for("admin.detail", request_id=item.id, _anchor=f"message-{message.id}"), 303
    )


@bp.route("/requests/<int:request_id>/forget", methods=["GET", "POST"])
def forget(request_id: int):
    """Ask for confirmation, then delete every request from this request's address."""
    item = _request_or_404(request_id)
    form = ForgetForm()
    if form.validate_on_submit():
        count = persons.forget(item.email, current_user)
        flash(
            ngettext(
                "%(num)d request from that address was deleted.",
                "%(num)d requests from that address were deleted.",
                count,
            ),
            "success",
        )
        return redirect(url_for("admin.index"), 303)
    others = persons.requests_from(item.email)
    return render_template("admin/forget.html", item=item, others=others, form=form)

"""Routes that sort a request: assign it to a member of staff, mark it as spam or not."""

from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import assignment
from .. import casework
from ..extensions import db
from ..models import StaffUser
from ..responses import wants_fragment
from . import bp
from .forms import SpamForm
from .forms import assign_form
from .routes import _detail
from .routes import _request_or_404

UPDATE = "admin/_assignment_update.html"


@bp.post("/requests/<int:request_id>/assign")
def assign(request_id: int):
    """Assign the request to the chosen member of staff, or to oneself ("Assign to me").

    htmx gets the assignment panel and the history, others a redirect.
    """
    item = _request_or_404(request_id)
    form = assign_form(item)
    if form.to_me.data:
        # The second button: its own choice, whatever the select says.
        form.assignee.data = str(current_user.id)
    if not form.validate_on_submit():
        return _detail(item, 422, UPDATE, assign_form=form)
    assignee = db.session.get(StaffUser, int(form.assignee.data)) if form.assignee.data else None
    changed = assignment.assign(item, assignee, current_user)
    if assignee is None:
        message = _("The request is not assigned to anyone now.")
    elif assignee.id == current_user.id:
        message = _("The request is assigned to you.")
    else:
        message = _(
            "The request is assigned to %(email)s, who gets an e-mail.", email=assignee.email
        )
    if not changed:
        message = _("Nothing changed: the request was already assigned so.")
    if wants_fragment():
        return _detail(
            item, 200, UPDATE, announce=message, assign_form=assign_form(item, formdata=None)
        )
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="assignment"), 303)


@bp.post("/requests/<int:request_id>/spam")
def mark_spam(request_id: int):
    """Mark the request as spam or as not spam again; then back to its page."""
    item = _request_or_404(request_id)
    form = SpamForm()
    if form.validate_on_submit():
        spam = form.spam.data == "1"
        casework.mark_spam(item, spam, current_user)
        if spam:
            flash(_("Marked as spam. The list shows it only with the spam filter."), "success")
        else:
            flash(_("Marked as not spam. The list shows it again."), "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="spam"), 303)

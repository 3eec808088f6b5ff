"""Routes for saved replies: list, create, edit and delete (with a confirmation step)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from webapp.admin import bp
from webapp.admin.reply_forms import DeleteReplyForm
from webapp.admin.reply_forms import SavedReplyForm
from webapp.helpdesk import saved_replies
from webapp.helpdesk import vocabulary
from webapp.models import SavedReply
from webapp.web.errors import render_error
from webapp.web.i18n import current_lang
from webapp.web.i18n import language_name
from webapp.web.i18n import supported

FIELDS = ("topic", "language", "title", "body")
# The pages whose form is shown again, input kept, when its CSRF token has expired.
FORM_ENDPOINTS = ("admin.new_reply", "admin.edit_reply")


def _topics() -> list[tuple[str, str]]:
    # The topics a saved reply can be for (the form's choices).
    return vocabulary.topic_choices(current_lang())


def _form(**defaults) -> SavedReplyForm:
    form = SavedReplyForm(**defaults)
    form.fill_choices(_topics(), [(code, language_name(code)) for code in supported()])
    return form


def _reply_or_404(reply_id: int) -> SavedReply:
    reply = saved_replies.get(reply_id)
    if reply is None:
        abort(404)
    return reply


def form_again(message: str):
    """After an expired CSRF token: the reply form again with what was typed, and why."""
    reply_id = (request.view_args or {}).get("reply_id")
    reply = saved_replies.get(reply_id) if reply_id is not None else None
    if reply_id is not None and reply is None:
        return render_error(400)
    form = _form(formdata=None, **{key: request.form.get(key, "") for key in FIELDS})
    form.body.errors = [message]
    return render_template("admin/reply_form.html", form=form, reply=reply), 400


@bp.get("/replies")
def replies():
    """Every saved reply, with its topic and language."""
    return render_template("admin/replies.html", replies=saved_replies.listed())


@bp.route("/replies/new", methods=["GET", "POST"])
def new_reply():
    """Create a saved reply; `?topic=` and `?language=` preselect those fields."""
    if request.method == "GET":
        form = _form(
            formdata=None,
            topic=request.args.get("topic", ""),
            language=request.args.get("language", ""),
        )
    else:
        form = _form()
    if form.validate_on_submit():
        reply = saved_replies.create(
            form.topic.data, form.language.data, form.title.data, form.body.data
        )
        flash(_("Saved reply “%(title)s” created.", title=reply.title), "success")
        return redirect(url_for("admin.replies"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/reply_form.html", form=form, reply=None), status


@bp.route("/replies/<int:reply_id>/edit", methods=["GET", "POST"])
def edit_reply(reply_id: int):
    """Change a saved reply."""
    reply = _reply_or_404(reply_id)
    form = _form(obj=reply) if request.method == "GET" else _form()
    if form.validate_on_submit():
        saved_replies.update(
            reply, form.topic.data, form.language.data, form.title.data, form.body.data
        )
        flash(_("Saved reply “%(title)s” changed.", title=reply.title), "success")
        return redirect(url_for("admin.replies"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/reply_form.html", form=form, reply=reply), status


@bp.route("/replies/<int:reply_id>/delete", methods=["GET", "POST"])
def delete_reply(reply_id: int):
    """Ask for confirmation, then delete a saved reply."""
    reply = _reply_or_404(reply_id)
    form = DeleteReplyForm()
    if form.validate_on_submit():
        title = reply.title
        saved_replies.delete(reply)
        flash(_("Saved reply “%(title)s” was deleted.", title=title), "success")
        return redirect(url_for("admin.replies"), 303)
    return render_template("admin/reply_delete.html", reply=reply, form=form)

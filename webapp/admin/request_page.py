"""One request's page and everything staff do with it: status, notes, assignment, spam,
answer, send again, forget the address, delete.

Each action answers htmx with the panel it changed (and the history), everyone else with a
redirect back to the page. `request_or_404` and `render_page` are what the other staff
modules use to show a request.
"""

import io

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from webapp.admin import bp
from webapp.admin.forms import AnswerForm
from webapp.admin.forms import DeleteForm
from webapp.admin.forms import ForgetForm
from webapp.admin.forms import NoteForm
from webapp.admin.forms import ResendForm
from webapp.admin.forms import SpamForm
from webapp.admin.forms import StatusForm
from webapp.admin.forms import assign_form
from webapp.admin.reply_forms import ReplyChoiceForm
from webapp.admin.reply_forms import prefilled_answer
from webapp.extensions import db
from webapp.helpdesk import assignment
from webapp.helpdesk import casework
from webapp.helpdesk import correspondence
from webapp.helpdesk import persons
from webapp.helpdesk import saved_replies
from webapp.helpdesk import vocabulary
from webapp.mail import inbox
from webapp.mail import outbox
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import OutboxMessage
from webapp.models import StaffUser
from webapp.web.responses import fragment_or_page
from webapp.web.responses import wants_fragment

ASSIGNMENT_UPDATE = "admin/_assignment_update.html"
CONVERSATION_UPDATE = "admin/_conversation_update.html"


def request_or_404(request_id: int) -> ContactRequest:
    item = db.session.get(ContactRequest, request_id)
    if item is None:
        abort(404)
    return item


def render_page(item: ContactRequest, status: int = 200, fragment: str | None = None, **forms):
    context = {
        "assign_form": forms.get("assign_form") or assign_form(item, formdata=None),
        "spam_form": SpamForm(formdata=None),
        "item": item,
        "status_form": forms.get("status_form")
        or StatusForm(formdata=None, status=casework.next_status(item.status)),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "answer_form": forms.get("answer_form")
        or AnswerForm(formdata=None, subject=correspondence.answer_subject(item)),
        "resend_form": ResendForm(formdata=None),
        "reply_form": forms.get("reply_form")
        or ReplyChoiceForm.offering(saved_replies.for_request(item)),
        "announce_message": forms.get("announce_message"),
        "history": casework.history(item),
        "announce": forms.get("announce"),
        "delivery_paused": outbox.paused(),
    }
    if fragment:
        return fragment_or_page(fragment, "admin/detail.html", status, **context)
    return render_template("admin/detail.html", **context), status


@bp.get("/requests/<int:request_id>")
def detail(request_id: int):
    """Everything the visitor sent, the status, notes and history.

    `?reply=<id>` fills the answer with a saved reply; htmx gets the answer form only.
    """
    item = request_or_404(request_id)
    if "reply" not in request.args:
        return render_page(item)
    answer_form, reply_form = prefilled_answer(item, request.args)
    return render_page(
        item,
        422 if reply_form.errors else 200,
        "admin/_answer_form.html",
        answer_form=answer_form,
        reply_form=reply_form,
    )


def form_again(item: ContactRequest, message: str):
    """After an expired CSRF token: the request page's form again with what was typed, and why.

    None when the endpoint is not one of this page's forms with text in it.
    """
    if request.endpoint == "admin.add_note":
        form = NoteForm(formdata=None, body=request.form.get("body", ""))
        form.body.errors = [message]
        return render_page(item, 400, "admin/_notes_update.html", note_form=form)
    if request.endpoint == "admin.answer":
        form = AnswerForm(
            formdata=None,
            subject=request.form.get("answer-subject", ""),
            body=request.form.get("answer-body", ""),
            status=request.form.get("answer-status", vocabulary.Status.ANSWERED),
        )
        form.body.errors = [message]
        return render_page(item, 400, CONVERSATION_UPDATE, answer_form=form)
    if request.endpoint == "admin.assign":
        form = assign_form(item, formdata=None, assignee=request.form.get("assign-assignee"))
        form.assignee.errors = [message]
        return render_page(item, 400, ASSIGNMENT_UPDATE, assign_form=form)
    if request.endpoint == "admin.change_status":
        form = StatusForm(formdata=None, status=request.form.get("status"))
        form.status.errors = [message]
        return render_page(item, 400, "admin/_status_update.html", status_form=form)
    return None


@bp.post("/requests/<int:request_id>/status")
def change_status(request_id: int):
    """Change the status: htmx gets the status panel and history, others a redirect."""
    item = request_or_404(request_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return render_page(item, 422, "admin/_status_update.html", status_form=form)
    changed = casework.change_status(item, form.status.data, current_user)
    message = (
        _("Status changed to “%(status)s”.", status=vocabulary.status_label(item.status))
        if changed
        else _(
            "The status was already “%(status)s”.",
            status=vocabulary.status_label(item.status),
        )
    )
    if wants_fragment():
        return render_page(item, 200, "admin/_status_update.html", announce=message)
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id), 303)


@bp.post("/requests/<int:request_id>/notes")
def add_note(request_id: int):
    """Append a note: htmx gets the notes and history, others a redirect."""
    item = request_or_404(request_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_page(item, 422, "admin/_notes_update.html", note_form=form)
    casework.add_note(item, form.body.data, current_user)
    message = _("Note added.")
    if wants_fragment():
        return render_page(item, 200, "admin/_notes_update.html", announce=message)
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="notes"), 303)


@bp.post("/requests/<int:request_id>/assign")
def assign(request_id: int):
    """Assign the request to the chosen member of staff, or to oneself ("Assign to me").

    htmx gets the assignment panel and the history, others a redirect.
    """
    item = request_or_404(request_id)
    form = assign_form(item)
    if form.to_me.data:
        # The second button: its own choice, whatever the select says.
        form.assignee.data = str(current_user.id)
    if not form.validate_on_submit():
        return render_page(item, 422, ASSIGNMENT_UPDATE, assign_form=form)
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
        return render_page(
            item,
            200,
            ASSIGNMENT_UPDATE,
            announce=message,
            assign_form=assign_form(item, formdata=None),
        )
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="assignment"), 303)


@bp.post("/requests/<int:request_id>/spam")
def mark_spam(request_id: int):
    """Mark the request as spam or as not spam again; then back to its page."""
    item = request_or_404(request_id)
    form = SpamForm()
    if form.validate_on_submit():
        spam = form.spam.data == "1"
        casework.mark_spam(item, spam, current_user)
        if spam:
            flash(_("Marked as spam. The list shows it only with the spam filter."), "success")
        else:
            flash(_("Marked as not spam. The list shows it again."), "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="spam"), 303)


def conversation_changed(item: ContactRequest, message: OutboxMessage, text: str):
    """After an e-mail was queued: htmx gets the conversation with `text` announced and
    the message marked, everyone else a redirect to it."""
    if wants_fragment():
        return render_page(
            item, 200, CONVERSATION_UPDATE, announce=text, announce_message=message.id
        )
    flash(text, "success")
    return redirect(
        url_for("admin.detail", request_id=item.id, _anchor=f"message-{message.id}"), 303
    )


@bp.post("/requests/<int:request_id>/answer")
def answer(request_id: int):
    """Queue an answer to the visitor: htmx gets the e-mails, others a redirect."""
    item = request_or_404(request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_page(item, 422, CONVERSATION_UPDATE, answer_form=form)
    message = correspondence.send_answer(
        item, form.subject.data, form.body.data, current_user, form.status.data
    )
    text = _("Your answer is on its way to the visitor.")
    return conversation_changed(item, message, text)


@bp.post("/requests/<int:request_id>/messages/<int:message_id>/resend")
def resend_message(request_id: int, message_id: int):
    """Queue a sent or failed e-mail again; a withheld one never (409)."""
    item = request_or_404(request_id)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.request_id != item.id:
        abort(404)
    if message.state == State.WITHHELD:
        abort(409)
    # A queued one is on its way already (a second click): nothing to do.
    if ResendForm().validate_on_submit() and outbox.can_send_again(message):
        correspondence.resend(item, message, current_user)
    text = _("The e-mail will be sent again.")
    return conversation_changed(item, message, text)


@bp.get("/requests/<int:request_id>/attachments/<int:attachment_id>")
def attachment(request_id: int, attachment_id: int):
    """A file that came with an e-mail, as a download only: never shown in the browser,
    whatever type its sender claimed (octet-stream, attachment, nosniff, a sandbox)."""
    request_or_404(request_id)
    kept = inbox.attachment_of(request_id, attachment_id)
    if kept is None:
        abort(404)
    response = send_file(
        io.BytesIO(kept.data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=kept.filename,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/requests/<int:request_id>/forget", methods=["GET", "POST"])
def forget(request_id: int):
    """Ask for confirmation, then delete every request from this request's address."""
    item = request_or_404(request_id)
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


@bp.route("/requests/<int:request_id>/delete", methods=["GET", "POST"])
def delete(request_id: int):
    """Ask for confirmation, then delete the request for good."""
    item = request_or_404(request_id)
    form = DeleteForm()
    if form.validate_on_submit():
        reference = casework.delete(item, current_user)
        flash(_("Request %(reference)s was deleted.", reference=reference), "success")
        return redirect(url_for("admin.index"), 303)
    return render_template("admin/delete.html", item=item, form=form)

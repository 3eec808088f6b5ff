"""Routes of the staff area: sign-in, the list of requests, a request, export, deletion."""

import time
from datetime import date

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf.csrf import CSRFError

from .. import accounts
from .. import casework
from .. import correspondence
from .. import csv_export
from .. import request_list
from .. import saved_replies
from .. import signin_throttle
from .. import vocabulary
from ..errors import render_error
from ..extensions import db
from ..extensions import limiter
from ..i18n import current_lang
from ..i18n import staff_languages
from ..models import ContactRequest
from ..responses import fragment_or_page
from ..responses import wants_fragment
from . import SIGNED_IN_AT
from . import bp
from . import replies
from .forms import AnswerForm
from .forms import DeleteForm
from .forms import FilterForm
from .forms import LanguageForm
from .forms import LoginForm
from .forms import LogoutForm
from .forms import NoteForm
from .forms import ResendForm
from .forms import SpamForm
from .forms import StatusForm
from .forms import assign_form
from .reply_forms import ReplyChoiceForm
from .reply_forms import prefilled_answer
from .safety import safe_next


def _failed_sign_in(response: Response) -> bool:
    # Only failures count against the per-address limit: a successful sign-in redirects.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed_sign_in
)
def login():
    """Sign in; afterwards go back to the page asked for (a local one only)."""
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("admin.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data
        if signin_throttle.wait_seconds(email):
            abort(429)
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            signin_throttle.succeeded(email)
            _sign_in(user)
            return redirect(target or url_for("admin.index"))
        signin_throttle.failed(email)
        form.email.errors.append(_("The e-mail address or password is not correct"))
    if form.is_submitted():
        status = 422
    form.next.data = target or ""
    return render_template("admin/login.html", form=form, next=target), status


def _sign_in(user) -> None:
    """A fresh session for the account: nothing from before the sign-in survives it."""
    chosen = session.get("admin_lang")
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = time.time()
    if user.language in staff_languages():
        session["admin_lang"] = user.language
    elif chosen in staff_languages():
        session["admin_lang"] = chosen
        accounts.remember_language(user, chosen)


@bp.errorhandler(429)
def throttled(_exc) -> tuple[str, int]:
    """A 429 on sign-in: the form again, with the reason instead of a bare error page."""
    form = LoginForm(
        formdata=None,
        email=request.form.get("email", ""),
        next=safe_next(request.form.get("next")) or "",
    )
    form.email.errors = [_("Too many sign-in attempts. Please wait a few minutes and try again.")]
    return render_template("admin/login.html", form=form, next=form.next.data), 429


@bp.errorhandler(CSRFError)
def csrf_failed(_exc):
    """An expired or missing token: the form again with what was typed, not an error page."""
    message = _("This page was open for a long time. Please send it again.")
    if request.endpoint == "admin.login":
        form = LoginForm(
            formdata=None,
            email=request.form.get("email", ""),
            next=safe_next(request.form.get("next")) or "",
        )
        form.email.errors = [message]
        return render_template("admin/login.html", form=form, next=form.next.data), 400
    if request.endpoint in replies.FORM_ENDPOINTS and current_user.is_authenticated:
        return replies.form_again(message)
    request_id = (request.view_args or {}).get("request_id")
    item = db.session.get(ContactRequest, request_id) if request_id else None
    if item is None or not current_user.is_authenticated:
        return render_error(400)
    if request.endpoint == "admin.add_note":
        form = NoteForm(formdata=None, body=request.form.get("body", ""))
        form.body.errors = [message]
        return _detail(item, 400, "admin/_notes_update.html", note_form=form)
    if request.endpoint == "admin.answer":
        form = AnswerForm(
            formdata=None,
            subject=request.form.get("answer-subject", ""),
            body=request.form.get("answer-body", ""),
            status=request.form.get("answer-status", "answered"),
        )
        form.body.errors = [message]
        return _detail(item, 400, "admin/_conversation_update.html", answer_form=form)
    if request.endpoint == "admin.assign":
        form = assign_form(item, formdata=None, assignee=request.form.get("assign-assignee"))
        form.assignee.errors = [message]
        return _detail(item, 400, "admin/_assignment_update.html", assign_form=form)
    if request.endpoint == "admin.change_status":
        form = StatusForm(formdata=None, status=request.form.get("status"))
        form.status.errors = [message]
        return _detail(item, 400, "admin/_status_update.html", status_form=form)
    return render_error(400)


@bp.post("/logout")
def logout():
    """Sign out here and in every other session of the account, then show the sign-in page."""
    if LogoutForm().validate_on_submit():
        accounts.end_sessions(current_user)
        chosen = session.get("admin_lang")
        logout_user()
        session.clear()
        if chosen:
            session["admin_lang"] = chosen
        flash(_("You have signed out."), "success")
    return redirect(url_for("admin.login"))


@bp.post("/language")
def language():
    """Remember the staff member's language: in the session, and on the account if signed in.

    A POST with a CSRF token, so a link on another site cannot change it.
    """
    form = LanguageForm()
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in staff_languages():
        session["admin_lang"] = lang
        if current_user.is_authenticated:
            accounts.remember_language(current_user, lang)
    default = "admin.index" if current_user.is_authenticated else "admin.login"
    return redirect(safe_next(form.next.data) or url_for(default))


def _filter_form_and_filters() -> tuple[FilterForm, request_list.Filters]:
    topics = vocabulary.topic_choices(current_lang())
    form = FilterForm(formdata=request.args)
    form.fill_choices(topics)
    filters = request_list.Filters.from_args(
        request.args, {value for value, _label in topics}, me=current_user.id
    )
    return form, filters


@bp.get("/")
def index():
    """The list of requests, filtered; htmx gets the results only."""
    form, filters = _filter_form_and_filters()
    pagination = request_list.page_of(filters)
    return fragment_or_page(
        "admin/_results.html",
        "admin/index.html",
        form=form,
        filters=filters,
        pagination=pagination,
        announce=wants_fragment(),
    )


@bp.get("/export.csv")
def export():
    """Every request matching the current filter as a CSV download."""
    _form, filters = _filter_form_and_filters()
    body = csv_export.export_csv(filters, current_lang())
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="requests-{date.today().isoformat()}.csv"'
    )
    return response


def _request_or_404(request_id: int) -> ContactRequest:
    item = db.session.get(ContactRequest, request_id)
    if item is None:
        abort(404)
    return item


def _detail(item: ContactRequest, status: int = 200, fragment: str | None = None, **forms):
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
    }
    if fragment:
        return fragment_or_page(fragment, "admin/detail.html", status, **context)
    return render_template("admin/detail.html", **context), status


@bp.get("/requests/<int:request_id>")
def detail(request_id: int):
    """Everything the visitor sent, the status, notes and history.

    `?reply=<id>` fills the answer with a saved reply; htmx gets the answer form only.
    """
    item = _request_or_404(request_id)
    if "reply" not in request.args:
        return _detail(item)
    answer_form, reply_form = prefilled_answer(item, request.args)
    return _detail(
        item,
        422 if reply_form.errors else 200,
        "admin/_answer_form.html",
        answer_form=answer_form,
        reply_form=reply_form,
    )


@bp.post("/requests/<int:request_id>/status")
def change_status(request_id: int):
    """Change the status: htmx gets the status panel and history, others a redirect."""
    item = _request_or_404(request_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail(item, 422, "admin/_status_update.html", status_form=form)
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
        return _detail(item, 200, "admin/_status_update.html", announce=message)
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id), 303)


@bp.post("/requests/<int:request_id>/notes")
def add_note(request_id: int):
    """Append a note: htmx gets the notes and history, others a redirect."""
    item = _request_or_404(request_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail(item, 422, "admin/_notes_update.html", note_form=form)
    casework.add_note(item, form.body.data, current_user)
    message = _("Note added.")
    if wants_fragment():
        return _detail(item, 200, "admin/_notes_update.html", announce=message)
    flash(message, "success")
    return redirect(url_for("admin.detail", request_id=item.id, _anchor="notes"), 303)


@bp.route("/requests/<int:request_id>/delete", methods=["GET", "POST"])
def delete(request_id: int):
    """Ask for confirmation, then delete the request for good."""
    item = _request_or_404(request_id)
    form = DeleteForm()
    if form.validate_on_submit():
        reference = casework.delete(item, current_user)
        flash(_("Request %(reference)s was deleted.", reference=reference), "success")
        return redirect(url_for("admin.index"), 303)
    return render_template("admin/delete.html", item=item, form=form)

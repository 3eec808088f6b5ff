"""Signing in and out of the staff area, and choosing its language."""

import time

from flask import abort
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

from webapp.admin import SIGNED_IN_AT
from webapp.admin import bp
from webapp.admin.forms import LanguageForm
from webapp.admin.forms import LoginForm
from webapp.admin.forms import LogoutForm
from webapp.helpdesk import accounts
from webapp.helpdesk import signin_throttle
from webapp.web.i18n import staff_languages
from webapp.web.next_url import safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; afterwards go back to the page asked for (a local one only)."""
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("admin.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data
        # Counted before the slow password check, so guesses sent at once count one by
        # one (LOGIN_RATE_LIMIT per address, and the waits per account and address).
        if not signin_throttle.attempt(email, request.remote_addr or ""):
            abort(429)
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            signin_throttle.succeeded(email, request.remote_addr or "")
            _sign_in(user)
            return redirect(target or url_for("admin.index"))
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


def form_again(message: str):
    """After an expired CSRF token: the sign-in form again with the address typed, and why."""
    form = LoginForm(
        formdata=None,
        email=request.form.get("email", ""),
        next=safe_next(request.form.get("next")) or "",
    )
    form.email.errors = [message]
    return render_template("admin/login.html", form=form, next=form.next.data), 400


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

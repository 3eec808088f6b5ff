"""Routes of the help form: show it, take a request, confirm it.

With htmx the POST answers with the form (errors) or the confirmation fragment;
without JavaScript it redirects to the confirmation page (POST, redirect, GET).
"""

from flask import current_app
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from webapp.extensions import limiter
from webapp.help import bp
from webapp.help.forms import HelpForm
from webapp.help.forms import StatusForm
from webapp.help.status import status_page
from webapp.helpdesk import submission
from webapp.web.errors import render_error
from webapp.web.responses import fragment_or_page
from webapp.web.responses import wants_fragment

# Why a request was not sent although the visitor did nothing wrong; shown above the form.
PROBLEMS = {
    "expired": _l(
        "For your security, the form had expired. Your details are still here: "
        "please check them and send the form again."
    ),
    "limited": _l(
        "You have sent this form too often in a short time. Your details are "
        "still here: please wait a few minutes and send it again."
    ),
    "unavailable": _l(
        "Your request has not been sent because of a technical problem on our "
        "side. Your details are still here: please try again in a few minutes."
    ),
}
# The same for the status lookup, which has nothing to send.
STATUS_PROBLEMS = {
    "expired": _l("For your security, the page had expired. Please look your request up again."),
    "limited": _l(
        "You have looked up requests too often in a short time. Please wait a few minutes "
        "and try again."
    ),
}
SESSION_KEY = "help_reference"


@bp.context_processor
def help_context() -> dict:
    """The reply promise the confirmation makes, in working days."""
    return {"reply_days": int(current_app.config["HELP_REPLY_DAYS"])}


def _form_page(form: HelpForm, status: int = 200, problem: str | None = None):
    return fragment_or_page(
        "help/_form_fragment.html",
        "help/form.html",
        status,
        form=form,
        problem=PROBLEMS.get(problem) if problem else None,
    )


@bp.get("")
def form():
    """The empty form; `?topic=<slug or topic>` preselects the topic."""
    form = HelpForm(lang=g.lang)
    wanted = request.args.get("topic", "")
    if any(choice.value == wanted for choice in form.topic.iter_choices()):
        form.topic.data = wanted
    return _form_page(form)


@bp.post("")
@limiter.limit(lambda: current_app.config["HELP_RATE_LIMIT"], methods=["POST"])
def send():
    """Validate and store a request (CSRF was checked before this runs)."""
    form = HelpForm(lang=g.lang)
    if not form.topics_available:
        return _form_page(form, 503, "unavailable")
    if not form.validate():
        return _form_page(form, 422)
    spam = form.is_spam()
    try:
        stored = submission.submit(form.submission(), g.lang, spam=spam)
    except submission.Unavailable:
        return _form_page(form, 503, "unavailable")
    reference = stored.reference
    if spam:
        # Looks like a success to the bot, bothers nobody; staff see it under "spam".
        current_app.logger.info("Help desk: honeypot filled, %s stored as spam", reference)
    if wants_fragment():
        return fragment_or_page("help/_sent_fragment.html", "help/sent.html", reference=reference)
    session[SESSION_KEY] = reference
    return redirect(url_for("help.sent"), 303)


@bp.get("/sent")
def sent():
    """The confirmation after a POST without JavaScript; shows only this visitor's reference."""
    reference = session.get(SESSION_KEY)
    if not reference:
        return redirect(url_for("help.form"))
    return fragment_or_page("help/_sent_fragment.html", "help/sent.html", reference=reference)


def _status_page(code: int, problem: str):
    form = StatusForm(formdata=None, reference=request.form.get("reference", ""))
    form.email.data = request.form.get("email", "")
    return status_page(form, code, problem=STATUS_PROBLEMS[problem])


@bp.errorhandler(CSRFError)
def csrf_failed(_exc: CSRFError):
    """A missing or expired token: show the input again with a fresh token."""
    if request.endpoint == "help.status_lookup_post":
        return _status_page(400, "expired")
    return _form_page(HelpForm(lang=g.lang), 400, "expired")


@bp.errorhandler(429)
def too_many(_exc):
    """Over the rate limit: keep the input and ask to wait."""
    if request.endpoint == "help.status_lookup_post":
        return _status_page(429, "limited")
    return _form_page(HelpForm(lang=g.lang), 429, "limited")


@bp.errorhandler(413)
def too_large(exc):
    """A body over MAX_CONTENT_LENGTH cannot be read back. With htmx the form stays as
    typed and a notice appears above it; without JavaScript, the friendly error page."""
    if not wants_fragment():
        return render_error(413)
    response = make_response(render_template("help/_too_large.html"), 413)
    response.headers["HX-Reswap"] = "none"  # keep the visitor's form; the notice is out of band
    response.vary.add("HX-Request")
    return response

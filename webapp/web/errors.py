"""Error pages in the site's look and the visitor's language, never a stack trace."""

from urllib.parse import urlsplit

from flask import Flask
from flask import render_template
from flask import request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import SecurityError

from webapp.extensions import db
from webapp.extensions import htmx

MESSAGES = {
    400: (
        _l("Something went wrong with your request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    401: (
        _l("Please sign in"),
        _l("You are not signed in, or your session has ended. Please sign in to continue."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (
        _l("Page not found"),
        _l(
            "If you typed the web address, check it is correct. "
            "If you followed a link, the page may have moved."
        ),
    ),
    405: (
        _l("This action is not possible here"),
        _l("Please go back and use the buttons and links on the page."),
    ),
    409: (
        _l("This is not possible"),
        _l("It does not fit the current state of this item. Please go back and reload the page."),
    ),
    413: (_l("What you sent is too large"), _l("Please shorten your text and send it again.")),
    429: (
        _l("Too many attempts"),
        _l(
            "You have sent this too often in a short time. Please wait a few minutes and try again."
        ),
    ),
    500: (
        _l("Sorry, there is a problem with the service"),
        _l("Please try again later. Nothing you sent has been lost if you saw a confirmation."),
    ),
    503: (_l("Sorry, the service is unavailable"), _l("Please try again in a few minutes.")),
}


FALLBACK = (
    '<!doctype html><html lang="de"><title>Fehler / Error</title>'
    "<h1>Entschuldigung, ein Fehler ist aufgetreten.</h1>"
    '<p lang="en">Sorry, something went wrong. Please try again later.</p></html>'
)


def render_error(code: int, whole_page: bool = False, link: tuple[str, str] | None = None):
    """Render the page (or, for htmx, the fragment) for an HTTP error code.

    `whole_page` renders the page even for htmx, for answers htmx does not swap in but
    that a person (or a probe) may still read; `link` is (address, text) of the way on,
    the home page when not given.
    """
    title, text = MESSAGES.get(code, MESSAGES[500])
    template = "errors/_error.html" if htmx and not whole_page else "errors/error.html"
    response = render_template(template, code=code, title=title, text=text, link=link)
    return response, code


def _use_own_host(app: Flask) -> None:
    """A Host header outside TRUSTED_HOSTS: build the error page's links for the site's
    own name (PUBLIC_BASE_URL), so the forged one never appears in them."""
    own = urlsplit(app.config["PUBLIC_BASE_URL"]).netloc
    request.host = own
    request_ctx.url_adapter = app.url_map.bind(
        own, script_name=request.root_path or "/", url_scheme=request.scheme
    )


def register(app: Flask) -> None:
    """Register a handler for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, SecurityError) and request_ctx.url_adapter is None:
            _use_own_host(app)
        response, code = render_error(exc.code or 500)
        result = app.make_response((response, code))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            result.headers["Allow"] = ", ".join(exc.valid_methods)
        result.vary.add("HX-Request")
        return result

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("Unhandled error", exc_info=exc)
        db.session.rollback()
        try:
            return render_error(500)
        except Exception:  # the error page itself failed: answer plainly, still no trace
            app.logger.exception("Error page failed")
            return FALLBACK, 500, {"Content-Type": "text/html; charset=utf-8"}

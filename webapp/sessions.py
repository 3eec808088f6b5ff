"""Sessions: Flask's signed cookie, marked Secure over HTTPS, not parsed without a cookie."""

from flask import Flask
from flask import has_request_context
from flask import request
from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the signer set-up when there is no cookie.

    Most visitors of the public pages send no cookie; building the serializer anyway
    was a tenth of such a request's time (measured with pyinstrument).
    """

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        """Secure when configured, and always when the request came over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def register(app: Flask) -> None:
    """Use the cookie sessions above."""
    app.session_interface = CookieSessions()

"""Sessions: Flask's signed cookie, marked Secure over HTTPS, kept out of public pages."""

from flask import Flask
from flask import has_request_context
from flask import request
from flask.sessions import SecureCookieSessionInterface

from . import http_caching


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the signer set-up when there is no cookie.

    Most visitors of the public pages send no cookie; building the serializer anyway
    was a tenth of such a request's time (measured with pyinstrument).
    """

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        """As Flask does; a response that touched the session is never public.

        `accessed` is set by any use of the session during the request (since Flask 3.1
        even by naming it). Public pages never do; if one did, a shared cache would hand
        one visitor's page (or cookie) to everyone, so it is made private instead.
        """
        if session.accessed and response.cache_control.public:
            app.logger.warning("A public page touched the session; sent it as private")
            http_caching.make_private(response)
        super().save_session(app, session, response)

    def get_cookie_secure(self, app) -> bool:
        """Secure when configured, and always when the request came over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def register(app: Flask) -> None:
    """Use the cookie sessions above."""
    app.session_interface = CookieSessions()

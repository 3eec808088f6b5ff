"""Sessions: Flask's signed cookie, marked Secure over HTTPS, kept out of public pages.

Public pages (http_caching.py) are the same for every visitor, so their requests get an
empty session that cannot be written, whatever cookie they carry: no public page can come
to depend on it, and reading it (Flask-Login's hook after every response does) tells a
cache nothing about the visitor.
"""

from flask import Flask
from flask import has_request_context
from flask import request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface

from webapp.web import http_caching


class PublicPageSession(SecureCookieSession):
    """The session of a public page: always empty, and writing to it is a mistake."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("Public pages never write the session (see webapp/web/sessions.py).")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _refuse


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, never opened for public pages."""

    def open_session(self, app, request):
        if http_caching.public_path(request.path, app.config["LANGUAGES"]):
            return PublicPageSession()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        """As Flask does; a response that touched the session is never public.

        A public page's session is always empty, so it sends no cookie and varies by none.
        `accessed` is set by any use of the session during the request (since Flask 3.1
        even by naming it). If a public response touched a real session, a shared cache
        would hand one visitor's page (or cookie) to everyone, so it is made private.
        """
        if isinstance(session, PublicPageSession):
            return
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

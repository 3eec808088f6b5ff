"""Flask extensions, created once and bound to the app in create_app()."""

from flask import Response
from flask import current_app
from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from webapp.web.http_caching import PUBLIC_BLUEPRINTS  # imports nothing of ours


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()


class Compression(Compress):
    """Flask-Compress, minus one fault: it gzips for `Accept-Encoding: gzip;q=0`, which says
    gzip is *not* acceptable. werkzeug reads the q-values right; gzip is our only encoding."""

    def after_request(self, response: Response) -> Response:
        if not request.accept_encodings["gzip"]:
            response.vary.add("Accept-Encoding")
            return response
        return super().after_request(response)


compress = Compression()
htmx = HTMX()


class StaffLoginManager(LoginManager):
    """Flask-Login for the staff area, without the remember-me cookie this site never issues
    (accounts.session_user refuses a session restored from one).

    Flask-Login refreshes that cookie in a hook after every response, and the hook looks
    into the session; since Flask 3.1 merely looking marks the session accessed, which
    would give every public page `Vary: Cookie` and make it private (sessions.py).
    """

    def _update_remember_cookie(self, response):
        return response


login_manager = StaffLoginManager()


class PageLimiter(Limiter):
    """Flask-Limiter, minus its check before the view on public pages that no limit reaches.

    Our limits are declared per route (the help form, the status lookup, sign-in) and are
    checked where they are declared. The check before every view looks for limits over all
    routes (application, default and meta limits, a blueprint's, a limit a view entered):
    a public page has none of these unless they are configured, and finding nothing was a
    twentieth of the overview's time. Whenever one is configured, the check runs as before.
    """

    def _check_request_limit(self, callable_name=None, in_middleware: bool = True) -> None:
        if in_middleware and self._unreachable(request.blueprint, request.endpoint):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _unreachable(self, blueprint: str | None, endpoint: str | None) -> bool:
        """No limit can apply to this request: a public page, and no limit over routes."""
        manager = self.limit_manager
        return (
            blueprint in PUBLIC_BLUEPRINTS
            and not manager.application_limits
            and not manager.default_limits
            and not self._meta_limits
            # Resolving a blueprint's limits takes longer than the rest: only when any exist.
            and not (manager._blueprint_limits and manager.blueprint_limits(current_app, blueprint))
            and not manager.has_hints(endpoint or "")
        )


# Limits are declared per route; storage comes from RATELIMIT_STORAGE_URI.
limiter = PageLimiter(key_func=get_remote_address)

"""Flask extensions, created once and bound to the app in create_app()."""

from flask import Response
from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
# The overview's rendered cards (webapp/public/cards.py); per process, in memory.
cache = Cache()


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


# Flask-Login reads the session after every response; on a public page that session is
# always empty (web/sessions.py), so reading it changes nothing a cache could see.
login_manager = LoginManager()


# Limits are declared per route (the help form, the status lookup, sign-in; POST only);
# storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)

"""The staff area under /admin: sign-in, the list of requests, a request and its actions,
saved replies and the overview.

Modules here register routes on `bp` and may import `webapp.helpdesk`, `webapp.mail`,
`webapp.web` and `webapp.models`; never another blueprint.
"""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import make_response
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import htmx
from webapp.extensions import login_manager
from webapp.helpdesk import accounts
from webapp.models import StaffUser
from webapp.web.errors import render_error
from webapp.web.next_url import safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The only endpoints open to anonymous visitors: signing in and choosing its language.
PUBLIC_ENDPOINTS = {"admin.login", "admin.language"}
SIGNED_IN_AT = "signed_in_at"  # session key: when this session signed in (Unix time)


@login_manager.user_loader
def load_user(token: str) -> StaffUser | None:
    """Flask-Login: the signed-in staff member, or None when the session has ended."""
    return accounts.session_user(
        token, session.get(SIGNED_IN_AT), current_app.config["STAFF_SESSION_HOURS"]
    )


def _current_path() -> str | None:
    """The page htmx was on, as a local path, or None (also for a malformed URL)."""
    try:
        page = urlsplit(htmx.current_url or "")
    except ValueError:  # e.g. "http://[abc": an unclosed IPv6 bracket
        return None
    return safe_next(page.path + (f"?{page.query}" if page.query else ""))


@bp.before_request
def require_staff():
    """Every admin route but sign-in needs a signed-in member of staff.

    Done once for the blueprint, so a new route cannot forget it. An htmx request
    (e.g. after the session ended) is told to load the sign-in page as a whole page,
    rather than having it swapped into a part of the current one.
    """
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if htmx:
        # htmx follows HX-Redirect and swaps nothing for a 401; the body is the sign-in
        # notice as a whole page, for anyone reading the answer without htmx.
        sign_in = url_for("admin.login", next=_current_path())
        page, code = render_error(401, whole_page=True, link=(sign_in, _("Sign in")))
        response = make_response(page, code)
        response.headers["HX-Redirect"] = sign_in
        response.vary.add("HX-Request")
        return response
    return login_manager.unauthorized()


# The staff area's modules register their routes on `bp`; imported here, after it exists.
from webapp.admin import form_errors  # noqa: E402,F401
from webapp.admin import listing  # noqa: E402,F401
from webapp.admin import navigation  # noqa: E402,F401
from webapp.admin import overview  # noqa: E402,F401
from webapp.admin import request_page  # noqa: E402,F401
from webapp.admin import saved_reply_pages  # noqa: E402,F401
from webapp.admin import signin  # noqa: E402,F401
from webapp.admin import template_helpers  # noqa: E402,F401

"""The staff area under /admin."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import Response
from flask import request
from flask import url_for
from flask_login import current_user

from ..extensions import db
from ..extensions import htmx
from ..extensions import login_manager
from ..models import StaffUser
from .safety import safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The only endpoint open to anonymous visitors.
PUBLIC_ENDPOINTS = {"admin.login"}


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login: the signed-in staff member, or None."""
    try:
        return db.session.get(StaffUser, int(user_id))
    except ValueError:
        return None


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
        response = Response(status=401)
        page = urlsplit(htmx.current_url or "")
        back = safe_next(page.path + (f"?{page.query}" if page.query else ""))
        response.headers["HX-Redirect"] = url_for("admin.login", next=back)
        response.vary.add("HX-Request")
        return response
    return login_manager.unauthorized()


@bp.after_request
def no_store(response: Response) -> Response:
    """Staff pages hold personal data: no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


from . import helpers  # noqa: E402,F401
from . import routes  # noqa: E402,F401
from . import visitor  # noqa: E402,F401

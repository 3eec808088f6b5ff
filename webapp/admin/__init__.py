"""The staff area under /admin."""

from flask import Blueprint

from ..extensions import db
from ..extensions import login_manager
from ..models import StaffUser

bp = Blueprint("admin", __name__, url_prefix="/admin")


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login: the signed-in staff member, or None."""
    try:
        return db.session.get(StaffUser, int(user_id))
    except ValueError:
        return None


from . import routes  # noqa: E402,F401

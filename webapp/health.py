"""`/healthz` for load balancers and monitors: 200 when the database answers, 503 when not."""

from flask import Blueprint
from flask import Response
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .extensions import limiter

bp = Blueprint("health", __name__)


def _plain(body: str, status: int) -> Response:
    response = Response(body + "\n", status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """Ask the database for `SELECT 1`; no session, no template, no rate limit."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("Health check: database unreachable: %s", exc.__class__.__name__)
        return _plain("database unavailable", 503)
    finally:
        db.session.remove()
    return _plain("ok", 200)

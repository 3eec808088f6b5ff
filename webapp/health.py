"""`/healthz` for load balancers and monitors: 200 when the database takes a write, 503 when not.

Reading alone is not enough: a SQLite file that became unwritable, or a PostgreSQL server
gone read-only, still answers `SELECT 1` while every help request fails.

A rate-limit storage (Redis) that does not answer keeps the site up: the limits go on in
each process's memory. The answer stays 200 and names it, for the monitor to alert on.
"""

from flask import Blueprint
from flask import Response
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.extensions import limiter

bp = Blueprint("health", __name__)


def _plain(body: str, status: int) -> Response:
    return Response(body + "\n", status, mimetype="text/plain")


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """Write to the database inside a transaction that is rolled back; no session, no
    template, no rate limit. The row written is Alembic's, which every deployment has.
    Then ask the rate-limit storage (a PING for Redis)."""
    try:
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except SQLAlchemyError as exc:
        current_app.logger.warning("Health check: database unusable: %s", exc.__class__.__name__)
        return _plain("database unavailable", 503)
    finally:
        db.session.rollback()
        db.session.remove()
    if not limiter.storage.check():
        current_app.logger.warning("Health check: rate-limit storage unreachable")
        return _plain("ok\nlimiter: degraded (memory fallback)", 200)
    return _plain("ok", 200)

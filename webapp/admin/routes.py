"""Routes of the staff area (placeholder until the admin issue)."""

from flask import abort

from . import bp


@bp.get("/login")
def login():
    """Sign in."""
    abort(404)

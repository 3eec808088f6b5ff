"""Routes of the help form (placeholder until the help-form issue)."""

from flask import render_template

from . import bp


@bp.get("")
def form():
    """How to get in touch."""
    return render_template("help/form.html")

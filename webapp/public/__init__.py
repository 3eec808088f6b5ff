"""Public pages under /<lang>/: the overview, the alliances, the legal pages, Leichte Sprache.

May import `webapp.content`, `webapp.web` and `webapp.models`; never another blueprint.
Public pages never open the session, so nginx may cache them (`webapp.web.sessions`).
"""

from flask import Blueprint

from webapp.web.i18n import localize

bp = localize(Blueprint("public", __name__, url_prefix="/<lang>"))
root_bp = Blueprint("root", __name__)

from webapp.public import cards  # noqa: E402,F401  (the cards' template global attaches itself to bp)
from webapp.public import routes  # noqa: E402,F401  (routes attach themselves to bp)

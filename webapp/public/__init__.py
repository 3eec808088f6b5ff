"""Public pages: overview, initiatives, and the statutory pages, under /<lang>/."""

from flask import Blueprint

from webapp.web.i18n import localize

bp = localize(Blueprint("public", __name__, url_prefix="/<lang>"))
root_bp = Blueprint("root", __name__)

from webapp.public import cards  # noqa: E402,F401  (the cards' template global attaches itself to bp)
from webapp.public import routes  # noqa: E402,F401  (routes attach themselves to bp)

"""Public pages: overview, initiatives, and the statutory pages, under /<lang>/."""

from flask import Blueprint

from ..i18n import localize

bp = localize(Blueprint("public", __name__, url_prefix="/<lang>"))
root_bp = Blueprint("root", __name__)

from . import cards  # noqa: E402,F401  (the cards' template global attaches itself to bp)
from . import routes  # noqa: E402,F401  (routes attach themselves to bp)

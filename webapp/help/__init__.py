"""The help desk form, "Can we help you?", under /<lang>/help."""

from flask import Blueprint

from ..i18n import localize

bp = localize(Blueprint("help", __name__, url_prefix="/<lang>/help"))

from . import routes  # noqa: E402,F401
from . import status  # noqa: E402,F401

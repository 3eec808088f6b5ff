"""The help desk form, "Can we help you?", under /<lang>/help, and the status lookup.

May import `webapp.helpdesk`, `webapp.content`, `webapp.web` and `webapp.models`; never
another blueprint.
"""

from flask import Blueprint

from webapp.web.i18n import localize

bp = localize(Blueprint("help", __name__, url_prefix="/<lang>/help"))

from webapp.help import routes  # noqa: E402,F401
from webapp.help import status  # noqa: E402,F401

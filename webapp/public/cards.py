"""The overview's cards: one initiative, in the page's language, open or closed.

The card htmx swaps in (routes._card) is rendered by the route itself: it announces itself.
"""

from flask import render_template
from markupsafe import Markup

from webapp.content.initiatives import Shown
from webapp.public import bp


@bp.app_template_global()
def card(item: Shown, expanded: bool = False) -> Markup:
    """The card of `item` on the overview, in the page's language, open or closed."""
    return Markup(
        render_template("public/_card.html", initiative=item, expanded=expanded, announce=False)
    )

"""The overview's cards: one alliance, in the page's language, open or closed.

The four cards are most of the overview's markup and the same for every visitor, so each
is rendered once per process and kept (Flask-Caching): a fifth of the overview's time
(1.6 ms -> 1.2 ms per page in-process; `make bench`'s uncached render path 0.14x -> 0.18x
a bare Flask hello). The key is everything a card depends on: the content version it was read at
(`flask content load` raises it, so new content shows at once), the alliance, the
language, open or closed, and where the app is mounted (its links). Without a version (no
content state yet) nothing is kept. The card htmx swaps in (routes._card) is rendered by
the route itself, every time: it announces itself.
"""

from flask import render_template
from flask import request
from markupsafe import Markup

from webapp.content.initiatives import Shown
from webapp.extensions import cache
from webapp.public import bp
from webapp.web.i18n import current_lang


@bp.app_template_global()
def card(item: Shown, expanded: bool = False) -> Markup:
    """The card of `item` on the overview, in the page's language, open or closed."""
    if item.version is None:
        return _render(item, expanded)
    key = f"card/{item.version}/{item.slug}/{current_lang()}/{int(expanded)}/{request.script_root}"
    html = cache.get(key)
    if html is None:
        html = _render(item, expanded)
        cache.set(key, str(html))
    return Markup(html)


def _render(item: Shown, expanded: bool) -> Markup:
    return Markup(
        render_template("public/_card.html", initiative=item, expanded=expanded, announce=False)
    )

"""The overview's cards, rendered once per content version, language, state and mount point.

The four cards are most of the overview's markup and the same for every visitor; rendering
them was a sixth of the page's time. A card shows one initiative as read at one content
version (initiatives.py), in the page's language, open or closed, with addresses relative to
where the app is mounted (SCRIPT_NAME). Under those as a key each is rendered once per
worker: `flask content load` raises the version, so a card of new content is rendered anew
on every worker as soon as that worker reads it. Without a version (no content state yet)
nothing is kept.

The card htmx swaps in (routes._card) is rendered every time: it announces itself.
"""

from flask import current_app
from flask import render_template
from flask import request
from markupsafe import Markup

from webapp.content.initiatives import Shown
from webapp.public import bp

# Keys are bounded by the content (versions x slugs x languages x 2); should the mount
# point vary too, the memo starts over rather than grow.
LIMIT = 512


@bp.record_once
def _memo(state) -> None:
    state.app.extensions["cards"] = {}


@bp.app_template_global()
def card(item: Shown, lang: str, expanded: bool = False) -> Markup:
    """The card of `item` on the overview in `lang` (the page's), open or closed."""
    if item.version is None:
        return Markup(_render(item, expanded))
    key = (item.version, item.slug, lang, expanded, request.script_root)
    memo = current_app.extensions["cards"]
    html = memo.get(key)
    if html is None:
        html = Markup(_render(item, expanded))
        if len(memo) >= LIMIT:
            memo.clear()
        memo[key] = html
    return html


def _render(item: Shown, expanded: bool) -> str:
    return render_template("public/_card.html", initiative=item, expanded=expanded, announce=False)

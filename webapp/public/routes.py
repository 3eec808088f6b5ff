"""Routes of the public pages."""

from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for

from webapp.content import initiatives
from webapp.content import operator_details
from webapp.content import statutory
from webapp.public import bp
from webapp.public import root_bp
from webapp.web.i18n import best_from_browser
from webapp.web.i18n import current_lang
from webapp.web.responses import fragment_or_page
from webapp.web.responses import wants_fragment

STATIC_PAGES = ("imprint", "privacy", "accessibility")
EASY_READ_LANG = "de"


@root_bp.get("/")
def root():
    """`/`: send the visitor to their language's overview."""
    response = redirect(url_for("public.overview", lang=best_from_browser()))
    response.vary.add("Accept-Language")
    return response


@bp.get("/")
def overview():
    """The programme intro and a card for each initiative."""
    return render_template(
        "public/overview.html", initiatives=initiatives.all_initiatives(), open_slug=None
    )


def _initiative_or_404(slug: str):
    initiative = initiatives.find(slug)
    if initiative is None:
        abort(404)
    return initiative


@bp.get("/initiatives/<slug>")
def initiative(slug: str):
    """The detail page of one initiative."""
    item = _initiative_or_404(slug)
    return render_template(
        "public/initiative.html", initiative=item, text=item.text(current_lang())
    )


@bp.get("/initiatives/<slug>/summary")
def summary(slug: str):
    """The card expanded (htmx), or the overview with that card open."""
    return _card(slug, expanded=True)


@bp.get("/initiatives/<slug>/teaser")
def teaser(slug: str):
    """The card collapsed again (htmx), or the overview with every card closed."""
    return _card(slug, expanded=False)


def _card(slug: str, expanded: bool):
    item = _initiative_or_404(slug)
    # The overview needs every initiative; the fragment only this one.
    shown = () if wants_fragment() else initiatives.all_initiatives()
    return fragment_or_page(
        "public/_card.html",
        "public/overview.html",
        initiative=item,
        expanded=expanded,
        announce=True,
        initiatives=shown,
        open_slug=slug if expanded else None,
    )


@bp.get("/<any(imprint, privacy, accessibility):page>")
def page(page: str):
    """Imprint, privacy notice and accessibility statement, from the operator's details."""
    details = operator_details.current().for_language(current_lang())
    return render_template(
        f"public/{page}.html", page=page, facts=statutory.facts(current_app.config, details)
    )


@bp.get("/leichte-sprache")
def easy_read():
    """The site explained in German Leichte Sprache (BITV 2.0 § 4).

    Leichte Sprache is a form of German, so the page exists in German only; the
    address under another language prefix leads there.
    """
    if g.lang != EASY_READ_LANG:
        return redirect(url_for("public.easy_read", lang=EASY_READ_LANG), 301)
    return render_template("public/easy_read.html")

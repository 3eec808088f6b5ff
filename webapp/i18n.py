"""Languages: the language lives in the URL (/de/..., /en/...); Babel follows it."""

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale


def supported() -> tuple[str, ...]:
    """The site's languages, German first (the default)."""
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Babel's locale selector: URL language, staff choice, then the browser's wish."""
    lang = g.get("lang")
    if lang:
        return lang
    first = request.path.strip("/").split("/", 1)[0]
    if first in supported():
        return first
    chosen = session.get("admin_lang")
    if chosen in supported():
        return chosen
    return best_from_browser()


def localize(bp: Blueprint) -> Blueprint:
    """Make a blueprint under /<lang>/ take its language from the URL (unknown: 404)."""

    @bp.url_value_preprocessor
    def pull_lang(_endpoint, values) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in supported():
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(_endpoint, values) -> None:
        if "lang" not in values and g.get("lang"):
            values["lang"] = g.lang

    return bp


def best_from_browser() -> str:
    """The Accept-Language match among our languages, German when nothing matches."""
    return request.accept_languages.best_match(supported(), default=supported()[0])


def current_lang() -> str:
    """The language of the current response as a short code."""
    return str(get_locale() or supported()[0])


# Pages whose full-page form is a view of another page: their canonical is that page.
CANONICAL_ENDPOINT = {"public.summary": "public.overview", "public.teaser": "public.overview"}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def page_url(lang: str, canonical: bool = False, external: bool = False) -> str:
    """This page's address in another language (the overview when there is no such page)."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    if not endpoint or not g.get("lang") or request.routing_exception:
        return url_for("public.overview", lang=lang, _external=external)
    if canonical:
        endpoint = CANONICAL_ENDPOINT.get(endpoint, endpoint)
        if endpoint != request.endpoint:
            args = {}
    else:
        args.update(request.args.to_dict())
    return url_for(endpoint, **args, lang=lang, _external=external)


def register(app: Flask) -> None:
    """Expose language helpers to templates."""

    @app.context_processor
    def language_context() -> dict:
        return {
            "lang": current_lang(),
            "languages": supported(),
            "language_names": LANGUAGE_NAMES,
            "page_url": page_url,
        }

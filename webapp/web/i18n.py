"""Languages: the language lives in the URL (/de/..., /en/...); Babel follows it."""

from dataclasses import dataclass

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup


def supported() -> tuple[str, ...]:
    """The site's languages, German first (the default)."""
    return tuple(current_app.config["LANGUAGES"])


def staff_languages() -> tuple[str, ...]:
    """The staff area's languages (a subset of the site's): German and English."""
    return tuple(current_app.config["STAFF_LANGUAGES"])


def select_locale() -> str:
    """Babel's locale selector: URL language, staff choice, then the browser's wish.

    Outside the /<lang>/ pages (the staff area, errors without a language) only the
    staff languages are offered: the staff area is written for German and English.
    """
    lang = g.get("lang")
    if lang:
        return lang
    first = request.path.strip("/").split("/", 1)[0]
    if first in supported():
        return first
    chosen = session.get("admin_lang")
    if chosen in staff_languages():
        return chosen
    if first == "admin":
        return best_from_browser(staff_languages())
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


def best_from_browser(among: tuple[str, ...] | None = None) -> str:
    """The Accept-Language match among our languages, German when nothing matches.

    Each wish is compared by its primary subtag, in the browser's order of preference:
    "ro-RO, en;q=0.5" is Romanian (werkzeug's best_match would pick the exact "en").
    """
    among = among or supported()
    for tag, quality in request.accept_languages:  # sorted by quality, best first
        primary = tag.split("-", 1)[0].split("_", 1)[0].lower()
        if quality > 0 and primary in among:
            return primary
    return among[0]


def current_lang() -> str:
    """The language of the current response as a short code."""
    return str(get_locale() or supported()[0])


# Pages whose full-page form is a view of another page: their canonical is that page.
CANONICAL_ENDPOINT = {"public.summary": "public.overview", "public.teaser": "public.overview"}
# Pages that exist in one language only (Leichte Sprache is German): in any other
# language, "this page" is that language's overview.
SINGLE_LANGUAGE = {"public.easy_read": "de"}
# Each language named in itself, as its speakers look for it in a list.
LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "pl": "Polski",
    "cs": "Čeština",
    "hu": "Magyar",
    "ro": "Română",
}


def language_name(code: str | None) -> str:
    """A language code as its name (the code itself when unknown), for staff pages and e-mail."""
    return LANGUAGE_NAMES.get(code or "", code or "")


# The query parameters that belong to a page, kept when the visitor switches language (the
# help form's topic, the status lookup's reference); every other one is dropped.
OWN_QUERY = {"help.form": ("topic",), "help.status": ("reference",)}


@dataclass(frozen=True)
class PageLinks:
    """This page in every language: what the head links to and the language switch offers."""

    canonical: str  # absolute, in the page's language
    alternates: tuple[tuple[str, str], ...]  # (hreflang, absolute address), one per language
    x_default: str  # absolute, in the default language
    switch: dict[str, str]  # language -> this page's address there (relative), own query kept


def page_links() -> PageLinks:
    """This page's addresses in every language, built once per request (the head and the
    language switch both need them)."""
    links = g.get("page_links")
    if links is None:
        links = g.page_links = _page_links(current_lang(), supported())
    return links


def _page_links(current: str, languages: tuple[str, ...]) -> PageLinks:
    endpoint = request.endpoint
    view = _PageView(
        endpoint,
        request.view_args or {},
        own_query(endpoint),
        bool(g.get("lang")) and request.routing_exception is None,
    )
    canonical = {code: view.url(code, canonical=True) for code in languages}
    if not view.query and view.endpoint not in CANONICAL_ENDPOINT:
        switch = canonical  # the same addresses either way
    else:
        switch = {code: view.url(code, canonical=False) for code in languages}
    return PageLinks(
        canonical=canonical.get(current) or view.url(current, canonical=True),
        alternates=tuple(canonical.items()),
        x_default=canonical[languages[0]],
        switch={code: "/" + url.split("/", 3)[3] for code, url in switch.items()},
    )


def own_query(endpoint: str | None) -> dict[str, str]:
    """The request's query parameters that belong to the page `endpoint` (OWN_QUERY)."""
    names = OWN_QUERY.get(endpoint or "", ())
    return {name: request.args[name] for name in names if name in request.args}


@dataclass(frozen=True)
class _PageView:
    """What decides this page's address in another language."""

    endpoint: str | None
    view_args: dict
    query: dict[str, str]  # the page's own query parameters (OWN_QUERY)
    routed: bool  # a page under /<lang>/ that was found (not a 404 of a missing address)

    def url(self, lang: str, canonical: bool) -> str:
        """This page's absolute address in `lang` (the overview when there is no such page)."""
        endpoint = self.endpoint
        only = SINGLE_LANGUAGE.get(endpoint or "")
        if not endpoint or not self.routed or only not in (None, lang):
            return url_for("public.overview", lang=lang, _external=True)
        args = dict(self.view_args)
        if canonical:
            endpoint = CANONICAL_ENDPOINT.get(endpoint, endpoint)
            if endpoint != self.endpoint:
                args = {}
        else:
            args.update(self.query)
        return url_for(endpoint, **args, lang=lang, _external=True)


# make bench: the overview's uncached render path 0.18x -> 0.22x hello with this (12% of it).
def template_words() -> dict:
    """`gettext`/`ngettext` for one render, bound to its catalogue once (Jinja's i18n `_()`
    finds them in the context): Flask-Babel's own binding looks the catalogue up again for
    every string. Public API only (flask_babel.get_translations, Jinja's newstyle rules:
    autoescaped, always %-formatted)."""
    catalogue = get_translations()

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables) -> str:
        text = catalogue.ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = catalogue.ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


def register(app: Flask) -> None:
    """Expose the language helpers to templates (`_()` and `ngettext()` bound per render)."""

    @app.context_processor
    def language_context() -> dict:
        return {
            **template_words(),
            "lang": current_lang(),
            "languages": supported(),
            "staff_languages": staff_languages(),
            "language_names": LANGUAGE_NAMES,
            "page_links": page_links,
        }

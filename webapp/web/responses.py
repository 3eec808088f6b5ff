"""One URL, two shapes: the fragment for htmx, the full page otherwise."""

from flask import Response
from flask import make_response
from flask import render_template

from webapp.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that is not restoring history (that needs the full page).

    Only the exact value `true` counts for either header (flask-htmx compares so), as in
    nginx's cache key (deploy/nginx/wir.conf.in): two copies joined ("true,x"), "TRUE" or
    "1" get the full page.
    """
    return bool(htmx) and not htmx.history_restore_request


def fragment_or_page(fragment: str, page: str, status: int = 200, **context) -> Response:
    """Render `fragment` for htmx and `page` otherwise, marked `Vary: HX-Request`."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response

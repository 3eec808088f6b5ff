"""HTTP caching: which responses any cache may keep and share, decided in one place.

Public pages and fragments (overview, initiatives, the statutory pages, Leichte Sprache,
the redirect from `/`, and error pages of addresses under a language prefix) are the same
for every visitor. They never read or write the session, so they carry no `Set-Cookie`
and no `Vary: Cookie`, and they are sent `Cache-Control: public, max-age=PAGE_MAX_AGE`
with an ETag (a repeated GET with `If-None-Match` gets 304). A proxy (nginx) and the
browser may keep them; new content shows at the latest PAGE_MAX_AGE seconds later.

Everything else (the help form, its confirmation and the status lookup, the staff area,
POSTs, `/healthz`, server errors) is `no-store, private`. A public page's session is always
empty and cannot be written (sessions.py), so it cannot carry a visitor's data or cookie to a
shared cache; any other response that touched the session is made private.
"""

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

PRIVATE = "no-store, private"
PUBLIC_BLUEPRINTS = frozenset({"public", "root"})
# Statuses a shared cache may keep: pages, redirects, and "not found".
SHAREABLE_STATUS = frozenset({200, 301, 302, 308, 404})
# First path segments under a language prefix that are not public (/de/help/...).
PRIVATE_SECTIONS = frozenset({"help"})


def public_path(path: str, languages: tuple[str, ...]) -> bool:
    """Is `path` the root (`/`, the redirect) or under a language prefix and outside its
    private sections (/<lang>/help)?

    Every public page lives there, and nothing else does; known before routing, so these
    addresses get a session that is always empty (sessions.py).
    """
    if path == "/":
        return True
    parts = path.strip("/").split("/")
    return parts[0] in languages and (len(parts) < 2 or parts[1] not in PRIVATE_SECTIONS)


def _public_address() -> bool:
    """The request is for a public page, or for a missing address among the public pages."""
    if request.blueprint is not None:
        return request.blueprint in PUBLIC_BLUEPRINTS
    # No route matched (a 404 or 405): public when it is under /<lang>/ outside /<lang>/help.
    return public_path(request.path, current_app.config["LANGUAGES"])


def is_public(response: Response) -> bool:
    """May a shared cache keep this response and hand it to every visitor?"""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in SHAREABLE_STATUS
        and _public_address()
        and "Set-Cookie" not in response.headers
    )


def make_private(response: Response) -> None:
    """No cache may keep this response (it holds, or depends on, one visitor's data)."""
    response.headers["Cache-Control"] = PRIVATE


def cache_headers(response: Response) -> Response:
    """Mark the response public (with an ETag, answering If-None-Match) or private."""
    if request.endpoint == "static" and response.status_code in (200, 304):
        return response  # a file WhiteNoise did not know yet: send_file's own headers
    if not is_public(response):
        make_private(response)
        return response
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PAGE_MAX_AGE']}"
    if response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response


def register(app: Flask) -> None:
    """Decide every response's caching. Register before other after_request hooks except
    compression: Flask runs them in reverse, so this one sees the finished page."""
    app.after_request(cache_headers)

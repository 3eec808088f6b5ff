"""Rendered public pages kept in memory for a short while, per worker process.

The public pages are the same for every anonymous visitor. Rendering one costs a
database round trip and a few milliseconds of Jinja; serving it from here costs a dict
lookup, which is what lets the overview keep up with a bare Flask app under load.

- Key: scheme and host (canonical URLs are absolute), path, and fragment-or-page.
  Requests with a query string are never cached (the key space must stay small).
- Only for sessions that hold nothing but the CSRF token: flashed messages or a signed-in
  user bypass the cache both ways, so nothing personal is ever stored or served.
- A page that asked for a CSRF token (a form) is never cached: the token is per visitor.
- Entries live PAGE_CACHE_SECONDS (60; 0 switches the cache off). `clear()` empties it
  after `flask content load` in the same process; other workers see new content when
  their entries expire (deployments restart the workers anyway).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app
from flask import g
from flask import make_response
from flask import request
from flask import session

from .responses import wants_fragment

ANONYMOUS_KEYS = {"csrf_token"}
MAX_ENTRIES = 512


@dataclass(frozen=True)
class CachedPage:
    """A rendered page and the headers the view set."""

    expires: float
    body: bytes
    mimetype: str
    headers: list[tuple[str, str]]


def _pages() -> dict[tuple, CachedPage]:
    """This app's cache (one per app, so test apps never see each other's pages)."""
    return current_app.extensions.setdefault("page_cache", {})


def clear() -> None:
    """Forget every page the current app cached in this process."""
    _pages().clear()


def _anonymous() -> bool:
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies and not session.accessed:
        return True  # no session at all; looking inside would add `Vary: Cookie`
    return set(session.keys()) <= ANONYMOUS_KEYS


def cached_page(view: Callable) -> Callable:
    """Serve the view's 200 response from memory for a short while (see module doc)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        lifetime = current_app.config.get("PAGE_CACHE_SECONDS", 60)
        if not lifetime or request.query_string or not _anonymous():
            return view(*args, **kwargs)
        key = (request.scheme, request.host, request.path, wants_fragment())
        now = time.monotonic()
        pages = _pages()
        entry = pages.get(key)
        if entry is not None and entry.expires > now:
            response = current_app.response_class(entry.body, mimetype=entry.mimetype)
            response.headers.extend(entry.headers)
            return response
        response = make_response(view(*args, **kwargs))
        asked_for_token = "csrf_token" in g  # Flask-WTF keeps the request's token there
        if (response.status_code == 200 and not response.is_streamed and _anonymous()
                and not asked_for_token):
            if len(pages) >= MAX_ENTRIES:
                pages.clear()
            pages[key] = CachedPage(
                expires=now + lifetime,
                body=response.get_data(),
                mimetype=response.mimetype,
                headers=[(k, v) for k, v in response.headers.items()
                         if k not in ("Content-Type", "Content-Length", "Set-Cookie")],
            )
        return response

    return wrapper

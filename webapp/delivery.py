"""How responses travel: versioned static files, gzip, and conditional GET.

- `url_for("static", filename=...)` gains `?v=<content hash>`; a request carrying the
  current hash is cached for a year (`immutable`), any other for SEND_FILE_MAX_AGE_DEFAULT.
  Templates keep calling `url_for` as before.
- Static files are read and gzipped once per process (again when the file changes), so a
  request costs a stat and a dict lookup, not a compression.
- Text responses (HTML, fragments, JSON) get a weak ETag from their body, answer
  `If-None-Match` with 304, and are gzipped when the client accepts it and
  COMPRESS_RESPONSES is on (switch it off when the reverse proxy compresses).
"""

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass

from flask import Flask
from flask import Response
from flask import current_app
from flask import has_request_context
from flask import request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from . import pagecache

COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
}
MIN_COMPRESS_SIZE = 500  # below this gzip's header outweighs the saving
MAX_CACHED_FILE = 1024 * 1024  # larger static files go through send_file unchanged
ONE_YEAR = 365 * 24 * 3600
_gzipped: dict[str, bytes] = {}  # body digest -> gzip: cached pages are compressed once
MAX_GZIPPED = 256


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the signer set-up when there is no cookie.

    Most visitors of the public pages send no cookie; building the serializer anyway
    was a tenth of such a request's time (measured with pyinstrument).
    """

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        """Secure when configured, and always when the request came over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


@dataclass(frozen=True)
class StaticFile:
    """One static file as served: its bytes, gzipped bytes and content hash."""

    mtime_ns: int
    size: int
    mimetype: str
    data: bytes
    gzipped: bytes | None
    version: str  # first 12 hex digits of the SHA-256 of the file


class StaticFiles:
    """Static files read into memory on first use, keyed by name, refreshed on change."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._files: dict[str, StaticFile] = {}

    def get(self, filename: str) -> StaticFile | None:
        """The file, or None when it is missing, too large or outside the folder."""
        folder = self.app.static_folder
        path = safe_join(folder, filename) if folder else None
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL in the name (/static/%00)
            return None
        cached = self._files.get(filename)
        if cached and cached.mtime_ns == stat.st_mtime_ns and cached.size == stat.st_size:
            return cached
        if not os.path.isfile(path) or stat.st_size > MAX_CACHED_FILE:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        compressible = mimetype in COMPRESSIBLE and len(data) >= MIN_COMPRESS_SIZE
        entry = StaticFile(
            mtime_ns=stat.st_mtime_ns,
            size=stat.st_size,
            mimetype=mimetype,
            data=data,
            gzipped=gzip.compress(data, 9, mtime=0) if compressible else None,
            version=hashlib.sha256(data).hexdigest()[:12],
        )
        self._files[filename] = entry
        return entry


def _serve_static(filename: str) -> Response:
    request.environ[pagecache.MARK] = True  # the same bytes for everyone: keep in memory
    files: StaticFiles = current_app.extensions["static_files"]
    entry = files.get(filename)
    if entry is None:  # 404, or a large file: Flask's own handling
        return current_app.send_static_file(filename)
    use_gzip = entry.gzipped is not None and "gzip" in request.accept_encodings
    response = current_app.response_class(
        entry.gzipped if use_gzip else entry.data, mimetype=entry.mimetype
    )
    if entry.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(entry.version + ("-gz" if use_gzip else ""))
    response.last_modified = entry.mtime_ns / 1e9
    response.cache_control.public = True
    if request.args.get("v") == entry.version:
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = current_app.get_send_file_max_age(filename) or 0
    return response.make_conditional(request)


def _finish(response: Response) -> Response:
    """ETag, conditional GET and gzip for dynamic text responses."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
    ):
        return response
    digest = hashlib.blake2b(response.get_data(), digest_size=12).hexdigest()
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not (response.cache_control.no_store)
    ):
        response.set_etag(digest, weak=True)  # weak: one ETag for plain and gzipped form
        response.make_conditional(request)
        if response.status_code == 304:
            return response
    if not current_app.config.get("COMPRESS_RESPONSES", True):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) >= MIN_COMPRESS_SIZE and "gzip" in request.accept_encodings:
        compressed = _gzipped.get(digest)
        if compressed is None:
            compressed = gzip.compress(body, 6, mtime=0)
            if len(_gzipped) >= MAX_GZIPPED:
                _gzipped.clear()
            _gzipped[digest] = compressed
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
    return response


def register(app: Flask) -> None:
    """Serve /static/ from memory with versions, and finish every response.

    Call before other after_request hooks are registered: Flask runs them in reverse,
    so this one runs last and sees the final body and headers.
    """
    app.session_interface = CookieSessions()
    files = StaticFiles(app)
    app.extensions["static_files"] = files
    if app.static_folder:
        app.view_functions["static"] = _serve_static

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            entry = files.get(values["filename"])
            if entry is not None:
                values["v"] = entry.version

    app.after_request(_finish)

"""Static files: URLs versioned by content, served by WhiteNoise when no proxy does it.

- `url_for("static", filename=...)` gains `?v=<content hash>`, so a changed file gets a
  new URL and an old one can be cached for good. Templates call `static_url(filename)`,
  the same URL built once.
- Without a proxy (`make run`, `make serve`) WhiteNoise serves /static/ in front of Flask,
  with the `.gz` files `make static` writes beside the text files. A request naming the
  file's current version is cached for a year (`immutable`); any other (no version, an
  old one) for SEND_FILE_MAX_AGE_DEFAULT. Behind nginx, nginx serves the same folder.
"""

import hashlib
import os
from urllib.parse import parse_qs

from flask import Flask
from flask import current_app
from flask import request
from flask import url_for
from werkzeug.security import safe_join
from whitenoise import WhiteNoise

from webapp.web import security_headers

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


class Versions:
    """The content hash of each static file, computed on first use.

    In debug mode (`flask run --debug`) a changed file gets its new hash at once; otherwise
    files change only with a deployment, which restarts the workers (WhiteNoise reads the
    folder at start-up too), so a known hash is used without looking at the file again.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        # (folder, name) -> (mtime_ns, size, version)
        self._known: dict[tuple[str, str], tuple[int, int, str]] = {}

    def get(self, filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, or None when there is no such file."""
        folder = self.app.static_folder
        known = self._known.get((folder, filename))
        if known and not self.app.debug:
            return known[2]
        path = safe_join(folder, filename) if folder else None
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            return None
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            version = hashlib.sha256(handle.read()).hexdigest()[:12]
        self._known[(folder, filename)] = (stat.st_mtime_ns, stat.st_size, version)
        return version


class VersionedWhiteNoise(WhiteNoise):
    """WhiteNoise, with a year's lifetime for a URL that names the file's current version.

    WhiteNoise builds each file's headers once, from its path alone (its
    `immutable_file_test` never sees the query string), so the lifetime is decided here,
    per request, as the response starts.
    """

    def __init__(self, application, versions: Versions, prefix: str, **options) -> None:
        self.versions = versions
        self.url_prefix = prefix.rstrip("/") + "/"
        super().__init__(application, prefix=self.url_prefix, **options)

    def serve(self, static_file, environ, start_response):
        path = environ.get("PATH_INFO", "")
        wanted = parse_qs(environ.get("QUERY_STRING", "")).get("v", [None])[0]
        if wanted is None or wanted != self.versions.get(path[len(self.url_prefix) :]):
            return super().serve(static_file, environ, start_response)

        def forever(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
            headers.append(("Cache-Control", IMMUTABLE))
            return start_response(status, headers, exc_info)

        return super().serve(static_file, environ, forever)


def static_url(filename: str) -> str:
    """`url_for("static", filename=...)`, versioned, built once per file (each time in debug
    mode): every page links four files, and building their URLs was a twentieth of it."""
    if current_app.debug:
        return url_for("static", filename=filename)
    built = current_app.extensions["static_urls"]
    key = (request.script_root, filename)
    url = built.get(key)
    if url is None:
        url = built[key] = url_for("static", filename=filename)
    return url


def _security_headers(headers, _path: str, _url: str) -> None:
    for name, value in security_headers.HEADERS.items():
        headers[name] = value


def register(app: Flask) -> None:
    """Version static URLs; serve the static folder with WhiteNoise in front of the app."""
    versions = Versions(app)
    app.extensions["static_urls"] = {}
    app.add_template_global(static_url)

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = versions.get(values["filename"])
            if version is not None:
                values["v"] = version

    if app.static_folder:
        app.wsgi_app = VersionedWhiteNoise(
            app.wsgi_app,
            versions,
            prefix=app.static_url_path or "/static",
            root=app.static_folder,
            max_age=app.config["SEND_FILE_MAX_AGE_DEFAULT"],
            allow_all_origins=False,
            add_headers_function=_security_headers,
            autorefresh=app.debug,  # `flask run --debug`: see files edited while it runs
        )

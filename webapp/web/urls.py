"""Addresses of the pages under /<lang>/, built once per worker instead of on every page.

`url_for` runs the url_defaults hooks and werkzeug's rule builder every time: about twenty
calls made a tenth of the overview's render time (cProfile). The address of a page under
/<lang>/ depends only on its endpoint and values and on the request's URL adapter: where
the app is mounted (SCRIPT_NAME) and, for absolute addresses, the scheme and host (or
SERVER_NAME). So each is built once by Flask's own `url_for` and remembered under all of
those. Anything else (other endpoints, no explicit `lang`, `_anchor`, `_method`, `_scheme`,
relative endpoints, outside a request) goes to `url_for` every time.

The blueprints under /<lang>/ have one url_defaults hook, which adds `lang` when it is
missing (i18n.localize); with `lang` given it does nothing, so the remembered address is
the one `url_for` would build.
"""

from flask import Flask
from flask import url_for as flask_url_for
from flask.globals import _cv_request

# Blueprints whose endpoints are remembered: every page under /<lang>/.
LOCALIZED = frozenset({"public", "help"})
# Keys are bounded by the content (slugs) and the hosts the site answers to (TRUSTED_HOSTS);
# should something else vary, the memo starts over rather than grow.
LIMIT = 2048


def url_for(endpoint: str, /, **values) -> str:
    """Flask's `url_for`, remembered for the pages under /<lang>/ (see the module doc)."""
    ctx = _cv_request.get(None)
    external = values.pop("_external", None)
    if (
        ctx is None
        or ctx.url_adapter is None
        or "lang" not in values
        or endpoint.partition(".")[0] not in LOCALIZED
        or any(name[:1] == "_" for name in values)
    ):
        return flask_url_for(endpoint, _external=external, **values)
    adapter = ctx.url_adapter
    try:
        key = (
            endpoint,
            bool(external),
            adapter.script_name,
            adapter.server_name,
            adapter.url_scheme,
            adapter.subdomain,
            tuple(sorted(values.items())),
        )
        memo = ctx.app.extensions["urls"]
        url = memo.get(key)
    except TypeError:  # a value that cannot be a key (a list): build it every time
        return flask_url_for(endpoint, _external=external, **values)
    if url is None:
        url = flask_url_for(endpoint, _external=external, **values)
        if len(memo) >= LIMIT:
            memo.clear()
        memo[key] = url
    return url


def register(app: Flask) -> None:
    """Give the app its memo and templates this `url_for`."""
    app.extensions["urls"] = {}
    app.jinja_env.globals["url_for"] = url_for

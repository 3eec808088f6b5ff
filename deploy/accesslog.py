"""gunicorn's access log without query strings (`logger_class` in gunicorn.conf.py).

Staff search the requests by name and e-mail address (`/admin/?q=…`,
`/admin/export.csv?q=…`), a visitor's status link carries a reference number; logged as
they are, those would put personal data into the access log. So every URL is logged
without its query string, in the request line and in the Referer (the browser sends a
staff page's full address as the Referer of the style sheet and script it loads). nginx
(deploy/nginx/wir.conf.in) and the development server (webapp/web/request_log.py) log
paths only as well.
"""

from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from gunicorn.glogging import Logger


def _referer_without_query(referer: str) -> str:
    try:
        parts = urlsplit(referer)
    except ValueError:  # malformed: nothing in it is worth keeping
        return "-"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class AccessLog(Logger):
    """gunicorn's logger; only the atoms that may carry a query string change."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        raw_path = (environ.get("RAW_URI") or path).split("?", 1)[0]
        method, protocol = environ.get("REQUEST_METHOD"), environ.get("SERVER_PROTOCOL")
        atoms["r"] = f"{method} {raw_path} {protocol}"
        atoms["q"] = ""
        if atoms.get("f") not in (None, "-"):
            atoms["f"] = _referer_without_query(atoms["f"])
        if "{referer}i" in atoms:
            atoms["{referer}i"] = _referer_without_query(atoms["{referer}i"])
        return atoms

"""The development server's request log (`make run`, `flask run`) without query strings.

werkzeug logs each request line as it came, `GET /admin/?q=jana@example.org HTTP/1.1`:
staff search by name and e-mail address, and no query string of any page belongs in a
log. A filter on the "werkzeug" logger cuts the query out of that line before any handler
writes it. gunicorn (deploy/accesslog.py) and nginx (deploy/nginx/wir.conf.in) log paths
without queries too.
"""

import logging
import re

from flask import Flask

REQUEST_LINE = '"%s" %s %s'  # werkzeug's format: request line, status, size
# What may follow the query in werkzeug's line: the protocol, then a colour's reset.
_TAIL = re.compile(r"( HTTP/[\d.]+)?(\x1b\[0m)?$")


def without_query(line: str) -> str:
    """`GET /path?query HTTP/1.1` as `GET /path HTTP/1.1` (colours kept)."""
    head, mark, rest = line.partition("?")
    if not mark:
        return line
    return head + _TAIL.search(rest).group(0)


class QueryFreeRequests(logging.Filter):
    """Rewrites werkzeug's request lines; every other record passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and REQUEST_LINE in record.msg
            and isinstance(record.args, tuple)
            and record.args
            and isinstance(record.args[0], str)
        ):
            record.args = (without_query(record.args[0]), *record.args[1:])
        return True


def register(_app: Flask) -> None:
    """Install the filter once per process (a second app adds nothing)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryFreeRequests) for f in logger.filters):
        logger.addFilter(QueryFreeRequests())

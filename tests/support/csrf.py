"""The one way a test reads a CSRF token from a page."""

import re

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_from(page: str | bytes) -> str:
    """The CSRF token of the first form on a page (or of the page's meta tag).

    Every form of one session carries the same token, so it also fits a prefixed field
    such as `answer-csrf_token`.
    """
    html = page.decode() if isinstance(page, bytes) else page
    match = CSRF_FIELD.search(html) or CSRF_META.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)

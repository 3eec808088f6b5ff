"""Where a sign-in may send the browser afterwards: local paths only."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Refused: absolute URLs, scheme-relative ones (`//host`), and anything with a
    backslash or a control character or space, which browsers may turn into `//host`
    (`/\\host`, `/\\t/host`).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target

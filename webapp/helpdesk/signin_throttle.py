"""Slowing down password guessing without letting strangers lock staff out.

Failed sign-ins are counted per account *and* client address. The first
LOGIN_FREE_FAILURES failures cost nothing; after that each failure makes that address
wait for that account, twice as long as the time before (LOGIN_FIRST_DELAY seconds,
then double, up to a day). The real person, signing in from an address that is not
guessing, is never delayed; a guesser spread over many addresses still gets only a few
tries from each. A separate per-address limit on failures (LOGIN_RATE_LIMIT, in the
admin routes) stops one address trying many accounts.

The counters live in the rate limiter's storage (RATELIMIT_STORAGE_URI), so with Redis
every worker and host sees the same ones. Keys hold a hash of the e-mail address, never
the address itself.
"""

import hashlib
import time

from flask import current_app
from flask_limiter.util import get_remote_address

from webapp.extensions import limiter
from webapp.helpdesk import addresses

DAY = 24 * 3600


def _key(kind: str, email: str) -> str:
    digest = hashlib.sha256(addresses.normalise(email).encode("utf-8")).hexdigest()[:32]
    return f"signin/{kind}/{digest}/{get_remote_address()}"


def wait_seconds(email: str) -> int:
    """Seconds this client must wait before trying this account again (0: go ahead)."""
    storage = limiter.storage
    key = _key("wait", email)
    if not storage.get(key):
        return 0
    return max(1, int(storage.get_expiry(key) - time.time()))


def failed(email: str) -> int:
    """Count a failed sign-in from this client; returns the delay it now has to wait."""
    storage = limiter.storage
    failures = storage.incr(_key("failures", email), DAY)
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    delay = min(DAY, current_app.config["LOGIN_FIRST_DELAY"] * 2 ** (failures - free))
    key = _key("wait", email)
    storage.clear(key)  # a new expiry: storages set it only when a key is created
    storage.incr(key, delay)
    return delay


def succeeded(email: str) -> None:
    """The right password: forget this client's failures for the account."""
    limiter.storage.clear(_key("failures", email))
    limiter.storage.clear(_key("wait", email))

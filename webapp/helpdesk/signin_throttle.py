"""Slowing down password guessing without letting strangers lock staff out.

Sign-in attempts are counted per account *and* client address. The first
LOGIN_FREE_FAILURES attempts cost nothing; from then on each attempt makes that address
wait for that account, twice as long as the time before (LOGIN_FIRST_DELAY seconds, then
double, up to a day). The real person, signing in from an address that is not guessing,
is never delayed; a guesser spread over many addresses still gets only a few tries from
each. A second count per client address over all accounts (LOGIN_RATE_LIMIT, e.g.
"10 per minute;50 per day") stops one address trying many accounts.

Every attempt is counted *before* its password is checked, in one atomic statement
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and PostgreSQL alike), and the
wait it causes is written in the same transaction. So guesses sent at the same moment are
counted one after the other: concurrency never gets an address or an account more checks
than the limits allow. The right password forgets the account's count for that address
and gives its attempt back to the address's count.

The counters live in the database, so every worker and host shares them with or without
Redis. Keys are a keyed hash (SECRET_KEY) of the account and the address, never either
of them; a row is deleted once its window and its wait are over.
"""

import hashlib
import hmac
import time

from flask import current_app
from limits import parse_many
from sqlalchemy import text

from webapp.extensions import db
from webapp.helpdesk import addresses

DAY = 24 * 3600

# Count one attempt: a new row, or one more in the current window (a new window once the
# old one is over). Nothing is counted while the row's wait lasts: then no row comes back.
_COUNT = text(
    "INSERT INTO signin_counter (key_hash, attempts, window_ends, blocked_until) "
    "VALUES (:key, 1, :fresh_end, 0) "
    "ON CONFLICT (key_hash) DO UPDATE SET "
    "attempts = CASE WHEN signin_counter.window_ends <= :now THEN 1 "
    "ELSE signin_counter.attempts + 1 END, "
    "window_ends = CASE WHEN signin_counter.window_ends <= :now THEN :fresh_end "
    "ELSE signin_counter.window_ends END "
    "WHERE signin_counter.blocked_until <= :now "
    "RETURNING attempts"
)
_BLOCK = text("UPDATE signin_counter SET blocked_until = :until WHERE key_hash = :key")
_GIVE_BACK = text(
    "UPDATE signin_counter SET attempts = attempts - 1 "
    "WHERE key_hash = :key AND attempts > 0 AND window_ends > :now"
)
_FORGET = text("DELETE FROM signin_counter WHERE key_hash = :key")
_EXPIRED = text("DELETE FROM signin_counter WHERE window_ends <= :now AND blocked_until <= :now")


def _key(*parts: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, "\n".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def _account_key(email: str, address: str) -> str:
    return _key("account", addresses.normalise(email), address)


def _address_keys(address: str) -> list[tuple[str, int, int]]:
    """(key, amount, window in seconds) for each window of LOGIN_RATE_LIMIT."""
    return [
        (_key("address", address, str(item)), item.amount, item.get_expiry())
        for item in parse_many(current_app.config["LOGIN_RATE_LIMIT"])
    ]


def _count(key: str, window: float, now: float) -> int | None:
    """One more attempt on `key`; the count with it, or None while the key waits."""
    params = {"key": key, "now": now, "fresh_end": now + window}
    return db.session.execute(_COUNT, params).scalar()


def attempt(email: str, address: str) -> bool:
    """Count a sign-in attempt for this account from this client address, before the
    password is checked. False: refused (the address waits, or is over its limit), and the
    password must not be checked; True: go ahead."""
    now = time.time()
    allowed = True
    # Spent rows go first, in a transaction of their own: no lock of theirs is held while
    # the counting below locks its rows.
    db.session.execute(_EXPIRED, {"now": now})
    db.session.commit()
    try:
        for key, amount, window in _address_keys(address):
            attempts = _count(key, window, now)
            allowed = allowed and attempts is not None and attempts <= amount
        if allowed:
            key = _account_key(email, address)
            attempts = _count(key, DAY, now)
            if attempts is None:
                allowed = False
            elif attempts >= current_app.config["LOGIN_FREE_FAILURES"]:
                # This attempt may be checked, the next one waits: decided before the check.
                exponent = attempts - current_app.config["LOGIN_FREE_FAILURES"]
                delay = min(DAY, current_app.config["LOGIN_FIRST_DELAY"] * 2 ** min(exponent, 32))
                db.session.execute(_BLOCK, {"key": key, "until": now + delay})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return allowed


def succeeded(email: str, address: str) -> None:
    """The right password: forget this address's attempts on the account, and give the
    attempt back to the address's count over all accounts."""
    now = time.time()
    db.session.execute(_FORGET, {"key": _account_key(email, address)})
    for key, _amount, _window in _address_keys(address):
        db.session.execute(_GIVE_BACK, {"key": key, "now": now})
    db.session.commit()

"""Staff accounts: creating them, passwords, checking a sign-in, and ending sessions.

Sessions are signed cookies, so the server cannot delete one. Instead each account
carries a session version that is part of the id Flask-Login keeps in the cookie
("<id>.<version>"); signing out, a new password or deactivation raise the version, and
every cookie issued before no longer loads the account. A session also ends
STAFF_SESSION_HOURS after sign-in, however busy it was.
"""

import time
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.helpdesk import addresses
from webapp.models import StaffUser

MIN_PASSWORD_LENGTH = 12


@cache
def _dummy_hash() -> str:
    # Checked when no account matches, so a wrong e-mail costs as long as a wrong
    # password and the response time does not tell which accounts exist.
    return generate_password_hash("not-a-real-password")


class AccountError(Exception):
    """An account cannot be created or changed; the message says why."""


def find(email: str) -> StaffUser | None:
    """The account with this e-mail address (in any case or Unicode form), or None.

    Accounts store their address normalised (see `create`), so it is compared as is.
    """
    stmt = select(StaffUser).where(StaffUser.email == addresses.normalise(email))
    return db.session.scalar(stmt)


def _existing(email: str) -> StaffUser:
    user = find(email)
    if user is None:
        raise AccountError(f"There is no account for {addresses.normalise(email)}.")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def create(email: str, password: str) -> StaffUser:
    """Create an active account; the password is stored as a scrypt hash."""
    email = addresses.normalise(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address.")
    if find(email) is not None:
        raise AccountError(f"An account for {email} exists already.")
    _check_password(password)
    user = StaffUser(
        email=email, password_hash=generate_password_hash(password), active=True, session_version=0
    )
    db.session.add(user)
    db.session.commit()
    return user


def set_password(email: str, password: str) -> StaffUser:
    """Replace the password of an existing account; every earlier session ends."""
    user = _existing(email)
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    db.session.commit()
    return user


def set_active(email: str, active: bool) -> StaffUser:
    """Allow or refuse sign-in; deactivating ends every session of the account."""
    user = _existing(email)
    user.active = active
    if not active:
        user.session_version += 1
    db.session.commit()
    return user


def end_sessions(user: StaffUser) -> None:
    """Sign the account out everywhere: cookies issued until now stop working."""
    user.session_version += 1
    db.session.commit()


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account these credentials belong to, or None."""
    user = find(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def session_user(token: str, signed_in_at: float | None, hours: float) -> StaffUser | None:
    """The account a session cookie names, if that session is still valid.

    `token` is "<id>.<version>" as written at sign-in; `signed_in_at` is the time of
    sign-in kept in the same session. A session without it was not made by our sign-in
    (Flask-Login's remember-me cookie, which this site never issues), and is refused.
    """
    user_id, _dot, version = token.partition(".")
    if not (user_id.isdigit() and version.isdigit()) or signed_in_at is None:
        return None
    if not 0 <= time.time() - float(signed_in_at) <= hours * 3600:
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def all_accounts() -> list[StaffUser]:
    """Every account, by e-mail address."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def remember_language(user: StaffUser, lang: str) -> None:
    """Store a staff member's chosen language on the account."""
    user.language = lang
    db.session.commit()

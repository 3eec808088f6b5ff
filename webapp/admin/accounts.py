"""Staff accounts: creating them, setting passwords, checking a sign-in."""

from functools import cache

from sqlalchemy import func
from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import StaffUser

MIN_PASSWORD_LENGTH = 12


@cache
def _dummy_hash() -> str:
    # Checked when no account matches, so a wrong e-mail costs as long as a wrong
    # password and the response time does not tell which accounts exist.
    return generate_password_hash("not-a-real-password")


class AccountError(Exception):
    """An account cannot be created or changed; the message says why."""


def normalise(email: str) -> str:
    """E-mail addresses are compared without surrounding space and case."""
    return email.strip().lower()


def find(email: str) -> StaffUser | None:
    """The account with this e-mail address, or None."""
    stmt = select(StaffUser).where(func.lower(StaffUser.email) == normalise(email))
    return db.session.scalar(stmt)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def create(email: str, password: str) -> StaffUser:
    """Create an active account; the password is stored as a scrypt hash."""
    email = normalise(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address.")
    if find(email) is not None:
        raise AccountError(f"An account for {email} exists already.")
    _check_password(password)
    user = StaffUser(email=email, password_hash=generate_password_hash(password), active=True)
    db.session.add(user)
    db.session.commit()
    return user


def set_password(email: str, password: str) -> StaffUser:
    """Replace the password of an existing account."""
    user = find(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise(email)}.")
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account these credentials belong to, or None."""
    user = find(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def all_accounts() -> list[StaffUser]:
    """Every account, by e-mail address."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def remember_language(user: StaffUser, lang: str) -> None:
    """Store a staff member's chosen language on the account."""
    user.language = lang
    db.session.commit()

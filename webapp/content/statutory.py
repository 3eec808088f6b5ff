"""What the imprint, privacy notice and accessibility statement say about this site itself.

The operator's details come from operator.py; this module adds the facts the code and
the configuration decide (which cookie, for how long, how long counters and requests
are kept), so the pages never state a number that the running site does not use.
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse_many

from webapp.helpdesk import signin_throttle

# When the wording of the privacy notice last changed; the page shows this date or the
# date of the operator's details (`privacy.updated`), whichever is later.
PRIVACY_TEXT_DATE = date(2026, 11, 28)

# The supervisory authority for data protection in Saxony (Art. 77 GDPR). The office asks
# for its postal address in letters; the visitors' address is for calling in person.
DATA_PROTECTION_AUTHORITY = {
    "name": "Sächsische Datenschutz- und Transparenzbeauftragte",
    "postal": "Postfach 11 01 32, 01330 Dresden",
    "visitors": "Maternistraße 17, 01067 Dresden",
    "phone": "+49 351 85471-101",
    "email": "post@sdtb.sachsen.de",
    "web": "https://www.datenschutz.sachsen.de/",
}


RATE_LIMIT_SETTINGS = ("HELP_RATE_LIMIT", "LOGIN_RATE_LIMIT")


def longest_window_hours(config) -> int:
    """How long a rate-limit counter can live: the longest window of any limit, in hours."""
    seconds = max(
        (item.get_expiry() for name in RATE_LIMIT_SETTINGS for item in parse_many(config[name])),
        default=0,
    )
    # Failed sign-ins per account and address are kept up to a day (signin_throttle.py).
    return max(1, -(-seconds // 3600), signin_throttle.DAY // 3600)


def csrf_minutes(config) -> int | None:
    """How long the help form's security token stays valid, in minutes (None: no limit)."""
    limit = config.get("WTF_CSRF_TIME_LIMIT")
    return int(limit) // 60 if limit else None


def known_barriers(config) -> list[str]:
    """The barriers we know of, listed while the statement says "partially compliant"."""
    barriers = [
        # Leichte Sprache has its own page (/de/leichte-sprache); sign language not yet.
        _("There are no explanations in German Sign Language, as BITV 2.0 asks of public bodies.")
    ]
    minutes = csrf_minutes(config)
    if minutes:
        barriers.append(
            ngettext(
                "The help form has a time limit for security: a form left open for longer "
                "than %(num)d minute must be sent again. What you typed is kept.",
                "The help form has a time limit for security: a form left open for longer "
                "than %(num)d minutes must be sent again. What you typed is kept.",
                minutes,
            )
        )
    return barriers


def facts(config, operator: dict) -> dict:
    """The numbers and names the three pages state, read from the running configuration."""
    updated = operator.get("privacy", {}).get("updated")
    notice_date = (
        max(PRIVACY_TEXT_DATE, updated) if isinstance(updated, date) else PRIVACY_TEXT_DATE
    )
    return {
        "cookie_name": config["SESSION_COOKIE_NAME"],
        "csrf_minutes": csrf_minutes(config),
        "counter_hours": longest_window_hours(config),
        "purge_days": int(config["PURGE_AFTER_DAYS"]),
        "reply_days": int(config["HELP_REPLY_DAYS"]),
        "confirmations_per_day": int(config["HELP_CONFIRMATIONS_PER_DAY"]),
        "notice_date": notice_date,
        "authority": DATA_PROTECTION_AUTHORITY,
        "barriers": known_barriers(config),
        "site_url": config["PUBLIC_BASE_URL"].rstrip("/") + "/",
    }

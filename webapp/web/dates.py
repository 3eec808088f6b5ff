"""Dates as the site writes them: one set of formats, in the help desk's time zone.

Visitors read a long date in their language, the month as a word and the spaces
non-breaking so a line never splits it: "6. Dezember 2026", "6 December 2026" (British
order), "6 grudnia 2026 r.", "6. prosince 2026", "2026. december 6.", "6 decembrie 2026"
(the status page, the legal pages, the confirmation e-mail). Staff read short dates and
times in the staff languages: "06.12.2026, 14:05" or "6 Dec 2026, 14:05".

A stored time is UTC; Flask-Babel's formatting shows it in TIME_ZONE (config.py sets
BABEL_DEFAULT_TIMEZONE from it). The language is the current locale, so a date inside
`force_locale` (an e-mail) is written in the recipient's language.
"""

from datetime import date
from datetime import datetime

from flask import Flask
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import get_locale

NBSP = "\u00a0"
# The visitor's long date per language (CLDR patterns; quoted text is literal).
LONG_DATE = {
    "de": "d. MMMM y",
    "en": "d MMMM y",
    "pl": "d MMMM y 'r.'",
    "cs": "d. MMMM y",
    "hu": "y. MMMM d.",
    "ro": "d MMMM y",
}
# The staff area's dates and times, per staff language.
STAFF_DATE = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
STAFF_TIME = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}
FALLBACK = "en"


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else FALLBACK


def long_date(value: date | datetime) -> str:
    """A date written out in the current language, on one line: 6. Dezember 2026."""
    pattern = LONG_DATE.get(_lang(), LONG_DATE[FALLBACK])
    return format_date(value, pattern).replace(" ", NBSP)


def staff_date(value: date) -> str:
    """A date as the staff area writes it: 23.11.2026, 23 Nov 2026."""
    return format_date(value, STAFF_DATE.get(_lang(), STAFF_DATE[FALLBACK]))


def staff_time(value: datetime | None) -> str:
    """A stored (UTC) time in TIME_ZONE as the staff area writes it: 26.11.2026, 14:05."""
    if value is None:
        return ""
    return format_datetime(value, STAFF_TIME.get(_lang(), STAFF_TIME[FALLBACK]))


def register(app: Flask) -> None:
    """Offer the formats to every template: `|long_date`, `staff_date()`, `staff_time()`."""
    app.add_template_filter(long_date, "long_date")
    app.add_template_global(staff_date, "staff_date")
    app.add_template_global(staff_time, "staff_time")

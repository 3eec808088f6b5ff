"""Working days in Saxony: a request's age, and when it becomes overdue.

The help desk promises an answer "within N working days" (HELP_REPLY_DAYS). A working
day is a weekday that is not a public holiday in Saxony: the holidays come from the
`holidays` package (Reformation Day and Repentance Day included), not from a list of
our own that someone would have to keep up to date. Days are counted on the calendar
of the help desk's time zone (TIME_ZONE, Europe/Berlin), so a request sent at 23:30 on a
Friday is a Friday request.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache

import holidays
from flask import current_app

from webapp.config import time_zone
from webapp.models import utcnow


@lru_cache(maxsize=8)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv="SN", years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday in Saxony."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_date(moment: datetime) -> date:
    """The calendar day of a stored (UTC) time where the help desk works (TIME_ZONE)."""
    return moment.astimezone(time_zone(current_app.config)).date()


def between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if `end` is not later).

    A request from Monday is 1 working day old on Tuesday; one from Friday is 1 working
    day old on Monday, and still 0 over the weekend.
    """
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def age(received_at: datetime, now: datetime | None = None) -> int:
    """How many working days ago a request arrived."""
    return between(local_date(received_at), local_date(now or utcnow()))


def overdue_before(reply_days: int, now: datetime | None = None) -> datetime:
    """The moment (UTC-aware) before which every received request is overdue by now.

    Steps back a day at a time from today to the first day whose requests are overdue;
    its next day's midnight in TIME_ZONE is the boundary, so the list can filter in SQL.
    """
    today = local_date(now or utcnow())
    day = today
    while between(day - timedelta(days=1), today) <= reply_days:
        day -= timedelta(days=1)
    # In UTC: SQLite compares the stored UTC text, without time zones.
    zone = time_zone(current_app.config)
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

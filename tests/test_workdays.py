"""Working days in Saxony: weekends and Saxon public holidays do not count."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine

from webapp.helpdesk import workdays


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def in_app(app):
    """Ages are counted in the configured time zone (TIME_ZONE), so in the app's context."""
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 17), True),  # a Tuesday
        (date(2026, 11, 18), False),  # Buß- und Bettag: a holiday in Saxony only
        (date(2025, 10, 31), False),  # Reformation Day, a Friday
        (date(2026, 10, 3), False),  # German Unity Day (a Saturday anyway)
        (date(2026, 12, 25), False),
        (date(2026, 11, 21), False),  # a Saturday
        (date(2026, 11, 22), False),  # a Sunday
        (date(2026, 6, 4), True),  # Corpus Christi: a holiday in Bavaria, not in Saxony
    ],
)
def test_working_days_follow_the_saxon_calendar(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 16), date(2026, 11, 16), 0),  # the same day
        (date(2026, 11, 16), date(2026, 11, 17), 1),  # Monday to Tuesday
        (date(2026, 11, 17), date(2026, 11, 19), 1),  # across Buß- und Bettag
        (date(2026, 11, 13), date(2026, 11, 16), 1),  # Friday to Monday
        (date(2026, 11, 14), date(2026, 11, 15), 0),  # a weekend
        (date(2025, 10, 30), date(2025, 11, 3), 1),  # Thursday to Monday over Reformation Day
        (date(2026, 11, 19), date(2026, 11, 17), 0),  # backwards: nothing
    ],
)
def test_between_counts_working_days_after_the_start(start, end, expected):
    assert workdays.between(start, end) == expected


def test_age_counts_on_the_german_calendar(in_app):
    # 23:30 UTC on Monday is already Tuesday in Germany.
    assert workdays.age(utc(2026, 11, 16, 23, 30), utc(2026, 11, 17, 12)) == 0
    assert workdays.age(utc(2026, 11, 16, 22, 30), utc(2026, 11, 17, 12)) == 1


def test_age_uses_the_clock_when_no_time_is_given(in_app):
    with time_machine.travel(utc(2026, 11, 20, 9), tick=False):
        # Tuesday to Friday across Buß- und Bettag: Thursday and Friday.
        assert workdays.age(utc(2026, 11, 17, 9)) == 2


@pytest.mark.parametrize(
    ("now", "boundary"),
    [
        # Friday 20 Nov: 3 working days back (Thu 19, Tue 17, Mon 16; Wed 18 is a holiday),
        # so requests from before Monday 16 Nov, 00:00 in Germany are overdue.
        (utc(2026, 11, 20, 10), utc(2026, 11, 15, 23)),
        # Monday 23 Nov: Fri 20, Thu 19, Tue 17 -> before Tuesday 17 Nov.
        (utc(2026, 11, 23, 10), utc(2026, 11, 16, 23)),
        # Monday 3 Nov 2025: Fri 31 Oct is Reformation Day -> Thu 30, Wed 29, Tue 28 Oct.
        (utc(2025, 11, 3, 10), utc(2025, 10, 27, 23)),
        # Summer time: midnight in Germany is 22:00 UTC.
        (utc(2026, 7, 10, 10), utc(2026, 7, 6, 22)),
    ],
)
def test_overdue_before_is_midnight_after_the_promised_days(in_app, now, boundary):
    cutoff = workdays.overdue_before(3, now)
    assert cutoff == boundary
    assert cutoff.tzinfo is UTC
    # The boundary agrees with age(): a moment before it is overdue, the moment is not.
    assert workdays.age(cutoff, now) == 3
    assert workdays.age(cutoff - timedelta(seconds=1), now) == 4

"""Figures for the staff overview: requests per status, per topic and per week.

Requests marked as spam are never counted (only their number is given, apart). Weeks
are calendar weeks, Monday to Sunday, in the site's time zone, as staff in Saxony count
them: a request sent at 00:30 on a Monday in Chemnitz belongs to the new week although
it is still Sunday in UTC.
"""

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import to_user_timezone
from flask_babel import to_utc
from sqlalchemy import func
from sqlalchemy import select

from webapp.extensions import db
from webapp.helpdesk import vocabulary
from webapp.models import ContactRequest
from webapp.models import utcnow

WEEKS = 12
# The bar chart's geometry in SVG user units; the browser scales it to the width it has.
SLOT = 32  # horizontal space per week
BAR = 22  # bar width
TOP = 20  # room above the highest bar for its number
PLOT = 120  # height of the highest bar
BOTTOM = 24  # room below the bars for the week numbers


@dataclass(frozen=True)
class Count:
    """How many requests have one status or topic."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Week:
    """New requests in one calendar week (ISO week number, its Monday)."""

    number: int
    start: date
    count: int


@dataclass(frozen=True)
class Bar:
    """One week's bar, with where its number and its week label go."""

    x: float
    y: float
    width: float
    height: float
    middle: float
    week: Week


@dataclass(frozen=True)
class Chart:
    """The weekly bar chart: its size, the baseline's height and a bar per week."""

    width: int
    height: int
    baseline: int
    bars: list[Bar]


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows."""

    total: int
    spam: int
    replies_waiting: int
    statuses: list[Count]
    topics: list[Count]
    weeks: list[Week]

    @property
    def chart(self) -> Chart:
        return chart(self.weeks)

    @property
    def busiest(self) -> Week | None:
        """The week with the most new requests (the latest of equals), None if all are 0."""
        best = max(reversed(self.weeks), key=lambda week: week.count, default=None)
        return best if best is not None and best.count else None


def _counts(column) -> dict[str, int]:
    stmt = select(column, func.count()).where(ContactRequest.is_spam.is_(False)).group_by(column)
    return {value: count for value, count in db.session.execute(stmt)}


def by_status() -> list[Count]:
    """Every status in working order with its number of requests (0 included)."""
    counts = _counts(ContactRequest.status)
    known = [Count(s, vocabulary.status_label(s), counts.pop(s, 0)) for s in vocabulary.STATUSES]
    return known + [Count(s, vocabulary.status_label(s), n) for s, n in sorted(counts.items())]


def by_topic(lang: str) -> list[Count]:
    """Every topic (fixed ones, then the initiatives) with its number of requests."""
    counts = _counts(ContactRequest.topic)
    # The one place the overview takes topic names from.
    topics = vocabulary.topic_choices(lang)
    known = [Count(value, label, counts.pop(value, 0)) for value, label in topics]
    # A topic no longer offered (e.g. an initiative removed) is still counted, by its value.
    return known + [Count(value, value, n) for value, n in sorted(counts.items())]


def per_week(weeks: int = WEEKS, now: datetime | None = None) -> list[Week]:
    """New requests in each of the last `weeks` calendar weeks, the current one last."""
    today = to_user_timezone(now or utcnow()).date()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = to_utc(datetime.combine(first, time())).replace(tzinfo=UTC)
    stmt = select(ContactRequest.created_at).where(
        ContactRequest.is_spam.is_(False), ContactRequest.created_at >= since
    )
    counts = [0] * weeks
    for (created_at,) in db.session.execute(stmt):
        index = (to_user_timezone(created_at).date() - first).days // 7
        if 0 <= index < weeks:  # a clock running ahead must not break the page
            counts[index] += 1
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    return [Week(s.isocalendar().week, s, n) for s, n in zip(starts, counts, strict=True)]


def overview(lang: str, now: datetime | None = None) -> Overview:
    """The figures of the overview page, topic names in `lang`."""
    spam = db.session.scalar(
        select(func.count()).select_from(ContactRequest).where(ContactRequest.is_spam.is_(True))
    )
    statuses = by_status()
    return Overview(
        total=sum(count.count for count in statuses),
        spam=spam or 0,
        replies_waiting=replies_waiting(),
        statuses=statuses,
        topics=by_topic(lang),
        weeks=per_week(now=now),
    )


def replies_waiting() -> int:
    """Requests with an e-mail from the visitor that staff have not answered or acted on."""
    stmt = select(func.count()).where(
        ContactRequest.is_spam.is_(False), ContactRequest.reply_waiting_since.is_not(None)
    )
    return db.session.scalar(stmt) or 0


def chart(weeks: list[Week]) -> Chart:
    """Bars scaled so the busiest week is PLOT high; a week without requests has none."""
    highest = max((week.count for week in weeks), default=0) or 1
    bars = []
    for index, week in enumerate(weeks):
        height = round(PLOT * week.count / highest, 1)
        x = index * SLOT + (SLOT - BAR) / 2
        bars.append(Bar(x, TOP + PLOT - height, BAR, height, x + BAR / 2, week))
    return Chart(SLOT * len(weeks), TOP + PLOT + BOTTOM, TOP + PLOT, bars)

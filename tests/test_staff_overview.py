"""The staff overview: counts per status and topic, new requests per week, spam left out."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine

from webapp.helpdesk import reports

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday in ISO week 48


@pytest.fixture
def overview_page(client, staff):
    """`overview_page()`: the overview's HTML as English-speaking staff see it at NOW."""

    def get() -> str:
        with time_machine.travel(NOW, tick=False):
            staff.login()
            staff.choose_language("en")
            response = client.get("/admin/overview")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def seed(make_request) -> None:
    """Requests across the twelve weeks 37–48 of 2026, one before them, and spam."""
    # Week 48: Monday 00:30 in Saxony is still Sunday in UTC, and counts for the new week.
    make_request(created_at=at(2026, 11, 22, 23, 30), topic="job")
    make_request(created_at=at(2026, 11, 24, 9), topic="job", status="answered")
    make_request(created_at=at(2026, 11, 25, 8), topic="recomine", status="in_progress")
    # Week 47 ends on Sunday 22 November, 23:59 in Saxony.
    make_request(created_at=at(2026, 11, 22, 22, 59), topic="housing")
    # Week 45: two.
    make_request(created_at=at(2026, 11, 2, 10), topic="housing", status="closed")
    make_request(created_at=at(2026, 11, 8, 18), topic="job", status="closed")
    # Week 37 is the first of the twelve; the Sunday before it is outside them.
    make_request(created_at=at(2026, 9, 7, 6), topic="childcare")
    make_request(created_at=at(2026, 9, 6, 21), topic="childcare", status="closed")
    # Spam is never counted, whatever its week, status or topic.
    for _ in range(3):
        make_request(created_at=at(2026, 11, 24, 10), topic="barrier", is_spam=True)


def row(html: str, header: str) -> list[str]:
    """The cells after the row header `header` (its text, links removed)."""
    match = re.search(
        rf'<th scope="row">(?:<a [^>]*>)?{re.escape(header)}(?:</a>)?</th>(.*?)</tr>', html, re.S
    )
    assert match, f"no row {header!r}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", match.group(1))


def test_the_overview_counts_requests_by_week_status_and_topic(make_request, overview_page):
    seed(make_request)
    html = overview_page()
    assert "<h1>Overview</h1>" in html
    assert "8 requests in all." in html
    assert "Not counted: 3 requests marked as spam." in html

    weeks = {number: row(html, f"Week {number}") for number in range(37, 49)}
    assert weeks[48] == ["23 Nov 2026", "3"]
    assert weeks[47] == ["16 Nov 2026", "1"]
    assert weeks[45] == ["2 Nov 2026", "2"]
    assert weeks[37] == ["7 Sep 2026", "1"]
    assert [weeks[n][1] for n in range(37, 49)] == [
        "1", "0", "0", "0", "0", "0", "0", "0", "2", "0", "1", "3"
    ]  # fmt: skip
    assert "Week 36" not in html

    assert row(html, "New") == ["3"]
    assert row(html, "In progress") == ["1"]
    assert row(html, "Answered") == ["1"]
    assert row(html, "Closed") == ["3"]
    assert row(html, "Finding a job") == ["3"]
    assert row(html, "Housing") == ["2"]
    assert row(html, "Childcare") == ["2"]
    assert row(html, "Reporting a barrier on this website") == ["0"]  # only spam had this topic
    assert row(html, "rECOmine") == ["1"]
    assert re.findall(r'<th scope="row">Total</th><td class="number">(\d+)</td>', html) == [
        "8",
        "8",
    ]
    # Each count links to the list, filtered the same way.
    assert '<a href="/admin/?status=in_progress">In progress</a>' in html
    assert '<a href="/admin/?topic=recomine">rECOmine</a>' in html


def test_the_chart_has_a_bar_per_week_scaled_to_the_busiest(make_request, overview_page):
    seed(make_request)
    html = overview_page()
    svg = re.search(r"<svg [^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert "style=" not in svg  # the CSP allows no inline styles
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([\d.]+)"', svg)]
    assert len(heights) == 12
    assert heights == [40.0, 0, 0, 0, 0, 0, 0, 0, 80.0, 0, 40.0, 120.0]
    labels = re.findall(r'<text class="week"[^>]*>(\d+)</text>', svg)
    assert labels == [str(n) for n in range(37, 49)]
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg, re.S).group(1)
    assert "From week 37 to week 48." in desc
    assert "Most requests in week 48: 3." in desc


def test_an_empty_overview(overview_page):
    html = overview_page()
    assert "0 requests in all." in html
    assert "No new requests in these weeks." in html
    assert len(re.findall(r'<rect class="bar"', html)) == 12
    assert row(html, "New") == ["0"]


def test_the_overview_in_german(client, staff, make_request):
    make_request(created_at=NOW)
    with time_machine.travel(NOW, tick=False):
        staff.login()
        html = client.get("/admin/overview").get_data(as_text=True)
    assert "<h1>Übersicht</h1>" in html
    assert row(html, "KW 48") == ["23.11.2026", "1"]
    assert row(html, "Neu") == ["1"]
    assert row(html, "Arbeit finden") == ["1"]


def test_weeks_across_the_turn_of_the_year(app):
    with app.app_context():
        weeks = reports.per_week(now=at(2027, 1, 6, 12))
    assert [week.number for week in weeks][-3:] == [52, 53, 1]
    assert weeks[-1].start == date(2027, 1, 4)
    assert weeks[0].start == date(2026, 10, 19)


def test_the_overview_needs_a_signed_in_member_of_staff(client):
    response = client.get("/admin/overview")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")

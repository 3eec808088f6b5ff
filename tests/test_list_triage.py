"""The staff list's working-day ages, "overdue", "assigned to me" and "unassigned" filters
(in the list and the CSV); marking a request as spam and back; the purge of old spam."""

import csv
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.models import AuditEntry
from webapp.models import ContactRequest

# Friday 20 November 2026, 11:00 in Saxony; Wednesday 18 November was Buß- und Bettag.
FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/"}


def rows(html: str) -> list[str]:
    """The references in the list's table, in the order shown."""
    return re.findall(r'<th scope="row"><a href="/admin/requests/\d+">([^<]+)</a>', html)


def age_cell(html: str, reference: str) -> str:
    row = re.search(rf">{reference}</a></th>(.*?)</tr>", html, re.S).group(1)
    return re.search(r'<td class="age">(.*?)</td>', row).group(1)


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def friday():
    with time_machine.travel(FRIDAY, tick=True):
        yield


@pytest.fixture
def signed_in(friday, client, staff):
    staff.login()
    staff.choose_language("en")
    return client


@pytest.fixture
def week(make_request):
    """Requests of the week before, by reference."""
    return {
        "H-MON": make_request(reference="H-MON", created_at=datetime(2026, 11, 16, 9, tzinfo=UTC)),
        "H-TUE": make_request(reference="H-TUE", created_at=datetime(2026, 11, 17, 9, tzinfo=UTC)),
        "H-THU": make_request(
            reference="H-THU",
            created_at=datetime(2026, 11, 19, 9, tzinfo=UTC),
            status="in_progress",
        ),
        "H-OLD": make_request(reference="H-OLD", created_at=datetime(2026, 11, 13, 9, tzinfo=UTC)),
        "H-DONE": make_request(
            reference="H-DONE", created_at=datetime(2026, 11, 13, 9, tzinfo=UTC), status="answered"
        ),
        "H-JUNK": make_request(
            reference="H-JUNK", created_at=datetime(2026, 11, 13, 9, tzinfo=UTC), is_spam=True
        ),
    }


def test_open_requests_show_their_age_in_working_days(signed_in, week):
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert '<th scope="col">Waiting</th>' in html
    assert age_cell(html, "H-THU") == "1 working day"
    assert age_cell(html, "H-TUE") == "2 working days"  # Buß- und Bettag does not count
    assert age_cell(html, "H-MON") == "3 working days"  # promised: 3, so not yet overdue
    assert age_cell(html, "H-OLD") == '4 working days <strong class="overdue">Overdue</strong>'
    assert age_cell(html, "H-DONE") == "–"  # answered: no longer waiting


def test_ages_in_german(friday, client, staff, week):
    staff.login()
    staff.choose_language("de")
    html = client.get("/admin/").get_data(as_text=True)
    assert age_cell(html, "H-THU") == "1 Arbeitstag"
    assert age_cell(html, "H-OLD") == '4 Arbeitstage <strong class="overdue">Überfällig</strong>'


def test_overdue_filter_shows_open_requests_past_the_promise(app, signed_in, week):
    html = signed_in.get("/admin/?overdue=1").get_data(as_text=True)
    assert rows(html) == ["H-OLD"]
    assert '<input checked id="overdue" name="overdue" type="checkbox" value="1">' in html
    assert rows(signed_in.get("/admin/?overdue=1&spam=1").get_data(as_text=True)) == ["H-JUNK"]
    # A promise of 2 working days makes Monday's request overdue too.
    app.config["HELP_REPLY_DAYS"] = 2
    assert rows(signed_in.get("/admin/?overdue=y").get_data(as_text=True)) == ["H-MON", "H-OLD"]


def test_overdue_moves_with_the_clock(client, staff, week):
    # Monday 23 Nov: Monday 16's request is 4 working days old now; Tuesday 17's is 3.
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=True):
        staff.login()
        html = client.get("/admin/?overdue=1").get_data(as_text=True)
    assert rows(html) == ["H-MON", "H-OLD"]


def test_assigned_filters(app, signed_in, staff, make_request):
    with app.app_context():
        other = accounts.create("kai@example.org", "another long password").id
    make_request(reference="H-MINE", assignee_id=staff.user_id)
    make_request(reference="H-KAIS", assignee_id=other)
    make_request(reference="H-NOBODYS")
    html = signed_in.get("/admin/?assigned=me").get_data(as_text=True)
    assert rows(html) == ["H-MINE"]
    assert '<option selected value="me">Me</option>' in html
    assert rows(signed_in.get("/admin/?assigned=nobody").get_data(as_text=True)) == ["H-NOBODYS"]
    everyone = signed_in.get("/admin/?assigned=bogus").get_data(as_text=True)
    assert rows(everyone) == ["H-NOBODYS", "H-KAIS", "H-MINE"]
    assert "<td>kai@example.org</td>" in everyone  # the list names the assignee
    # htmx gets the results with the filter kept in the export link and the page links.
    fragment = signed_in.get("/admin/?assigned=nobody", headers=HTMX).get_data(as_text=True)
    assert rows(fragment) == ["H-NOBODYS"]
    assert 'href="/admin/export.csv?assigned=nobody"' in fragment


def test_csv_follows_the_new_filters_and_has_assignee_and_age(app, signed_in, staff, week):
    with app.app_context():
        db.session.get(ContactRequest, week["H-OLD"]).assignee_id = staff.user_id
        db.session.commit()
    table = read_csv(signed_in.get("/admin/export.csv?assigned=me"))
    assert [row["Reference"] for row in table] == ["H-OLD"]
    assert table[0]["Assigned to"] == "staff@example.org"
    assert table[0]["Working days"] == "4"
    table = read_csv(signed_in.get("/admin/export.csv?overdue=1&assigned=nobody"))
    assert table == []
    done = read_csv(signed_in.get("/admin/export.csv?status=answered"))
    assert (done[0]["Reference"], done[0]["Working days"], done[0]["Assigned to"]) == (
        "H-DONE",
        "",
        "",
    )


# --- Spam -------------------------------------------------------------------------------


def mark(client, request_id: int, spam: str, token: str | None = None):
    page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    return client.post(
        f"/admin/requests/{request_id}/spam",
        data={"csrf_token": token or csrf_from(page), "spam": spam},
    )


def test_staff_mark_a_request_as_spam_and_back(app, signed_in, make_request):
    request_id = make_request(reference="H-AD")
    page = signed_in.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert '<section id="spam"' in page and ">Mark as spam</button>" in page
    response = mark(signed_in, request_id, "1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/requests/{request_id}#spam")
    page = signed_in.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Marked as spam. The list shows it only with the spam filter." in page
    assert ">This is not spam</button>" in page
    assert rows(signed_in.get("/admin/").get_data(as_text=True)) == []
    assert rows(signed_in.get("/admin/?spam=1").get_data(as_text=True)) == ["H-AD"]
    # Pressed twice (two tabs, two people): still spam, recorded once.
    mark(signed_in, request_id, "1")
    mark(signed_in, request_id, "0")
    assert rows(signed_in.get("/admin/").get_data(as_text=True)) == ["H-AD"]
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.request_id) for e in entries] == [
            ("spam", request_id),
            ("not_spam", request_id),
        ]
    page = signed_in.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "Marked as not spam" in page  # the history says so


@pytest.mark.parametrize(("token", "spam"), [("forged", "1"), (None, "maybe")])
def test_spam_marking_needs_the_token_and_a_valid_value(app, signed_in, make_request, token, spam):
    request_id = make_request()
    response = mark(signed_in, request_id, spam, token=token)
    assert response.status_code in (303, 400)
    with app.app_context():
        assert db.session.get(ContactRequest, request_id).is_spam is False
        assert db.session.scalars(select(AuditEntry)).all() == []


def test_purge_removes_spam_older_than_30_days(app, runner, make_request):
    now = datetime.now(UTC)
    make_request(reference="H-SPAM-OLD", is_spam=True, created_at=now - timedelta(days=31))
    make_request(
        reference="H-SPAM-OLD-CLOSED",
        is_spam=True,
        status="closed",
        created_at=now - timedelta(days=40),
    )
    make_request(reference="H-SPAM-NEW", is_spam=True, created_at=now - timedelta(days=29))
    make_request(reference="H-REAL-OLD", created_at=now - timedelta(days=31))
    result = runner.invoke(args=["requests", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 answered or closed request(s) last changed more than 365 days ago." in (
        result.output
    )
    assert "Removed 2 spam request(s) older than 30 days." in result.output
    with app.app_context():
        left = sorted(db.session.scalars(select(ContactRequest.reference)))
        assert left == ["H-REAL-OLD", "H-SPAM-NEW"]
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions == ["purged", "purged"]

"""Dates as people read them: the visitor's long date in each language, and the staff
area's times in the configured time zone (TIME_ZONE)."""

from datetime import UTC
from datetime import datetime

import pytest

from tests.support.csrf import csrf_from
from tests.support.dates import LONG_DATES
from webapp.extensions import db
from webapp.models import ContactRequest


@pytest.mark.parametrize("lang", list(LONG_DATES))
def test_the_status_page_writes_the_date_out_in_each_language(client, make_request, lang):
    make_request(
        reference="H-2026-000777",
        email="jana@example.org",
        created_at=datetime(2026, 12, 6, 10, 0, tzinfo=UTC),
    )
    token = csrf_from(client.get(f"/{lang}/help/status").get_data(as_text=True))
    data = {"reference": "H-2026-000777", "email": "jana@example.org", "csrf_token": token}
    html = client.post(f"/{lang}/help/status", data=data).get_data(as_text=True)
    assert LONG_DATES[lang] in html


# 23:30 UTC on Thursday 26 November 2026, as the staff page shows it in each zone.
@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/Berlin", "27.11.2026, 00:30"),
        ("America/New_York", "26.11.2026, 18:30"),
        ("UTC", "26.11.2026, 23:30"),
    ],
)
def test_the_time_zone_setting_decides_the_staff_pages_times(
    app_factory, staff_actions, zone, shown
):
    app = app_factory(TIME_ZONE=zone)
    received = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    with app.app_context():
        item = ContactRequest(
            reference="H-2026-000555",
            language="de",
            topic="job",
            name="Jana",
            email="jana@example.org",
            message="Hallo",
            consent_at=received,
            created_at=received,
        )
        db.session.add(item)
        db.session.commit()
        request_id = item.id
    client = app.test_client()
    staff = staff_actions(app, client)
    staff.create()
    staff.login()
    staff.choose_language("de")
    html = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert shown in html


def test_an_unknown_time_zone_stops_the_start(app_factory):
    with pytest.raises(ValueError, match="TIME_ZONE='Europe/Chemnitz'"):
        app_factory(TIME_ZONE="Europe/Chemnitz")

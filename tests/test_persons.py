"""A person's data: `requests export-person` and `requests forget`, and the staff page."""

import json

import sqlalchemy as sa
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import casework
from webapp.mail import outbox
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import Note
from webapp.models import OutboxMessage
from webapp.models import StaffUser

ADDRESS = "jana.novakova@example.org"


def post_help(client, email: str, message: str) -> None:
    token = csrf_from(client.get("/en/help").get_data(as_text=True))
    data = {
        "name": "Jana Nováková",
        "email": email,
        "topic": "job",
        "message": message,
        "consent": "y",
        "csrf_token": token,
    }
    assert client.post("/en/help", data=data).status_code == 303


def everything_holding(app, needle: str) -> list[str]:
    """Every table.column whose text holds `needle` (any case): all tables, all text columns."""
    found = []
    with app.app_context(), db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], sa.String | sa.Text | sa.JSON):
                    continue
                name = column["name"]
                rows = connection.execute(
                    sa.text(f'SELECT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL')
                ).scalars()
                if any(needle.lower() in str(value).lower() for value in rows):
                    found.append(f"{table}.{name}")
    return found


def fill(app, staff_id: int) -> None:
    """Two requests from the address (one in other case), an answer, notes, one other person."""
    client = app.test_client()
    post_help(client, ADDRESS, "First question about a job.")
    post_help(client, ADDRESS.upper(), f"Second question, write to {ADDRESS}.")
    post_help(client, "someone.else@example.org", f"My colleague {ADDRESS} told me about you.")
    with app.app_context():
        staff = db.session.get(StaffUser, staff_id)
        mine, _second, theirs = db.session.scalars(
            select(ContactRequest).order_by(ContactRequest.id)
        ).all()
        casework.add_note(mine, f"Called {ADDRESS} back.", staff)
        casework.add_note(theirs, f"Knows {ADDRESS.title()}.", staff)
        outbox.queue("answer", ADDRESS, "Re: job", f"Hello {ADDRESS}", request_id=mine.id)
        db.session.commit()


def test_export_person_prints_everything_held_as_json(app, runner, staff):
    fill(app, staff.user_id)
    result = runner.invoke(args=["requests", "export-person", ADDRESS.upper()])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["email"] == ADDRESS
    first, second = data["requests"]
    assert first["message"] == "First question about a job."
    assert first["name"] == "Jana Nováková" and first["consent_at"]
    assert [n["text"] for n in first["notes"]] == [f"Called {ADDRESS} back."]
    assert {m["kind"] for m in first["emails"]} == {"staff_notification", "confirmation", "answer"}
    assert [h["action"] for h in first["history"]] == ["note"]
    assert second["email"] == ADDRESS.upper()
    assert "someone.else" not in result.output  # nobody else's data


def test_forget_leaves_the_address_nowhere(app, runner, staff):
    fill(app, staff.user_id)
    assert everything_holding(app, ADDRESS)  # the search does find it while it is there

    result = runner.invoke(args=["requests", "forget", ADDRESS.upper()], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Deleted 2 request(s)" in result.output
    assert everything_holding(app, ADDRESS) == []
    with app.app_context():
        [left] = db.session.scalars(select(ContactRequest)).all()
        assert left.email == "someone.else@example.org"
        assert left.message == "My colleague [removed] told me about you."
        assert db.session.scalars(select(Note.body)).all() == ["Knows [removed]."]
        assert {m.recipient for m in db.session.scalars(select(OutboxMessage))} == {
            "hilfe@localhost",
            "someone.else@example.org",
        }
        forgotten = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "forgotten"))
        assert forgotten.reference is None and forgotten.detail == ""


def test_forget_asks_first(app, runner, make_request):
    make_request(email=ADDRESS)
    result = runner.invoke(args=["requests", "forget", ADDRESS], input="n\n")
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(ContactRequest.id))) == 1


def test_staff_delete_all_from_an_address_after_confirming(app, client, staff, make_request):
    staff.login()
    first = make_request(email=ADDRESS, reference="H-2026-000001")
    make_request(email=ADDRESS.upper(), reference="H-2026-000002")
    other = make_request(email="other@example.org")
    page = client.get(f"/admin/requests/{first}").get_data(as_text=True)
    assert f'href="/admin/requests/{first}/forget"' in page

    confirm = client.get(f"/admin/requests/{first}/forget")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "H-2026-000001" in html and "H-2026-000002" in html
    # Without the CSRF token nothing happens.
    assert client.post(f"/admin/requests/{first}/forget").status_code == 400
    response = client.post(
        f"/admin/requests/{first}/forget",
        data={"csrf_token": staff.token(f"/admin/requests/{first}")},
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ContactRequest.id)).all() == [other]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "forgotten"))
        assert entry.actor_id == staff.user_id
    assert "2 Anfragen von dieser Adresse wurden gelöscht." in client.get("/admin/").get_data(
        as_text=True
    )

"""A person's data: `requests export-person` and `requests forget`, and the staff page."""

import json

import sqlalchemy as sa
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.staff import StaffActions
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


# --- One address exactly: never a part of another, in any case or Unicode form ---------

ANA = "ana@example.org"
JANA = "jana@example.org"
# One person's address as different people type it: case, ß/ss-free, composed or not.
OZIL = ["ÖZIL.Probe@example.org", "özil.probe@example.org", "O\u0308ZIL.PROBE@Example.org"]


def test_forgetting_ana_leaves_jana_and_ana_plus_tag_whole(mail_app_factory, smtp):
    """The probe's case: `forget ana@example.org` made Jana's address `j[removed]`, which
    broke her status lookup and sent her next answer to the envelope recipient `j`."""
    app = mail_app_factory(HELP_RATE_LIMIT="100 per minute")
    client = app.test_client()
    post_help(client, JANA, "Jana's question.")
    post_help(client, ANA, "Ana's question.")
    post_help(client, "ana+news@example.org", "Ana's other address.")
    post_help(client, "Mara@example.org", f"My friends are {JANA} and {ANA.upper()}.")
    staff = StaffActions(app, app.test_client())
    staff.create()
    with app.app_context():
        jana, _ana, _plus, mara = db.session.scalars(
            select(ContactRequest).order_by(ContactRequest.id)
        ).all()
        jana_id, jana_reference = jana.id, jana.reference
        author = db.session.scalar(select(StaffUser))
        casework.add_note(jana, f"Her sister is Ana ({ANA}); Jana writes from {JANA}.", author)
        casework.add_note(mara, f"x.{ANA}, {ANA}. and {ANA}.uk are not Ana's.", author)

    result = app.test_cli_runner().invoke(args=["requests", "forget", "Ana@Example.org", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 request(s)" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(ContactRequest.email))) == [
            "Mara@example.org",
            "ana+news@example.org",
            JANA,
        ]
        assert db.session.get(ContactRequest, jana_id).message == "Jana's question."
        mara = db.session.scalar(select(ContactRequest).filter_by(email="Mara@example.org"))
        assert mara.message == f"My friends are {JANA} and [removed]."
        assert sorted(db.session.scalars(select(Note.body))) == [
            f"Her sister is Ana ([removed]); Jana writes from {JANA}.",
            f"x.{ANA}, [removed]. and {ANA}.uk are not Ana's.",
        ]
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert ANA not in recipients and JANA in recipients
        assert "ana+news@example.org" in recipients

    # Jana's status lookup still finds her request.
    page = client.get(f"/en/help/status?reference={jana_reference}").get_data(as_text=True)
    found = client.post(
        "/en/help/status",
        data={"reference": jana_reference, "email": JANA, "csrf_token": csrf_from(page)},
    ).get_data(as_text=True)
    assert "Received, not yet read" in found

    # Her next answer goes to her own address.
    assert staff.login().status_code == 302
    page = staff.client.get(f"/admin/requests/{jana_id}").get_data(as_text=True)
    answered = staff.client.post(
        f"/admin/requests/{jana_id}/answer",
        data={
            "answer-csrf_token": csrf_from(page),
            "answer-subject": f"Re: {jana_reference}",
            "answer-body": "Here is your answer.",
            "answer-status": "answered",
        },
    )
    assert answered.status_code == 303
    smtp.messages.clear()
    assert "failed 0" in app.test_cli_runner().invoke(args=["outbox", "send"]).output
    [answer] = [e for e in smtp.messages if b"Here is your answer." in e.original_content]
    assert answer.rcpt_tos == [JANA]


def test_forgetting_acts_on_exactly_the_address_given_plus_tags_included(app, runner, make_request):
    """news@example.org is the tail of ana+news@example.org, and ana+news@ is another
    address than ana@: each forget takes its own address and nothing else."""
    plain = make_request(email=ANA)
    tagged = make_request(email="Ana+News@example.org")
    make_request(email="news@example.org", message="Please write to ana+news@example.org.")
    result = runner.invoke(args=["requests", "forget", "news@example.org", "--yes"])
    assert "Deleted 1 request(s)" in result.output
    with app.app_context():
        left = db.session.execute(select(ContactRequest.id, ContactRequest.email)).all()
        assert sorted(left) == [(plain, ANA), (tagged, "Ana+News@example.org")]

    result = runner.invoke(args=["requests", "forget", "ana+news@example.org", "--yes"])
    assert "Deleted 1 request(s)" in result.output
    with app.app_context():
        [left] = db.session.scalars(select(ContactRequest)).all()
        assert (left.id, left.email) == (plain, ANA)


def test_export_and_forget_find_every_spelling_of_a_non_ascii_address(app, runner, make_request):
    """SQLite's lower() folds ASCII only: `forget özil.probe@…` said "Deleted 0 request(s)"
    while five requests from ÖZIL.Probe@… remained."""
    client = app.test_client()
    post_help(client, "ÖZIL.Probe@example.org", "Sent through the form.")
    for spelling in [*OZIL, "Özil.Probe@EXAMPLE.ORG"]:
        make_request(email=spelling)
    other = make_request(email="ozil.probe@example.org", message=f"Not {OZIL[0]}, {OZIL[2]}!")
    with app.app_context():
        outbox.queue("answer", "ÖZIL.PROBE@example.org", "Hello", "Hello", request_id=None)
        db.session.commit()

    exported = json.loads(runner.invoke(args=["requests", "export-person", OZIL[1]]).output)
    assert exported["email"] == "özil.probe@example.org"
    assert [item["email"] for item in exported["requests"]] == [
        "ÖZIL.Probe@example.org",
        *OZIL,
        "Özil.Probe@EXAMPLE.ORG",
    ]  # as each visitor typed it
    assert [m["to"] for m in exported["other_emails"]] == ["ÖZIL.PROBE@example.org"]

    result = runner.invoke(args=["requests", "forget", OZIL[1], "--yes"])
    assert "Deleted 5 request(s)" in result.output
    with app.app_context():
        [left] = db.session.scalars(select(ContactRequest)).all()
        assert left.id == other and left.message == "Not [removed], [removed]!"
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == []


def test_staff_delete_all_from_an_address_finds_every_spelling(app, client, staff, make_request):
    staff.login()
    first, *_rest = [make_request(email=spelling) for spelling in OZIL]
    other = make_request(email="ozil.probe@example.org")
    confirm = client.get(f"/admin/requests/{first}/forget").get_data(as_text=True)
    assert all(f"H-TEST-{number:04d}" in confirm for number in (1, 2, 3))
    assert "H-TEST-0004" not in confirm
    response = client.post(
        f"/admin/requests/{first}/forget", data={"csrf_token": csrf_from(confirm)}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ContactRequest.id)).all() == [other]
    assert "3 Anfragen von dieser Adresse wurden gelöscht." in client.get("/admin/").get_data(
        as_text=True
    )

"""Reference numbers are never issued twice: after the newest request is deleted (by staff,
forgotten, purged), the next one gets a new id and reference, and the old ones lead nowhere.

On SQLite a table without AUTOINCREMENT gives a new row max(id) + 1, so deleting the
newest request handed its id and reference to the next visitor; PostgreSQL's sequences
never go back. Both backends run these tests.
"""

import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

NOT_FOUND = "We could not find a request with this reference number and this e-mail address."


def send_help(client, email: str) -> tuple[int, str]:
    """Send the help form as a visitor; the new request's id and reference."""
    token = csrf_from(client.get("/en/help").get_data(as_text=True))
    data = {
        "name": "Visitor",
        "email": email,
        "topic": "job",
        "message": "Where can I find work in Chemnitz?",
        "consent": "y",
        "csrf_token": token,
    }
    assert client.post("/en/help", data=data).status_code == 303
    page = client.get("/en/help/sent").get_data(as_text=True)
    reference = re.search(r"H-\d{4}-\d{6}", page).group(0)
    return int(reference.rsplit("-", 1)[1]), reference


def look_up(client, reference: str, email: str) -> str:
    token = csrf_from(client.get("/en/help/status").get_data(as_text=True))
    data = {"reference": reference, "email": email, "csrf_token": token}
    return client.post("/en/help/status", data=data).get_data(as_text=True)


def delete_by_staff(app, client, staff, runner, request_id: int, email: str) -> None:
    token = staff.token(f"/admin/requests/{request_id}")
    response = client.post(f"/admin/requests/{request_id}/delete", data={"csrf_token": token})
    assert response.status_code == 303


def forget_on_the_command_line(app, client, staff, runner, request_id: int, email: str) -> None:
    result = runner.invoke(args=["requests", "forget", email, "--yes"])
    assert "Deleted 1 request(s)" in result.output, result.output


def purge_when_closed(app, client, staff, runner, request_id: int, email: str) -> None:
    with app.app_context():
        db.session.get(ContactRequest, request_id).status = "closed"
        db.session.commit()
    result = runner.invoke(args=["requests", "purge", "--older-than", "0"])
    assert "Removed 1 answered or closed request(s)" in result.output, result.output


def housekeeping_when_spam(app, client, staff, runner, request_id: int, email: str) -> None:
    app.config["SPAM_PURGE_AFTER_DAYS"] = 0
    with app.app_context():
        db.session.get(ContactRequest, request_id).is_spam = True
        db.session.commit()
    result = runner.invoke(args=["housekeeping"])
    assert "Removed 1 spam request(s)" in result.output, result.output


@pytest.mark.parametrize(
    "remove",
    [delete_by_staff, forget_on_the_command_line, purge_when_closed, housekeeping_when_spam],
)
def test_the_newest_request_deleted_its_number_is_never_issued_again(
    app, client, staff, runner, remove
):
    app.config["HELP_RATE_LIMIT"] = "100 per minute"
    visitor = app.test_client()
    sent = [send_help(visitor, f"visitor{n}@example.org") for n in range(3)]
    newest_id, newest_reference = sent[-1]
    with app.app_context():
        old_message_ids = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.request_id == newest_id)
        ).all()
    staff.login()
    assert client.get(f"/admin/requests/{newest_id}").status_code == 200

    remove(app, client, staff, runner, newest_id, "visitor2@example.org")

    next_id, next_reference = send_help(visitor, "someone.new@example.org")
    assert next_id > newest_id
    assert next_reference != newest_reference
    # The old staff link and the old number lead nowhere, not to the new visitor's request.
    assert client.get(f"/admin/requests/{newest_id}").status_code == 404
    assert NOT_FOUND in look_up(visitor, newest_reference, "someone.new@example.org")
    assert NOT_FOUND not in look_up(visitor, next_reference, "someone.new@example.org")
    with app.app_context():
        living = set(db.session.scalars(select(ContactRequest.reference)))
        audited = {ref for ref in db.session.scalars(select(AuditEntry.reference)) if ref}
        assert living.isdisjoint(audited)
        # The deleted request's e-mails' ids are not given to the new request's either.
        new_message_ids = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.request_id == next_id)
        ).all()
        assert min(new_message_ids) > max(old_message_ids)


def test_a_deletion_in_the_history_never_names_a_living_request(app, client, staff):
    """Staff delete the newest request three times over: every "deleted H-…" stays unique."""
    app.config["HELP_RATE_LIMIT"] = "100 per minute"
    visitor = app.test_client()
    staff.login()
    for n in range(3):
        request_id, _reference = send_help(visitor, f"round{n}@example.org")
        token = staff.token(f"/admin/requests/{request_id}")
        client.post(f"/admin/requests/{request_id}/delete", data={"csrf_token": token})
    send_help(visitor, "last@example.org")
    with app.app_context():
        deleted = db.session.scalars(
            select(AuditEntry.reference).where(AuditEntry.action == "deleted")
        ).all()
        living = db.session.scalars(select(ContactRequest.reference)).all()
    assert len(set(deleted)) == 3
    assert set(deleted).isdisjoint(living)


def test_a_deleted_saved_replys_edit_form_never_reaches_a_newer_one(app, client, staff):
    from webapp.helpdesk import saved_replies

    staff.login()
    with app.app_context():
        saved_replies.create("job", "de", "Arbeit", "Text eins")
        newest = saved_replies.create("job", "de", "Wohnen", "Text zwei").id
    form = client.get(f"/admin/replies/{newest}/edit")
    assert form.status_code == 200
    with app.app_context():
        saved_replies.delete(saved_replies.get(newest))
        newer = saved_replies.create("job", "de", "Kita", "Text drei").id
    assert newer > newest
    assert client.get(f"/admin/replies/{newest}/edit").status_code == 404

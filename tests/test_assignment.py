"""Assigning a request to a member of staff: the form, the audit, the e-mail to the assignee."""

import re
from typing import NamedTuple

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import accounts
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import OutboxMessage
from webapp.models import StaffUser

HTMX = {"HX-Request": "true"}
COLLEAGUE = "kai@example.org"


class Team(NamedTuple):
    """The signed-in staff account's id and a colleague's."""

    me: int
    colleague: int


@pytest.fixture
def team(app, client, staff):
    """The signed-in `staff` account (English) and a colleague who reads German."""
    with app.app_context():
        colleague = accounts.create(COLLEAGUE, "another long password")
        colleague.language = "de"
        db.session.commit()
        colleague_id = colleague.id
    staff.login()
    staff.choose_language("en")
    return Team(me=staff.user_id, colleague=colleague_id)


def assign(client, request_id: int, htmx: bool = False, **data):
    token = csrf_from(client.get(f"/admin/requests/{request_id}").get_data(as_text=True))
    return client.post(
        f"/admin/requests/{request_id}/assign",
        data={"csrf_token": token, **data},
        headers=HTMX if htmx else {},
    )


def stored(app, request_id: int) -> tuple[int | None, list[OutboxMessage], list[AuditEntry]]:
    with app.app_context():
        item = db.session.get(ContactRequest, request_id)
        messages = db.session.scalars(select(OutboxMessage)).all()
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return item.assignee_id, messages, entries


def test_request_page_offers_active_staff_and_assign_to_me(app, client, team, make_request):
    with app.app_context():
        accounts.create("gone@example.org", "another long password")
        accounts.set_active("gone@example.org", False)
    request_id = make_request()
    html = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert '<section id="assignment"' in html
    assert "Not assigned to anyone yet." in html
    select_html = re.search(r'<select[^>]*id="assign-assignee".*?</select>', html, re.S).group(0)
    assert COLLEAGUE in select_html and "staff@example.org" in select_html
    assert "gone@example.org" not in select_html  # deactivated accounts are not offered
    assert '<option selected value="">Nobody</option>' in select_html
    assert 'name="assign-to_me"' in html


def test_assigning_a_colleague_queues_an_email_in_their_language(app, client, team, make_request):
    me, colleague = team.me, team.colleague
    request_id = make_request(reference="H-2026-000042", topic="job", message="Private text")
    response = assign(
        client, request_id, **{"assign-assignee": str(colleague), "assign-submit": "y"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/requests/{request_id}#assignment")
    assignee_id, messages, entries = stored(app, request_id)
    assert assignee_id == colleague
    [message] = messages
    assert (message.kind, message.recipient, message.author_id) == (Kind.ASSIGNMENT, COLLEAGUE, me)
    assert message.request_id == request_id and message.state == State.QUEUED
    # German, the colleague's language; the vocabulary's topic name; nothing the visitor typed.
    assert message.subject == "Die Hilfe-Anfrage H-2026-000042 wurde Ihnen zugewiesen"
    assert "staff@example.org hat Ihnen eine Hilfe-Anfrage zugewiesen." in message.body
    assert "Thema: Arbeit finden" in message.body
    assert "Status: Neu" in message.body
    assert f"http://127.0.0.1:5000/admin/requests/{request_id}" in message.body
    assert "\n-- \n" in message.body  # the operator's footer, as under every e-mail
    assert "Private text" not in message.body and "Person 1" not in message.body
    [entry] = entries
    assert (entry.action, entry.detail, entry.actor_id) == ("assigned", COLLEAGUE, me)
    page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert f"Assigned to: <strong>{COLLEAGUE}</strong>" in page
    assert f"Assigned to {COLLEAGUE}" in page  # the history
    assert "Assignment notice" in page  # the e-mail, with its delivery state


def test_assign_to_me_sends_no_email(app, client, team, make_request):
    me = team.me
    request_id = make_request()
    # The second button wins over whatever the select says.
    response = assign(client, request_id, **{"assign-assignee": "", "assign-to_me": "y"})
    assert response.status_code == 303
    assignee_id, messages, entries = stored(app, request_id)
    assert assignee_id == me and messages == []
    assert [(e.action, e.detail) for e in entries] == [("assigned", "staff@example.org")]
    page = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert "The request is assigned to you." in page
    assert 'name="assign-to_me"' not in page  # nothing left to take


def test_assignment_with_htmx_returns_the_panel_and_the_history(app, client, team, make_request):
    colleague = team.colleague
    request_id = make_request()
    response = assign(
        client, request_id, htmx=True, **{"assign-assignee": str(colleague), "assign-submit": "y"}
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="assignment"')
    assert "<html" not in html
    assert f'data-announce="The request is assigned to {COLLEAGUE}, who gets an e-mail."' in html
    assert '<section id="audit" aria-labelledby="audit-title" data-hx-swap-oob="true">' in html
    assert f"Assigned to {COLLEAGUE}" in html


def test_unassigning_and_assigning_again_the_same(app, client, team, make_request):
    colleague = team.colleague
    request_id = make_request()
    assign(client, request_id, **{"assign-assignee": str(colleague), "assign-submit": "y"})
    # The same choice again: nothing recorded, no second e-mail.
    assign(client, request_id, **{"assign-assignee": str(colleague), "assign-submit": "y"})
    response = assign(client, request_id, **{"assign-assignee": "", "assign-submit": "y"})
    assert response.status_code == 303
    assignee_id, messages, entries = stored(app, request_id)
    assert assignee_id is None and len(messages) == 1
    assert [(e.action, e.detail) for e in entries] == [("assigned", COLLEAGUE), ("assigned", "")]
    assert "Assignment removed" in client.get(f"/admin/requests/{request_id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unknown_or_deactivated_assignee_is_refused(app, client, team, make_request, htmx):
    with app.app_context():
        gone = accounts.create("gone@example.org", "another long password").id
        accounts.set_active("gone@example.org", False)
    request_id = make_request()
    for value in ("999", str(gone), "x"):
        response = assign(
            client, request_id, htmx=htmx, **{"assign-assignee": value, "assign-submit": "y"}
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "There is a problem" in html
        assert '<a href="#assign-assignee">Choose a member of staff</a>' in html
    assert stored(app, request_id)[:2] == (None, [])


def test_assignment_needs_the_csrf_token_and_keeps_the_choice(app, client, team, make_request):
    colleague = team.colleague
    request_id = make_request()
    response = client.post(
        f"/admin/requests/{request_id}/assign",
        data={"csrf_token": "expired", "assign-assignee": str(colleague)},
        headers=HTMX,
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="assignment"')
    assert "This page was open for a long time. Please send it again." in html
    assert f'<option selected value="{colleague}">' in html
    assert stored(app, request_id)[:2] == (None, [])


def test_deleting_the_assignee_account_leaves_the_request_unassigned(app, team, make_request):
    colleague = team.colleague
    request_id = make_request(assignee_id=colleague)
    with app.app_context():
        db.session.execute(db.delete(OutboxMessage))
        db.session.execute(db.delete(StaffUser).where(StaffUser.id == colleague))
        db.session.commit()
        assert db.session.get(ContactRequest, request_id).assignee_id is None


def test_the_assignment_email_is_delivered(mail_app_factory, smtp, staff_actions, make_request):
    app = mail_app_factory()
    client = app.test_client()
    actions = staff_actions(app, client)
    actions.create()
    with app.app_context():
        colleague = accounts.create(COLLEAGUE, "another long password").id  # no language: German
    actions.login()
    request_id = make_request(reference="H-2026-000777", topic="recomine")
    assign(client, request_id, **{"assign-assignee": str(colleague), "assign-submit": "y"})
    app.test_cli_runner().invoke(args=["outbox", "send"])
    [mail] = smtp.parsed()
    assert mail["To"] == COLLEAGUE
    assert mail["Subject"] == "Die Hilfe-Anfrage H-2026-000777 wurde Ihnen zugewiesen"
    body = mail.get_content()
    assert "Thema: rECOmine" in body
    assert f"https://wir.example/admin/requests/{request_id}" in body

"""One request: what was sent, status changes with their audit entry, notes, deletion."""

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import Note

HTMX = {"HX-Request": "true"}
STAFF_EMAIL = "staff@example.org"  # the `staff` fixture's account


@pytest.fixture
def signed_in(client, staff):
    staff.login()
    staff.choose_language("en")  # English labels for the assertions below
    return client


def post(client, url: str, data: dict, htmx: bool = False):
    """POST with the CSRF token taken from the page the form is on."""
    page = url.rsplit("/", 1)[0] if not url.endswith("/delete") else url
    html = client.get(page).get_data(as_text=True)
    token = csrf_from(html)
    return client.post(url, data={"csrf_token": token, **data}, headers=HTMX if htmx else {})


def csrf_field(html: str) -> str:
    return csrf_from(html)


def audit(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return entries


def test_detail_shows_everything_sent_escaped(signed_in, make_request):
    request_id = make_request(
        reference="H-2026-0042",
        name="<b>Eve</b>",
        email="eve@example.org",
        organisation="Firma & Co",
        phone="+49 371 123",
        topic="smarterz",
        message='Hello <img src=x onerror="alert(1)">\nSecond line',
        language="en",
    )
    response = signed_in.get(f"/admin/requests/{request_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Request H-2026-0042</h1>" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve</b>" not in html
    assert "<img src=x" not in html
    assert "Hello &lt;img src=x onerror=&#34;alert(1)&#34;&gt;\nSecond line" in html
    assert 'href="mailto:eve@example.org"' in html
    assert "Firma &amp; Co" in html and "+49 371 123" in html
    assert "<dd>SmartERZ – Smart Composites Erzgebirge</dd>" in html
    assert "English" in html


def test_unknown_request_is_404(signed_in):
    assert signed_in.get("/admin/requests/9999").status_code == 404


def test_status_change_with_htmx_returns_the_panel_and_the_history(app, signed_in, make_request):
    request_id = make_request()
    html = signed_in.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    # The next step is preselected, so one click moves the request on.
    assert '<option selected value="in_progress">' in html
    response = post(
        signed_in, f"/admin/requests/{request_id}/status", {"status": "in_progress"}, htmx=True
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="status-panel"')
    assert '<strong class="status status-in_progress">In progress</strong>' in html
    assert 'data-announce="Status changed to “In progress”."' in html
    assert '<section id="audit" aria-labelledby="audit-title" data-hx-swap-oob="true">' in html
    assert "Status changed from “New” to “In progress”" in html
    assert STAFF_EMAIL in html
    with app.app_context():
        assert db.session.get(ContactRequest, request_id).status == "in_progress"
    [entry] = audit(app)
    assert (entry.request_id, entry.action, entry.detail) == (
        request_id,
        "status",
        "new -> in_progress",
    )
    assert entry.reference == "H-TEST-0001"
    assert entry.actor_id is not None and entry.created_at is not None


def test_status_change_without_javascript_redirects_back(app, signed_in, make_request):
    request_id = make_request(status="answered")
    response = post(signed_in, f"/admin/requests/{request_id}/status", {"status": "closed"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/requests/{request_id}"
    html = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Status changed to “Closed”." in html
    assert "Status changed from “Answered” to “Closed”" in html
    with app.app_context():
        assert db.session.get(ContactRequest, request_id).status == "closed"


def test_setting_the_same_status_records_nothing(app, signed_in, make_request):
    request_id = make_request(status="answered")
    response = post(
        signed_in, f"/admin/requests/{request_id}/status", {"status": "answered"}, htmx=True
    )
    assert "The status was already “Answered”." in response.get_data(as_text=True)
    assert audit(app) == []


@pytest.mark.parametrize("htmx", [True, False])
def test_unknown_status_is_refused(app, signed_in, make_request, htmx):
    request_id = make_request()
    response = post(
        signed_in, f"/admin/requests/{request_id}/status", {"status": "done"}, htmx=htmx
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose a status" in html
    assert ("<html" in html) is not htmx
    with app.app_context():
        assert db.session.get(ContactRequest, request_id).status == "new"
    assert audit(app) == []


def test_status_change_needs_the_csrf_token(app, signed_in, make_request):
    request_id = make_request()
    response = signed_in.post(
        f"/admin/requests/{request_id}/status", data={"status": "closed"}, headers=HTMX
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(ContactRequest, request_id).status == "new"


def test_expired_token_keeps_the_note_and_asks_to_send_again(app, signed_in, make_request):
    request_id = make_request()
    response = signed_in.post(
        f"/admin/requests/{request_id}/notes",
        headers=HTMX,
        data={"csrf_token": "expired", "body": "My long note"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes"')
    assert "This page was open for a long time. Please send it again." in html
    assert "My long note</textarea>" in html
    assert csrf_field(html) != "expired"  # a fresh token to send it again with
    with app.app_context():
        assert db.session.scalars(select(Note)).all() == []


def test_notes_are_appended_with_author_and_time(app, signed_in, make_request):
    request_id = make_request()
    response = post(
        signed_in,
        f"/admin/requests/{request_id}/notes",
        {"body": "Called back, <left> a message."},
        htmx=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes"')
    assert "Called back, &lt;left&gt; a message." in html
    assert 'data-announce="Note added."' in html
    assert "Note added" in html and 'data-hx-swap-oob="true"' in html
    post(signed_in, f"/admin/requests/{request_id}/notes", {"body": "Second note"})
    with app.app_context():
        notes = db.session.scalars(select(Note).order_by(Note.id)).all()
        assert [n.body for n in notes] == ["Called back, <left> a message.", "Second note"]
        assert all(n.author.email == STAFF_EMAIL and n.created_at for n in notes)
    assert [e.action for e in audit(app)] == ["note", "note"]
    page = signed_in.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert page.index("Called back") < page.index("Second note")
    assert f"{STAFF_EMAIL} · " in page


@pytest.mark.parametrize("htmx", [True, False])
def test_empty_note_is_refused(app, signed_in, make_request, htmx):
    request_id = make_request()
    response = post(signed_in, f"/admin/requests/{request_id}/notes", {"body": "   "}, htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert '<a href="#body">Enter the text of the note</a>' in html
    with app.app_context():
        assert db.session.scalars(select(Note)).all() == []


def test_notes_cannot_be_edited_or_removed(app):
    methods = {m for r in app.url_map.iter_rules() if "notes" in r.rule for m in r.methods}
    assert methods - {"HEAD", "OPTIONS"} == {"POST"}


def test_delete_asks_first_then_deletes_and_keeps_an_audit_entry(app, signed_in, make_request):
    request_id = make_request(reference="H-DEL-1", name="Delete Me", email="del@example.org")
    post(signed_in, f"/admin/requests/{request_id}/notes", {"body": "a note"})
    post(signed_in, f"/admin/requests/{request_id}/status", {"status": "closed"})
    confirm = signed_in.get(f"/admin/requests/{request_id}/delete")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Delete request H-DEL-1?" in html
    assert "Yes, delete this request" in html
    with app.app_context():
        assert db.session.get(ContactRequest, request_id) is not None  # not yet

    response = post(signed_in, f"/admin/requests/{request_id}/delete", {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert "Request H-DEL-1 was deleted." in signed_in.get("/admin/").get_data(as_text=True)
    assert signed_in.get(f"/admin/requests/{request_id}").status_code == 404
    with app.app_context():
        assert db.session.get(ContactRequest, request_id) is None
        assert db.session.scalars(select(Note)).all() == []
    entries = audit(app)
    assert [e.action for e in entries] == ["note", "status", "deleted"]
    deleted = entries[-1]
    assert deleted.reference == "H-DEL-1" and deleted.actor_id is not None
    assert all(e.request_id is None for e in entries)  # the link to the request is gone
    assert "Delete Me" not in deleted.detail and "del@example.org" not in deleted.detail


def test_delete_needs_the_csrf_token(app, signed_in, make_request):
    request_id = make_request()
    assert signed_in.post(f"/admin/requests/{request_id}/delete").status_code == 400
    with app.app_context():
        assert db.session.get(ContactRequest, request_id) is not None


def test_admin_pages_are_not_cached_or_kept_in_htmx_history(signed_in, make_request):
    request_id = make_request()
    response = signed_in.get(f"/admin/requests/{request_id}")
    assert response.headers["Cache-Control"] == "no-store, private"
    html = response.get_data(as_text=True)
    assert '<body class="admin" data-hx-history="false">' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "style=" not in html

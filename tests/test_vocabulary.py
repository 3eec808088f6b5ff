"""One vocabulary: a topic and a status read the same in the form, the list, the CSV, the
e-mails and the status lookup, and are defined in webapp/vocabulary.py only."""

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.helpdesk import vocabulary
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.models import ContactRequest
from webapp.models import OutboxMessage

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
SOURCES = [p for p in WEBAPP.rglob("*.py") if "migrations" not in p.parts]


def send_help(client, topic: str) -> ContactRequest:
    html = client.get("/de/help").get_data(as_text=True)
    data = {
        "name": "Jana",
        "email": "jana@example.org",
        "topic": topic,
        "message": "Ich suche eine Stelle in Aue.",
        "consent": "y",
        "csrf_token": csrf_from(html),
    }
    assert client.post("/de/help", data=data).status_code == 303
    return html


@pytest.mark.parametrize(
    ("topic", "label"),
    [("job", "Arbeit finden"), ("barrier", "Eine Barriere auf dieser Website melden")],
)
def test_a_topic_reads_the_same_everywhere(app, client, staff, topic, label):
    form = send_help(client, topic)
    assert f'<option value="{topic}">{label}</option>' in form
    with app.app_context():
        item = db.session.scalar(select(ContactRequest))
        notice = db.session.scalar(select(OutboxMessage).filter_by(kind=Kind.STAFF_NOTIFICATION))
        confirmation = db.session.scalar(select(OutboxMessage).filter_by(kind=Kind.CONFIRMATION))
        reference = item.reference
        # The texts as the sender writes them (the POST stores none).
        notice_subject, notice_body = outbox.text_of(notice)
        assert f"Thema: {label}" in notice_body and label in notice_subject
        assert f"Thema: {label}" in outbox.text_of(confirmation)[1]  # the visitor wrote German
    staff.login()
    staff.choose_language("de")
    listing = client.get("/admin/").get_data(as_text=True)
    assert f"<td>{label}</td>" in listing
    assert f'<option value="{topic}">{label}</option>' in listing  # the filter
    detail = client.get(f"/admin/requests/{item.id}").get_data(as_text=True)
    assert f"<dd>{label}</dd>" in detail
    text = client.get("/admin/export.csv").get_data(as_text=True).lstrip("\ufeff")
    [row] = csv.DictReader(io.StringIO(text), delimiter=";")
    assert row["Thema"] == label
    assert row["Status"] == "Neu" and reference in row.values()


def test_a_status_reads_the_same_in_the_staff_area_and_its_visitor_words_in_the_lookup(
    app, client, staff, make_request
):
    request_id = make_request(reference="H-2026-000009", email="kim@example.org")
    with app.app_context(), force_locale("en"):
        staff_word = vocabulary.status_label("in_progress")
        visitor_word = vocabulary.visitor_status_label("in_progress")
        db.session.get(ContactRequest, request_id).status = "in_progress"
        db.session.commit()
    staff.login()
    staff.choose_language("en")
    assert f">{staff_word}</span>" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/en/help/status").get_data(as_text=True)
    data = {"reference": "H-2026-000009", "email": "kim@example.org", "csrf_token": csrf_from(page)}
    answer = client.post("/en/help/status", data=data).get_data(as_text=True)
    assert f"<strong>{visitor_word}</strong>" in answer


def test_topics_and_statuses_are_defined_in_one_module():
    words = [str(label._args[0]) for label in vocabulary.TOPIC_LABELS.values()]
    words += [str(label._args[0]) for label in vocabulary.STATUS_LABELS.values()]
    words += [str(label._args[0]) for label in vocabulary.VISITOR_STATUS_LABELS.values()]
    for path in SOURCES:
        if path.name == "vocabulary.py":
            continue
        text = path.read_text()
        for word in words:
            assert f'_l("{word}")' not in text, f"{path.name} defines {word!r} again"
            assert f'_("{word}")' not in text, f"{path.name} defines {word!r} again"
        assert not re.search(r"\b(topic_name|TOPIC_NAMES|VISITOR_STATUS)\b", text), path.name


def test_a_contact_request_is_never_called_request():
    """Flask's `request` is in scope in any module that imports it: no variable, argument or
    attribute of ours may take the name (Flask's own session-interface hook excepted)."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name) and node.id == "request":
                if isinstance(node.ctx, ast.Store):
                    found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "request":
                found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.keyword) and node.arg == "request":
                found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.arg) and node.arg == "request":
                if path.name != "sessions.py":  # SessionInterface.open_session(app, request)
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []

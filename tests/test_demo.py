"""`flask --app wsgi demo load`: made-up requests for a development database, never real ones."""

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from webapp.config import Defaults
from webapp.extensions import db
from webapp.helpdesk import vocabulary
from webapp.mail.kinds import Kind
from webapp.mail.kinds import State
from webapp.models import ContactRequest
from webapp.models import Note
from webapp.models import OutboxMessage
from webapp.models import StaffUser


def request_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ContactRequest.id)))


# Every way of saying no (config.parse_bool), and a word that is neither yes nor no.
@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "off", " OFF ", "maybe"])
def test_the_demo_refuses_without_demo_allowed(app, runner, monkeypatch, value):
    monkeypatch.delenv("DEMO_ALLOWED", raising=False)
    if value is not None:
        monkeypatch.setenv("DEMO_ALLOWED", value)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "DEMO_ALLOWED=1" in result.output
    assert request_count(app) == 0


def test_the_demo_refuses_a_postgresql_url(app_factory, monkeypatch):
    monkeypatch.setenv("DEMO_ALLOWED", "1")
    # Refused by its URL alone: nothing ever connects to this address.
    app = app_factory(database_uri="postgresql+psycopg://postgres@127.0.0.1:1/webapp")
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "SQLite development database only; this one is PostgreSQL" in result.output


def test_the_demo_refuses_the_test_database_it_runs_on(app, runner, backend, monkeypatch):
    """On SQLite the demo loads; on PostgreSQL (TEST_DATABASE_URL) it writes nothing."""
    monkeypatch.setenv("DEMO_ALLOWED", "1")
    result = runner.invoke(args=["demo", "load"])
    if backend == "postgresql":
        assert result.exit_code == 1
        assert "this one is PostgreSQL" in result.output
        assert request_count(app) == 0
    else:
        assert result.exit_code == 0, result.output
        assert request_count(app) >= 24


def test_the_demo_holds_every_topic_status_and_language(app, demo_password):
    with app.app_context():
        items = list(db.session.scalars(select(ContactRequest)))
        assert len(items) >= 24
        assert {i.status for i in items} == set(vocabulary.STATUSES)
        assert {i.language for i in items} == set(Defaults.LANGUAGES)
        assert set(vocabulary.FIXED_TOPICS) <= {i.topic for i in items}
        initiatives = {i.topic for i in items if i.initiative_id is not None}
        assert len(initiatives) >= 3
        # Received over the last weeks, in the order of their references.
        dates = [i.created_at for i in sorted(items, key=lambda i: i.id)]
        assert dates == sorted(dates)
        assert (dates[-1] - dates[0]).days >= 21
        # Notes and answers by two members of staff; every request answered has an answer.
        assert db.session.scalar(select(func.count(Note.id))) >= 10
        answers = list(db.session.scalars(select(OutboxMessage).filter_by(kind=Kind.ANSWER)))
        assert len(answers) >= 10
        assert len({a.author_id for a in answers}) == 2
        answered = {i.id for i in items if i.status == "answered"}
        assert answered <= {a.request_id for a in answers}
        # Nothing waits in the outbox: the made-up addresses are never mailed.
        states = set(db.session.scalars(select(OutboxMessage.state)))
        assert states == {State.SENT}
        # Some are assigned, to both accounts, and the colleague was told by e-mail.
        assert len({i.assignee_id for i in items if i.assignee_id}) == 2
        assert sum(1 for i in items if i.assignee_id) >= 5
        notices = db.session.scalars(select(OutboxMessage).filter_by(kind=Kind.ASSIGNMENT))
        assert {n.recipient for n in notices} == {"jonas.richter@example.org"}


def test_the_staff_list_shows_the_demo_requests(app, client, staff_actions, demo_password):
    staff = staff_actions(app, client)
    response = staff.login(email="demo@example.org", password=demo_password)
    assert response.status_code == 302
    html = client.get("/admin/").get_data(as_text=True)
    rows = re.findall(r"<tr>", html)
    assert len(rows) - 1 >= 20  # one header row
    assert "Lukas Fischer" in html  # the newest request comes first


def test_a_demo_request_shows_its_conversation_and_notes(app, client, staff_actions, demo_password):
    staff_actions(app, client).login(email="demo@example.org", password=demo_password)
    with app.app_context():
        item = db.session.scalar(select(ContactRequest).filter_by(name="Sabine Köhler"))
    html = client.get(f"/admin/requests/{item.id}").get_data(as_text=True)
    assert "Re: Ihre Anfrage" in html  # the answer, threaded on the confirmation
    assert "Agentur für Arbeit Zwickau" in html  # the note
    assert "jonas.richter@example.org" in html  # the colleague closed it


def test_loading_again_adds_nothing_and_gives_a_new_password(app, runner, demo_password):
    before = request_count(app)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0
    assert "loaded before" in result.output
    assert "as demo@example.org with the password " in result.output
    assert demo_password not in result.output
    assert request_count(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffUser.id))) == 2

"""The migrations build exactly the schema the models describe, and can be undone.

Runs on a database of its own (a new SQLite file; on PostgreSQL a new schema in the
test database), never on the one the other tests share.
"""

import os
import uuid
from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from webapp import create_app
from webapp.extensions import db
from webapp.models import ContactRequest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


@pytest.fixture
def fresh_database_uri(backend, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def schema_differences(metadata: sa.MetaData) -> list:
    """What autogenerate would write to bring the current database in line with `metadata`."""
    from flask import current_app

    options = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": options.get("compare_type", True)}
        )
        return compare_metadata(context, metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


@pytest.fixture
def fresh_app(fresh_database_uri, make_config):
    app = create_app(make_config(fresh_database_uri))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_models_and_migrations_agree(fresh_app):
    upgrade()
    assert table_names() == set(db.metadata.tables)
    differences = schema_differences(db.metadata)
    assert differences == [], (
        "models and migrations disagree; run `flask --app wsgi db migrate -m ...` "
        f"and review the new revision: {differences}"
    )


def test_the_comparison_notices_a_model_change(fresh_app):
    upgrade()
    changed = sa.MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["contact_request"].append_column(sa.Column("shoe_size", sa.Integer()))
    differences = schema_differences(changed)
    assert [(d[0], d[3].name) for d in differences] == [("add_column", "shoe_size")]


def test_downgrade_to_nothing_and_upgrade_again(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables)


# The schema just before the address keys; rows written then have none.
BEFORE_ADDRESS_KEYS = "6d3f1b8a2c47"


def test_existing_rows_get_their_address_keys(fresh_app):
    """Requests, e-mails and staff accounts stored before the keys existed are found by
    any spelling of their address afterwards, on both databases."""
    from webapp.helpdesk import accounts
    from webapp.helpdesk import persons
    from webapp.mail import outbox
    from webapp.models import OutboxMessage

    upgrade(revision=BEFORE_ADDRESS_KEYS)
    now = "2026-12-01 09:00:00"
    with db.engine.begin() as connection:
        for number, email in enumerate(
            ["ÖZIL.Probe@example.org", "O\u0308zil.probe@EXAMPLE.org", "jana@example.org"], 1
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO contact_request (id, reference, created_at, language, topic,"
                    " name, email, message, status, consent_at, is_spam)"
                    " VALUES (:id, :reference, :now, 'de', 'job', 'Probe', :email, 'Hallo',"
                    " 'new', :now, false)"
                ),
                {"id": number, "reference": f"H-2026-{number:06d}", "now": now, "email": email},
            )
        for number, recipient in enumerate(
            ["victim+0@example.org", "Victim+1@Example.org", "VICTIM@example.org"], 1
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO outbox_message (id, kind, recipient, message_id, state,"
                    " attempts, next_attempt_at, created_at)"
                    " VALUES (:id, 'confirmation', :recipient, :message_id, 'sent', 1, :now, :now)"
                ),
                {"id": number, "recipient": recipient, "message_id": f"<{number}@x>", "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO staff_user (email, password_hash, created_at, active,"
                " session_version) VALUES ('straße@example.org', 'x', :now, true, 0)"
            ),
            {"now": now},
        )

    upgrade()

    found = persons.requests_from("özil.probe@example.org")
    assert [item.email for item in found] == [
        "ÖZIL.Probe@example.org",
        "O\u0308zil.probe@EXAMPLE.org",
    ]
    assert [item.email for item in persons.requests_from("JANA@example.org")] == [
        "jana@example.org"
    ]
    last = db.session.get(OutboxMessage, 3)
    assert outbox.earlier_in_a_day(last) == 2  # one mailbox, three spellings
    assert accounts.find("STRASSE@example.org").email == "strasse@example.org"
    assert accounts.find("Straße@Example.org") is not None


def test_ids_never_reused_migration_keeps_every_row_and_every_number_used(fresh_app, backend):
    """b22e4f7a9c10 copies contact_request, outbox_message and saved_reply (SQLite:
    AUTOINCREMENT): notes and e-mails survive the copy (foreign keys are off while
    migrating, or dropping the old table would cascade), and numbers in use or named by
    the history stay used."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL's sequences never went back; nothing is copied there")
    upgrade(revision="6d3f1b8a2c47")
    with db.engine.begin() as connection:
        for request_id in (1, 2):
            connection.execute(
                sa.text(
                    "INSERT INTO contact_request (id, reference, created_at, language, topic,"
                    " name, email, message, status, consent_at, is_spam) VALUES (:id, :ref,"
                    " '2026-03-01 10:00:00', 'de', 'job', 'Jana', 'jana@example.org', 'Hi',"
                    " 'new', '2026-03-01 10:00:00', 0)"
                ),
                {"id": request_id, "ref": f"H-2026-{request_id:06d}"},
            )
        connection.execute(
            sa.text("INSERT INTO note (request_id, created_at, body) VALUES (1, '2026-03-01', 'x')")
        )
        connection.execute(
            sa.text(
                "INSERT INTO outbox_message (id, request_id, kind, recipient, message_id, state,"
                " attempts, next_attempt_at, created_at) VALUES (7, 1, 'confirmation',"
                " 'jana@example.org', '<1@x>', 'sent', 1, '2026-03-01', '2026-03-01')"
            )
        )
        # Request 38 was deleted before the upgrade; only the history names it.
        connection.execute(
            sa.text(
                "INSERT INTO audit_entry (request_id, reference, created_at, action, detail)"
                " VALUES (NULL, 'H-2026-000038', '2026-03-02', 'deleted', ''),"
                " (2, 'H-2026-000002', '2026-03-02', 'note', '')"
            )
        )
    upgrade()
    with db.engine.begin() as connection:
        counts = {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("contact_request", "note", "outbox_message", "audit_entry")
        }
        assert counts == {"contact_request": 2, "note": 1, "outbox_message": 1, "audit_entry": 2}
        assert (
            connection.execute(
                sa.text("SELECT request_id FROM audit_entry WHERE action = 'note'")
            ).scalar()
            == 2
        )
        assert dict(connection.execute(sa.text("SELECT name, seq FROM sqlite_sequence")).all()) == {
            "contact_request": 38,
            "outbox_message": 7,
            "saved_reply": 0,
        }
        assert connection.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        connection.execute(sa.text("DELETE FROM contact_request WHERE id = 2"))
    newer = ContactRequest(
        language="de",
        topic="job",
        name="Ana",
        email="ana@example.org",
        message="Hi",
        consent_at=datetime.now(UTC),
    )
    db.session.add(newer)
    db.session.commit()
    assert newer.id == 39

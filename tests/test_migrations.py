"""The migrations build exactly the schema the models describe, and can be undone.

Runs on a database of its own (a new SQLite file; on PostgreSQL a new schema in the
test database), never on the one the other tests share.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from webapp import create_app
from webapp.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# SQLAlchemy cannot reflect an expression index from SQLite (the outbox's index on
# lower(recipient)) and says so; PostgreSQL reflects and compares it.
# Alembic then skips comparing it there (test_outbox checks the index is used).
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning"
    ),
]


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

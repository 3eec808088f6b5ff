"""The initiatives kept in memory per app, read again when `content load` raises the version."""

from pathlib import Path

import sqlalchemy as sa

from tests.support.content import NAME
from tests.support.content import load_file
from tests.support.content import renamed_file
from webapp.extensions import db


def rename_behind_the_back(app, new_name: str) -> None:
    """Change a name in the database without `content load` (so without a new version)."""
    with app.app_context():
        db.session.execute(
            sa.text(
                "UPDATE initiative_text SET name = :name WHERE lang = 'en' AND "
                "initiative_id = (SELECT id FROM initiative WHERE slug = 'recomine')"
            ),
            {"name": new_name},
        )
        db.session.commit()


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("SELECT version FROM content_state WHERE id = 1"))


def test_content_load_raises_the_version(app, tmp_path):
    before = version(app)
    load_file(app, Path(app.config["CONTENT_FILE"]))
    assert version(app) == before + 1


def test_pages_come_from_memory_until_the_version_changes(app_factory, tmp_path):
    app = app_factory(CONTENT_CHECK_SECONDS=0)
    client = app.test_client()
    assert NAME in client.get("/en/initiatives/recomine").get_data(as_text=True)
    rename_behind_the_back(app, "Changed Behind The Back")
    # The version is checked on every request here, but it has not changed.
    assert NAME in client.get("/en/initiatives/recomine").get_data(as_text=True)
    load_file(app, renamed_file(app, tmp_path, "Loaded Anew"))
    assert "Loaded Anew" in client.get("/en/initiatives/recomine").get_data(as_text=True)


def test_a_second_app_on_the_same_database_sees_the_new_version(app_factory, tmp_path):
    # Two instances (two workers, or two hosts) on one database: the one that did not
    # run `content load` shows the new content too.
    loader = app_factory(CONTENT_CHECK_SECONDS=0)
    other = app_factory(CONTENT_CHECK_SECONDS=0)
    visitor = other.test_client()
    assert NAME in visitor.get("/en/").get_data(as_text=True)
    load_file(loader, renamed_file(loader, tmp_path, "Seen Everywhere"))
    assert "Seen Everywhere" in visitor.get("/en/").get_data(as_text=True)


def test_the_version_is_checked_at_most_every_few_seconds(app_factory, tmp_path):
    loader = app_factory()
    other = app_factory(CONTENT_CHECK_SECONDS=3600)
    visitor = other.test_client()
    assert NAME in visitor.get("/en/").get_data(as_text=True)
    load_file(loader, renamed_file(loader, tmp_path, "Not Yet"))
    assert NAME in visitor.get("/en/").get_data(as_text=True)  # checked an hour from now


def test_unknown_or_malformed_slug_is_404(client):
    for slug in ["nothing", "RECOMINE", "%00", "a" * 300]:
        assert client.get(f"/en/initiatives/{slug}").status_code == 404

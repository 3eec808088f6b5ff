"""Rendered public pages served from memory: fresh CSRF token per visitor, nothing personal."""

from pathlib import Path

import sqlalchemy as sa
from flask import render_template_string

from webapp import content
from webapp import pagecache
from webapp.extensions import db
from webapp.pagecache import cached_page

NAME = "rECOmine"


def rename(app, new_name: str) -> None:
    """Change an initiative's name behind the cache's back."""
    with app.app_context():
        db.session.execute(
            sa.text(
                "UPDATE initiative_text SET name = :n WHERE lang = 'en' AND "
                "initiative_id = (SELECT id FROM initiative "
                "WHERE slug = 'recomine')"
            ),
            {"n": new_name},
        )
        db.session.commit()


def test_second_visit_is_served_from_the_cache(app, client):
    assert NAME in client.get("/en/initiatives/recomine").get_data(as_text=True)
    rename(app, "Renamed Alliance")
    assert "Renamed Alliance" not in client.get("/en/initiatives/recomine").get_data(as_text=True)
    with app.app_context():
        pagecache.clear()
    assert "Renamed Alliance" in client.get("/en/initiatives/recomine").get_data(as_text=True)


def test_loading_content_empties_the_cache(app, client):
    client.get("/en/")
    rename(app, "Renamed Alliance")
    with app.app_context():
        content.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
    assert NAME in client.get("/en/").get_data(as_text=True)  # the file's name again


def test_cache_can_be_switched_off(app_factory):
    app = app_factory(PAGE_CACHE_SECONDS=0)
    client = app.test_client()
    client.get("/en/initiatives/recomine")
    rename(app, "Renamed Alliance")
    assert "Renamed Alliance" in client.get("/en/initiatives/recomine").get_data(as_text=True)


def test_page_with_a_csrf_token_is_not_cached(app):
    # A form's token belongs to one visitor: such a page must be rendered for each.
    @cached_page
    def form_page():
        return render_template_string("<p>{{ csrf_token() }}</p>")

    app.add_url_rule("/form-page", view_func=form_page)
    first, second = app.test_client(), app.test_client()
    assert first.get("/form-page").data != second.get("/form-page").data
    with second.session_transaction() as session:
        assert session["csrf_token"]


def test_fragment_and_page_are_cached_apart(client):
    url = "/en/initiatives/recomine/summary"
    page = client.get(url).get_data(as_text=True)
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert not fragment.lstrip().startswith("<!doctype html>")
    assert client.get(url).get_data(as_text=True).startswith("<!doctype html>")
    assert (
        client.get(url, headers={"HX-Request": "true"}).headers["Vary"]
        == client.get(url).headers["Vary"]
    )


def test_session_with_more_than_a_token_bypasses_the_cache(app, client):
    client.get("/en/")
    rename(app, "Renamed Alliance")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Thank you")]
    assert "Renamed Alliance" in client.get("/en/").get_data(as_text=True)


def test_query_string_bypasses_the_cache(app, client):
    client.get("/en/")
    rename(app, "Renamed Alliance")
    assert "Renamed Alliance" in client.get("/en/?from=newsletter").get_data(as_text=True)
    assert "Renamed Alliance" not in client.get("/en/").get_data(as_text=True)


def test_a_cached_page_keeps_every_header(app, client):
    first = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    rename(app, "Renamed Alliance")
    second = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert second.data == first.data  # served from memory: the rename is not there yet
    for name in (
        "Content-Security-Policy",
        "Vary",
        "ETag",
        "Content-Encoding",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert second.headers[name] == first.headers[name], name


def test_gzip_and_plain_are_cached_apart(client):
    gzipped = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/en/")
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data(as_text=True).startswith("<!doctype html>")

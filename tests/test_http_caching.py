"""Caching headers: public pages the same for every visitor, private pages kept by nobody.

Checked over HTTP with the test client, in all six languages, with and without the
session cookie a visitor gets from the help form (and a signed-in member of staff's).
"""

import re

import pytest
from flask import session

from webapp.config import Defaults

LANGUAGES = list(Defaults.LANGUAGES)
SLUGS = ["recomine", "smarterz", "smart-rail-campus", "blockchain-mittweida"]
HX = {"HX-Request": "true"}

# (path, headers, status) of every public page and fragment in one language.
PUBLIC = [
    ("/{lang}/", {}, 200),
    *[(f"/{{lang}}/initiatives/{slug}", {}, 200) for slug in SLUGS],
    *[
        (f"/{{lang}}/initiatives/{slug}/{shape}", headers, 200)
        for slug in SLUGS[:2]
        for shape in ("summary", "teaser")
        for headers in ({}, HX)
    ],
    ("/{lang}/imprint", {}, 200),
    ("/{lang}/privacy", {}, 200),
    ("/{lang}/accessibility", {}, 200),
    ("/{lang}/no-such-page", {}, 404),
    ("/{lang}/initiatives/no-such-alliance", {}, 404),
    ("/{lang}/initiatives/no-such-alliance/summary", HX, 404),
]
PRIVATE = ["/{lang}/help", "/{lang}/help/status", "/{lang}/help/sent", "/{lang}/help/nothing"]
STAFF_PAGES = ["/admin/login", "/admin/", "/admin/requests/1", "/admin/nothing"]


def help_form_cookie(client) -> str:
    """Open the help form as a visitor does: it leaves a session cookie (the CSRF token)."""
    response = client.get("/de/help")
    assert "Set-Cookie" in response.headers
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def assert_public(response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_are_public_and_a_cookie_changes_nothing(app, lang):
    anonymous = app.test_client()
    visitor = app.test_client()
    help_form_cookie(visitor)
    pages = [(path.format(lang=lang), headers, status) for path, headers, status in PUBLIC]
    # Leichte Sprache is German: other languages are sent there (301).
    pages.append((f"/{lang}/leichte-sprache", {}, 200 if lang == "de" else 301))
    for path, headers, status in pages:
        plain = anonymous.get(path, headers=headers)
        with_cookie = visitor.get(path, headers=headers)
        assert_public(plain, status)
        assert_public(with_cookie, status)
        assert with_cookie.data == plain.data, path
        assert with_cookie.headers.get("Location") == plain.headers.get("Location")
        if status == 200:
            assert plain.headers["ETag"] == with_cookie.headers["ETag"]


def test_fragments_vary_on_htmx_and_encoding(client):
    for headers in ({}, HX):
        response = client.get("/en/initiatives/recomine/summary", headers=headers)
        vary = [item.strip() for item in response.headers["Vary"].split(",")]
        assert vary == ["HX-Request", "Accept-Encoding"]


def test_root_redirect_is_public_and_varies_on_language(client):
    response = client.get("/", headers={"Accept-Language": "pl"})
    assert_public(response, 302)
    assert response.headers["Location"] == "/pl/"
    assert "Accept-Language" in response.vary


def test_signed_in_staff_get_the_same_public_pages(app, client, staff):
    anonymous = app.test_client().get("/en/initiatives/recomine")
    staff.login()
    response = client.get("/en/initiatives/recomine")
    assert_public(response, 200)
    assert response.data == anonymous.data


def test_page_max_age_is_configurable(app_factory):
    response = app_factory(PAGE_MAX_AGE=5).test_client().get("/en/")
    assert response.headers["Cache-Control"] == "public, max-age=5"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_form_confirmation_and_lookup_are_never_stored(client, lang):
    help_form_cookie(client)
    for path in PRIVATE:
        response = client.get(path.format(lang=lang))
        assert response.headers["Cache-Control"] == "no-store, private", path
    posted = client.post(f"/{lang}/help/status", data={"reference": "H-1", "email": "a@b.de"})
    assert posted.headers["Cache-Control"] == "no-store, private"


def test_staff_pages_are_never_stored(client, staff):
    for path in STAFF_PAGES:
        assert client.get(path).headers["Cache-Control"] == "no-store, private", path
    staff.login()
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store, private", path
        assert "Cookie" in response.vary


def test_health_check_and_errors_outside_the_public_pages_are_private(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store, private"
    assert client.get("/no-such-page").headers["Cache-Control"] == "no-store, private"
    assert client.post("/en/").headers["Cache-Control"] == "no-store, private"


def test_a_public_page_never_sees_or_writes_the_visitors_session(app):
    # The safety net under the tests above: a page that reads the session (a bug) sees an
    # empty one, whatever cookie came with it, so it cannot carry one visitor's data to
    # everyone through a shared cache; writing it fails loudly instead of setting a cookie.
    @app.get("/en/session-probe")
    def probe():
        return repr(session.get("help_reference"))

    @app.get("/en/session-write")
    def write():
        session["planted"] = "x"
        return "written"

    client = app.test_client()
    help_form_cookie(client)
    with client.session_transaction("/admin/") as stored:
        stored["help_reference"] = "H-2026-000001"
    response = client.get("/en/session-probe")
    assert response.get_data(as_text=True) == "None"
    assert_public(response, 200)
    app.testing = False  # the error page, not the exception
    written = client.get("/en/session-write")
    assert written.status_code == 500
    assert "Set-Cookie" not in written.headers


def test_repeated_get_with_the_etag_is_304(client):
    first = client.get("/en/")
    etag = first.headers["ETag"]
    again = client.get("/en/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Cache-Control"] == "public, max-age=60"
    other = client.get("/de/", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_gzipped_page_has_its_own_etag_and_answers_304(client):
    gz = {"Accept-Encoding": "gzip"}
    first = client.get("/en/initiatives/recomine/summary", headers={**gz, **HX})
    assert first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"\w+:gzip"', etag)
    again = client.get(
        "/en/initiatives/recomine/summary", headers={**gz, **HX, "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_private_pages_get_no_etag(client):
    assert "ETag" not in client.get("/en/help").headers


def test_a_public_page_cannot_write_the_session(app, caplog):
    @app.get("/en/session-writer")
    def writer():
        session["anything"] = "x"
        return "written"

    response = app.test_client().get("/en/session-writer")
    assert response.status_code == 500
    assert "Set-Cookie" not in response.headers
    assert "Public pages never write the session" in caplog.text


def test_a_public_page_does_not_even_read_the_cookie(app):
    # A cookie that fails its signature check would end any staff session; on a public
    # page it is not looked at, so it changes nothing.
    @app.get("/en/session-reader")
    def reader():
        return repr(dict(session))

    client = app.test_client()
    help_form_cookie(client)
    assert client.get("/en/session-reader").get_data(as_text=True) == "{}"

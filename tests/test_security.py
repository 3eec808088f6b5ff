"""Security headers on every response; error pages in the site's look without leaks."""

import re

import pytest
from flask import Response

from tests.support.database import make_config
from webapp import create_app
from webapp.web import security_headers

CSP_PARTS = [
    "default-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
]


@pytest.mark.parametrize(
    "url",
    ["/", "/de/", "/en/initiatives/recomine", "/static/css/site.css", "/de/nothing", "/xx/"],
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    response.close()  # static files are streamed from an open file
    csp = response.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_https(client):
    response = client.get("/de/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_each_header_is_sent_once(client, base_url):
    response = client.get("/de/", base_url=base_url)
    names = [name.lower() for name, _ in response.headers]
    for name in [*map(str.lower, security_headers.HEADERS), "strict-transport-security"]:
        assert names.count(name) == (
            0 if name == "strict-transport-security" and "http:" in base_url else 1
        )


def test_a_header_the_view_set_itself_is_kept():
    """Only the missing ones are added: a view's own policy (any case) wins, once."""
    response = Response("x", headers={"x-frame-options": "SAMEORIGIN"})
    security_headers.add_headers(response, secure=True)
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == [security_headers.CSP]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_htmx_fragments_carry_the_headers_too(client):
    response = client.get("/de/initiatives/recomine/summary", headers={"HX-Request": "true"})
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_inline_script_or_style_in_pages(client):
    for url in ["/de/", "/en/initiatives/smarterz", "/de/privacy"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        # No inline event handlers (onclick=, onload=, ...) on any element.
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html)


@pytest.mark.parametrize(("lang", "text"), [("de", "nicht möglich"), ("en", "not possible")])
def test_405_page_in_the_visitors_language(client, lang, text):
    response = client.post(f"/{lang}/")
    assert response.status_code == 405
    html = response.get_data(as_text=True)
    assert text in html
    assert f'<html lang="{lang}">' in html


def test_500_page_has_no_stack_trace(db_path):
    app = create_app(make_config(f"sqlite:///{db_path}", PROPAGATE_EXCEPTIONS=False))

    @app.get("/de/boom")
    def boom():
        raise RuntimeError("secret internals 0xdeadbeef")

    response = app.test_client().get("/de/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Entschuldigung" in html
    assert "deadbeef" not in html and "Traceback" not in html
    assert 'class="site-footer"' in html
    assert "Werkzeug" not in response.headers.get("Server", "")


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://localhost", True), ("http://localhost", False)]
)
def test_session_cookie_is_secure_over_https(client, base_url, secure):
    response = client.get("/en/help", base_url=base_url)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


ERROR_TITLES = {
    400: ("Bei Ihrer Anfrage ist etwas schiefgegangen", "Something went wrong with your request"),
    403: ("Zugriff verweigert", "Access denied"),
    404: ("Seite nicht gefunden", "Page not found"),
    405: ("Diese Aktion ist hier nicht möglich", "This action is not possible here"),
    413: ("Ihre Eingabe ist zu groß", "What you sent is too large"),
    429: ("Zu viele Versuche", "Too many attempts"),
    500: (
        "Entschuldigung, es gibt ein Problem mit dem Dienst",
        "Sorry, there is a problem with the service",
    ),
    503: ("Entschuldigung, der Dienst ist nicht erreichbar", "Sorry, the service is unavailable"),
}


@pytest.mark.parametrize("code", sorted(ERROR_TITLES))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_error_page_in_the_site_look_and_language(app, code, lang):
    from flask import abort

    @app.get("/<lang>/status/<int:code>")
    def status(lang, code):
        abort(code)

    response = app.test_client().get(f"/{lang}/status/{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert ERROR_TITLES[code][0 if lang == "de" else 1] in html
    assert f'<html lang="{lang}">' in html
    assert 'class="site-footer"' in html
    assert "Traceback" not in html and "Werkzeug" not in html

"""Remembered addresses of the pages under /<lang>/ (webapp/urls.py): always what url_for
builds, wherever the app is mounted and whichever host it is asked under."""

import re

import pytest
from flask import g
from flask import url_for as flask_url_for

from webapp.web import urls

CASES = [
    ("public.overview", {"lang": "de"}),
    ("public.overview", {"lang": "pl"}),
    ("public.initiative", {"lang": "en", "slug": "recomine"}),
    ("public.page", {"lang": "cs", "page": "imprint"}),
    ("public.easy_read", {"lang": "de"}),
    ("help.form", {"lang": "hu", "topic": "recomine"}),  # not in the rule: the query string
]


def built_both_ways(app, base_url: str, endpoint: str, values: dict, **options) -> tuple:
    with app.test_request_context("/de/", base_url=base_url):
        app.preprocess_request()
        first = urls.url_for(endpoint, **values, **options)
        again = urls.url_for(endpoint, **values, **options)
        wanted = flask_url_for(endpoint, **values, **options)
    return first, again, wanted


@pytest.mark.parametrize(("endpoint", "values"), CASES)
@pytest.mark.parametrize("external", [False, True])
def test_the_same_address_as_url_for(app, endpoint, values, external):
    first, again, wanted = built_both_ways(
        app, "http://localhost/", endpoint, values, _external=external
    )
    assert first == again == wanted


def test_mounted_elsewhere_the_address_follows(app):
    """SCRIPT_NAME is part of the key: /wir/de/ under /wir, /de/ at the root, either order."""
    for base, wanted in [
        ("http://localhost/wir", "/wir/de/imprint"),
        ("http://localhost/", "/de/imprint"),
        ("http://localhost/wir", "/wir/de/imprint"),
    ]:
        first, again, built = built_both_ways(
            app, base, "public.page", {"lang": "de", "page": "imprint"}
        )
        assert first == again == built == wanted


def test_absolute_addresses_follow_scheme_and_host(app_factory):
    app = app_factory(TRUSTED_HOSTS=None)
    values = {"lang": "en", "slug": "recomine"}
    for base in ["http://a.example/", "http://b.example:8443/", "https://a.example/"]:
        first, again, wanted = built_both_ways(
            app, base, "public.initiative", values, _external=True
        )
        assert first == again == wanted
        assert first.startswith(base.rstrip("/") + "/en/")


def test_server_name_is_honoured(app_factory):
    app = app_factory(SERVER_NAME="wir.example.org", TRUSTED_HOSTS=None)
    first, again, wanted = built_both_ways(
        app, "http://wir.example.org/", "public.overview", {"lang": "ro"}, _external=True
    )
    assert first == again == wanted == "http://wir.example.org/ro/"


def test_without_lang_the_page_language_is_used_as_url_for_does(app):
    with app.test_request_context("/pl/"):
        app.preprocess_request()
        assert g.lang == "pl"
        assert urls.url_for("public.overview") == "/pl/"
        assert "urls" in app.extensions and not app.extensions["urls"]  # not remembered


def test_other_endpoints_and_options_are_built_every_time(app):
    with app.test_request_context("/de/"):
        app.preprocess_request()
        assert urls.url_for("admin.index") == flask_url_for("admin.index")
        assert urls.url_for("public.overview", lang="de", _anchor="x") == "/de/#x"
        assert urls.url_for("help.form", lang="de", topic=["a", "b"]) == flask_url_for(
            "help.form", lang="de", topic=["a", "b"]
        )
    assert not app.extensions["urls"]


def test_outside_a_request_url_for_decides(app_factory):
    """Without a request (an e-mail): absolute, from SERVER_NAME, as Flask builds it."""
    app = app_factory(SERVER_NAME="wir.example.org")
    with app.app_context():
        assert urls.url_for("public.overview", lang="de") == "http://wir.example.org/de/"


def test_the_memo_stays_small_whatever_hosts_are_sent(app_factory):
    app = app_factory(TRUSTED_HOSTS=None)
    for number in range(urls.LIMIT + 10):
        with app.test_request_context("/de/", base_url=f"http://h{number}.example/"):
            urls.url_for("public.overview", lang="de", _external=True)
    assert 0 < len(app.extensions["urls"]) <= urls.LIMIT


def test_pages_link_under_the_mount_point(client):
    """The templates use the remembered url_for: a page asked under /wir links under /wir,
    and the next page, asked at the root, does not."""
    mounted = client.get("/de/", base_url="http://localhost/wir").get_data(as_text=True)
    root = client.get("/de/").get_data(as_text=True)
    assert 'href="/wir/de/imprint"' in mounted
    assert 'href="/de/imprint"' in root
    assert not re.search(r'href="/de/', mounted)
    assert "/wir/" not in root

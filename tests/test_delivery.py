"""Versioned static files with long cache lifetimes, gzip, and conditional GET."""

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "webapp" / "static"
ASSETS = ["css/site.css", "js/site.js", "vendor/htmx-2.0.11.min.js", "favicon.svg"]


def version_of(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize("name", ASSETS)
def test_pages_link_static_files_by_content_version(client, name):
    html = client.get("/de/").get_data(as_text=True)
    assert f'/static/{name}?v={version_of(name)}"' in html


def test_versioned_file_is_cached_for_a_year(client):
    name = "css/site.css"
    response = client.get(f"/static/{name}?v={version_of(name)}")
    assert response.status_code == 200
    assert response.data == (STATIC / name).read_bytes()
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    assert response.cache_control.public


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_unversioned_or_stale_version_gets_the_short_lifetime(client, query):
    response = client.get(f"/static/css/site.css{query}")
    assert response.status_code == 200
    assert response.cache_control.max_age == 3600
    assert not response.cache_control.immutable


def test_static_file_gzipped_when_accepted_and_revalidated_by_etag(client):
    name = "vendor/htmx-2.0.11.min.js"
    response = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary
    assert gzip.decompress(response.data) == (STATIC / name).read_bytes()
    assert len(response.data) < 20_000
    etag = response.headers["ETag"]
    again = client.get(
        f"/static/{name}", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""
    plain = client.get(f"/static/{name}")
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["ETag"] != etag  # a different representation, a different ETag


def test_missing_static_file_is_404(client):
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_changed_file_gets_a_new_version(app_factory, tmp_path):
    app = app_factory(PAGE_CACHE_SECONDS=0)  # a cached page keeps the old link
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    app.static_folder = str(folder)
    client = app.test_client()
    before = re.search(r"site\.css\?v=(\w+)", client.get("/de/").get_data(as_text=True))[1]
    (folder / "css" / "site.css").write_text("body { color: red; }\n" * 40)
    after = re.search(r"site\.css\?v=(\w+)", client.get("/de/").get_data(as_text=True))[1]
    assert before != after
    assert client.get(f"/static/css/site.css?v={after}").data.startswith(b"body { color: red")


def test_html_gzipped_only_when_accepted(client):
    plain = client.get("/en/")
    zipped = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.vary
    html = gzip.decompress(zipped.data).decode()
    assert "The future begins now" in html
    assert len(zipped.data) < len(plain.data) / 2


def test_fragment_answers_if_none_match_with_304(client):
    url = "/en/initiatives/recomine/summary"
    headers = {"HX-Request": "true", "Accept-Encoding": "gzip"}
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    second = client.get(url, headers={**headers, "If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""
    plain = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert plain.status_code == 304  # weak ETag: same content, either encoding
    other = client.get(
        "/en/initiatives/smarterz/summary", headers={**headers, "If-None-Match": etag}
    )
    assert other.status_code == 200


def test_compression_can_be_left_to_the_proxy(app_factory):
    app = app_factory(COMPRESS_RESPONSES=False)
    response = app.test_client().get("/en/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "ETag" in response.headers

"""Static files: versioned URLs, a year's lifetime for the current version, WhiteNoise
serving the pre-compressed copies that `make static` writes, and 404s for anything else."""

import gzip
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "webapp" / "static"
ASSETS = ["css/site.css", "js/site.js", "vendor/htmx-2.0.11.min.js", "favicon.svg"]
YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module", autouse=True)
def compressed_copies():
    """The .gz files as `make test` leaves them (before the app scans the folder)."""
    subprocess.run(["make", "-s", "static"], cwd=ROOT, check=True)


def get(client, url: str, **kwargs):
    """GET and close: WhiteNoise hands over an open file, which a WSGI server closes."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def version_of(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def test_make_static_writes_a_gz_beside_each_text_file():
    for name in ASSETS:
        original = STATIC / name
        assert gzip.decompress((STATIC / f"{name}.gz").read_bytes()) == original.read_bytes()


@pytest.mark.parametrize("name", ASSETS)
def test_pages_link_static_files_by_content_version(client, name):
    html = client.get("/de/").get_data(as_text=True)
    assert f'/static/{name}?v={version_of(name)}"' in html


@pytest.mark.parametrize("name", ASSETS)
def test_current_version_is_cached_for_a_year(client, name):
    response = get(client, f"/static/{name}?v={version_of(name)}")
    assert response.status_code == 200
    assert response.data == (STATIC / name).read_bytes()
    assert response.cache_control.max_age == YEAR
    assert response.cache_control.immutable
    assert response.cache_control.public


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?x=1"])
def test_unversioned_or_stale_version_gets_the_short_lifetime(client, query):
    response = get(client, f"/static/css/site.css{query}")
    assert response.status_code == 200
    assert response.cache_control.max_age == 3600
    assert not response.cache_control.immutable


def test_gzip_copy_served_when_accepted_and_revalidated_by_etag(client):
    url = f"/static/vendor/htmx-2.0.11.min.js?v={version_of('vendor/htmx-2.0.11.min.js')}"
    response = get(client, url, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary
    assert gzip.decompress(response.data) == (STATIC / "vendor/htmx-2.0.11.min.js").read_bytes()
    assert len(response.data) < 20_000
    again = get(client, url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.cache_control.immutable


@pytest.mark.parametrize("first", ["gzip", "GZIP", "*", "gzip;q=1.0, identity"])
def test_a_gzip_request_never_hands_gzip_to_the_next_client(client, first):
    get(client, "/static/css/site.css", headers={"Accept-Encoding": first})
    for headers in ({}, {"Accept-Encoding": "identity"}):
        plain = get(client, "/static/css/site.css", headers=headers)
        assert "Content-Encoding" not in plain.headers
        assert plain.data == (STATIC / "css/site.css").read_bytes()


@pytest.mark.parametrize(
    "path", ["/static/css/nothing.css", "/static/../wsgi.py", "/static/%00", "/static/css/"]
)
def test_missing_static_file_is_404(client, path):
    assert get(client, path).status_code == 404


def test_changed_file_gets_a_new_version_in_debug_mode(app_factory, tmp_path):
    # In production files change with a deployment (a restart); `flask run --debug`
    # sees an edited file at once.
    app = app_factory(DEBUG=True)
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    app.static_folder = str(folder)
    client = app.test_client()
    before = re.search(r"site\.css\?v=(\w+)", client.get("/de/").get_data(as_text=True))[1]
    (folder / "css" / "site.css").write_text("body { color: red; }\n" * 40)
    after = re.search(r"site\.css\?v=(\w+)", client.get("/de/").get_data(as_text=True))[1]
    assert before != after
    assert after == hashlib.sha256(b"body { color: red; }\n" * 40).hexdigest()[:12]

"""The cache keys on what the app sees: duplicated or odd-case htmx headers never store a page
under the fragment's key, or a fragment under the page's (deploy/nginx/wir.conf.in).

The attack: `HX-Request: true` plus a second `HX-Request: x`. nginx keyed on the first copy
(a fragment), gunicorn joined the copies ("true,x": not htmx), and the full page was stored
under the fragment's key for everyone; the same with `HX-History-Restore-Request`.
"""

import gzip
import http.client
import uuid

import pytest

URL = "/en/initiatives/recomine/summary"
GZIP = ("Accept-Encoding", "gzip")
ODD = {
    "true then x": [("HX-Request", "true"), ("HX-Request", "x")],
    "x then true": [("HX-Request", "x"), ("HX-Request", "true")],
    "true twice": [("HX-Request", "true"), ("HX-Request", "true")],
    "capitals": [("HX-Request", "TRUE")],
    "title case": [("HX-Request", "True")],
    "names in odd case": [("hx-request", "true"), ("Hx-ReQuest", "x")],
    "restore then x": [
        ("HX-Request", "true"),
        ("HX-History-Restore-Request", "true"),
        ("HX-History-Restore-Request", "x"),
    ],
    "restore x then true": [
        ("HX-Request", "true"),
        ("HX-History-Restore-Request", "x"),
        ("HX-History-Restore-Request", "true"),
    ],
    "restore in capitals": [("HX-Request", "true"), ("HX-History-Restore-Request", "TRUE")],
}


def fetch(site, path: str, headers: list[tuple[str, str]]) -> tuple[str, str | None]:
    """GET with `headers` sent exactly as given, copies included: (body, X-Cache-Status)."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in [GZIP, *headers]:
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert response.status == 200, (response.status, headers)
    cache = response.headers.get("X-Cache-Status")
    connection.close()
    return body.decode(), cache


def is_page(body: str) -> bool:
    return body.lower().startswith("<!doctype html>")


@pytest.mark.parametrize("headers", list(ODD.values()), ids=list(ODD))
def test_odd_htmx_headers_never_mix_page_and_fragment(site, headers):
    path = f"{URL}?probe={uuid.uuid4().hex}"  # a cache entry of its own
    fetch(site, path, headers)  # the attacker's request comes first and fills the cache
    for _round in range(2):  # the second round reads what the first stored
        page, page_cache = fetch(site, path, [])
        fragment, fragment_cache = fetch(site, path, [("HX-Request", "true")])
        restore, restore_cache = fetch(
            site, path, [("HX-Request", "true"), ("HX-History-Restore-Request", "true")]
        )
        assert is_page(page), page[:200]
        assert not is_page(fragment) and "<html" not in fragment and "recomine" in fragment
        assert restore == page  # history restore needs the whole page
    assert (page_cache, fragment_cache, restore_cache) == ("HIT", "HIT", "HIT")


def test_the_odd_request_gets_what_its_cache_entry_holds(site):
    """Whatever the odd request was answered, a later request of the same kind agrees."""
    for name, headers in ODD.items():
        path = f"{URL}?probe={uuid.uuid4().hex}"
        first, _ = fetch(site, path, headers)
        again, cache = fetch(site, path, headers)
        assert cache == "HIT" and again == first, name

"""nginx's page cache and static files, against the real nginx that `make stack` starts.

Each test uses pages no other test here touches, so the order does not matter.
"""

import gzip
import re
import uuid

from deploy.stack import STATIC_DIR

HX = {"HX-Request": "true"}
GZIP = {"Accept-Encoding": "gzip"}


def test_a_repeated_public_page_is_a_cache_hit(site):
    first = site.get("/en/imprint", GZIP)
    again = site.get("/en/imprint", GZIP)
    assert first.status == again.status == 200
    assert first.cache == "MISS"
    assert again.cache == "HIT"
    assert again.body == first.body
    assert "public" in again.headers["Cache-Control"]
    # The hit never reached an instance: only the first request has an upstream.
    lines = [line for line in site.access_log() if '"GET /en/imprint ' in line]
    assert [("cache=HIT" in line, "upstream=-" in line) for line in lines] == [
        (False, False),
        (True, True),
    ]


def test_a_visitor_with_a_cookie_gets_the_same_cached_page_and_no_cookie(site):
    session = site.csrf("/en/help").cookie  # a real session cookie, as after the help form
    assert session and session.startswith("session=")
    for cookie in (session, "session=forged; theme=dark"):
        with_cookie = site.get("/hu/", {**GZIP, "Cookie": cookie})
        assert with_cookie.status == 200
        assert "Set-Cookie" not in with_cookie.headers
        assert "Cookie" not in with_cookie.headers.get("Vary", "")
    without = site.get("/hu/", GZIP)
    assert without.cache == "HIT"  # the visitors with cookies filled the cache for everyone
    assert without.body == with_cookie.body
    assert "Set-Cookie" not in without.headers


def test_gzip_asked_in_capitals_never_reaches_a_client_without_gzip(site):
    shouting = site.get("/ro/", {"Accept-Encoding": "GZIP"})
    assert shouting.status == 200 and shouting.gzipped
    html = gzip.decompress(shouting.body)
    for headers in ({"Accept-Encoding": "identity"}, {}, {"Accept-Encoding": "*"}):
        plain = site.get("/ro/", headers)
        assert plain.status == 200
        assert "Content-Encoding" not in plain.headers, headers
        assert plain.body == html, headers
    assert plain.cache == "HIT"  # identity has a cached variant of its own
    refused = site.get("/ro/", {"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.body == html and not refused.gzipped
    # Any spelling of gzip shares the one gzip variant.
    browser = site.get("/ro/", {"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert browser.cache == "HIT" and browser.gzipped
    assert browser.body == shouting.body


def test_fragment_and_full_page_on_one_url_never_mix(site):
    url = "/en/initiatives/smarterz/summary"
    for _round in range(2):  # the first round fills the cache, the second reads it
        fragment = site.get(url, {**GZIP, **HX})
        page = site.get(url, GZIP)
        restore = site.get(url, {**GZIP, **HX, "HX-History-Restore-Request": "true"})
        assert fragment.status == page.status == restore.status == 200
        assert "<html" not in fragment.text and "smarterz" in fragment.text
        assert page.text.lower().startswith("<!doctype html>")
        assert restore.text == page.text  # history restore needs the whole page
    assert (fragment.cache, page.cache, restore.cache) == ("HIT", "HIT", "HIT")


def test_staff_pages_and_the_help_form_are_never_cached(site):
    session = site.csrf("/de/help").cookie
    for path in ("/admin/login", "/de/help", "/de/help/status"):
        for cookie in (None, session):
            reply = site.get(path, {**GZIP, **({"Cookie": cookie} if cookie else {})})
            assert reply.status == 200, path
            assert reply.cache in (None, "MISS", "BYPASS"), (path, reply.cache)
            assert "no-store" in reply.headers.get("Cache-Control", ""), path
    upstreams = [line for line in site.access_log() if "/admin/login " in line]
    assert upstreams and all("upstream=127.0.0.1:" in line for line in upstreams)


def test_versioned_static_files_come_from_nginx_for_a_year(site):
    html = site.get("/de/").text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[^"]+)"', html)
    assert any(".css?" in url for url in urls) and any(".js?" in url for url in urls)
    for url in urls:
        reply = site.get(url, GZIP)
        assert reply.status == 200, url
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Content-Security-Policy" not in reply.headers  # the app added none: nginx sent it
        name = url.split("?")[0].removeprefix("/static/")
        on_disk = (STATIC_DIR / name).read_bytes()
        packed = STATIC_DIR / f"{name}.gz"
        if reply.gzipped:
            assert gzip.decompress(reply.body) == on_disk
        else:
            assert reply.body == on_disk
        if packed.exists():  # `make static` wrote it: nginx sends that file as it is
            assert reply.body == packed.read_bytes()
    served = [line for line in site.access_log() if '"GET /static/' in line]
    assert served and all("upstream=-" in line for line in served)
    unversioned = site.get(urls[0].split("?")[0])
    assert unversioned.headers["Cache-Control"] == "public, max-age=3600"


def test_nginx_sends_a_precompressed_file_as_it_is(site):
    # A file and a .gz beside it whose contents differ from what gzip would make on the
    # fly (a name in its header): only gzip_static hands out exactly these bytes.
    name = f"_stack_test_{uuid.uuid4().hex}.css"
    text = b"body { color: black; }\n" * 50
    files = [STATIC_DIR / name, STATIC_DIR / f"{name}.gz"]
    try:
        files[0].write_bytes(text)
        with open(files[1], "wb") as raw:
            with gzip.GzipFile(filename="from-the-gz-file", mode="wb", fileobj=raw) as out:
                out.write(text)
        packed = site.get(f"/static/{name}?v=1", GZIP)
        assert packed.gzipped and packed.body == files[1].read_bytes()
        assert packed.headers["Content-Length"] == str(files[1].stat().st_size)
        plain = site.get(f"/static/{name}?v=1", {"Accept-Encoding": "identity"})
        assert not plain.gzipped and plain.body == text
    finally:
        for path in files:
            path.unlink(missing_ok=True)


def test_the_redirect_by_browser_language_is_never_shared(site):
    # `/` answers by Accept-Language (Vary: Accept-Language), which is not in the key:
    # whatever its Cache-Control says, nginx must not hand one visitor's redirect to another.
    for _round in range(2):
        for lang in ("pl", "en"):
            reply = site.get("/", {"Accept-Language": lang})
            assert reply.status in (301, 302, 303, 307, 308)
            assert reply.headers["Location"].endswith(f"/{lang}/")
            assert reply.cache != "HIT"

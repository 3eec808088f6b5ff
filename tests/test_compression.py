"""Text responses compressed by Flask-Compress: only for clients that ask, never mixed up."""

import gzip

import pytest


def test_html_gzipped_only_when_accepted(client):
    plain = client.get("/en/")
    zipped = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.vary
    assert "Accept-Encoding" in plain.vary
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2


@pytest.mark.parametrize("first", ["GZIP", "gzip", "*", "br, gzip;q=0.5"])
def test_a_gzip_request_never_hands_gzip_to_the_next_client(client, first):
    zipped = client.get("/en/", headers={"Accept-Encoding": first})
    assert zipped.headers["Content-Encoding"] == "gzip"  # gzip is the only encoding offered
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        plain = client.get("/en/", headers=headers)
        assert "Content-Encoding" not in plain.headers
        assert b"<!doctype html>" in plain.data


def test_compression_can_be_left_to_the_proxy(app_factory):
    app = app_factory(COMPRESS_RESPONSES=False)
    response = app.test_client().get("/en/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "ETag" in response.headers
    assert "Accept-Encoding" not in response.vary


def test_pages_are_gzipped_at_level_3(client):
    """COMPRESS_LEVEL 3: the deflate stream (after the 10-byte header) is level 3's."""
    plain = client.get("/de/").data
    zipped = client.get("/de/", headers={"Accept-Encoding": "gzip"}).data
    assert zipped[10:] == gzip.compress(plain, 3)[10:]
    assert zipped[10:] != gzip.compress(plain, 6)[10:]

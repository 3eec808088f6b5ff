"""Only `HX-Request: true`, exactly, asks for a fragment (webapp/web/responses.py), the same
rule nginx keys its cache on; anything else, two copies joined included, gets the page."""

import pytest

URL = "/en/initiatives/recomine/summary"


@pytest.mark.parametrize("value", ["TRUE", "True", "true,x", "x,true", "true, true", "1", ""])
def test_anything_but_true_gets_the_page(client, value):
    body = client.get(URL, headers={"HX-Request": value}).get_data(as_text=True)
    assert body.startswith("<!doctype html>")


def test_true_gets_the_fragment_unless_history_is_restored_exactly(client):
    fragment = client.get(URL, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "recomine" in fragment
    for restore, page in [("true", True), ("TRUE", False), ("true,x", False)]:
        headers = {"HX-Request": "true", "HX-History-Restore-Request": restore}
        body = client.get(URL, headers=headers).get_data(as_text=True)
        assert body.startswith("<!doctype html>") is page, restore

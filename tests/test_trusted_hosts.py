"""Forged Host headers never reach links or redirects (Flask's TRUSTED_HOSTS).

The attack: a request with `Host: evil.example` (or a forged X-Forwarded-Host behind a
proxy) made the site print that host in its canonical and hreflang links and redirect
`/` to it, poisoning any cache in between.
"""

import pytest

from webapp import config

FORGED = "evil.example"


@pytest.mark.parametrize("path", ["/", "/de/", "/en/imprint", "/admin/login", "/de/help"])
def test_a_forged_host_gets_400_without_echoing_it(client, path):
    response = client.get(path, headers={"Host": FORGED})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert FORGED not in html
    assert FORGED not in response.headers.get("Location", "")
    assert 'class="brand"' in html  # the site's own error page


def test_the_site_s_own_names_are_served(client):
    for host in ("localhost", "127.0.0.1", "127.0.0.1:5000"):
        response = client.get("/en/imprint", headers={"Host": host})
        assert response.status_code == 200, host
        assert f'rel="canonical" href="http://{host}/en/imprint"' in response.get_data(as_text=True)


def test_public_base_url_host_is_trusted_too(app_factory):
    app = app_factory(PUBLIC_BASE_URL="https://wir.example.org")
    response = app.test_client().get("/en/imprint", headers={"Host": "wir.example.org"})
    assert response.status_code == 200


def test_a_forged_forwarded_host_behind_a_proxy_is_refused(app_factory):
    app = app_factory(PROXY_FIX_X_HOST=1, TRUSTED_HOSTS=["wir.example.org"])
    client = app.test_client()
    ok = client.get("/en/imprint", headers={"X-Forwarded-Host": "wir.example.org"})
    assert ok.status_code == 200
    assert 'href="http://wir.example.org/en/imprint"' in ok.get_data(as_text=True)
    forged = client.get("/en/imprint", headers={"X-Forwarded-Host": FORGED})
    assert forged.status_code == 400
    assert FORGED not in forged.get_data(as_text=True)


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "wir.example.org, www.wir.example.org")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://wir.example.org")
    assert config.configured()["TRUSTED_HOSTS"] == ["wir.example.org", "www.wir.example.org"]

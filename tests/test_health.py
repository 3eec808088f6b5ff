"""`/healthz`: 200 when the database answers, 503 when it does not; never limited."""

import socket


def test_healthy_database_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # no session for a probe


def test_sqlite_file_that_cannot_be_opened_gives_503_until_it_can(tmp_path, make_app):
    missing_dir = tmp_path / "not-yet"
    app = make_app(f"sqlite:///{missing_dir / 'site.db'}")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"
    missing_dir.mkdir()  # SQLite can now create the file: the next probe must see that
    assert client.get("/healthz").status_code == 200


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


def test_postgresql_that_refuses_connections_gives_503(make_app):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing?connect_timeout=2"
    app = make_app(url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_not_rate_limited_while_pages_are(database_uri, make_app):
    app = make_app(database_uri, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    # The same default does limit an ordinary page, so the exemption is what lets it through.
    assert [client.get("/de/imprint").status_code for _ in range(3)] == [200, 200, 429]

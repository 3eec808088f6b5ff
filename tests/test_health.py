"""`/healthz`: 200 when the database takes a write, 503 when it does not; never limited."""

import json
import socket
import subprocess
import sys

from flask_migrate import upgrade


def test_healthy_database_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store, private"
    assert "Set-Cookie" not in response.headers  # no session for a probe


def test_sqlite_file_that_cannot_be_opened_gives_503_until_it_can(tmp_path, app_factory):
    missing_dir = tmp_path / "not-yet"
    app = app_factory(f"sqlite:///{missing_dir / 'site.db'}")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"
    missing_dir.mkdir()  # SQLite can now create the file, but it holds no schema yet
    assert client.get("/healthz").status_code == 503
    with app.app_context():
        upgrade()  # once migrated, the next probe must see that
    assert client.get("/healthz").status_code == 200


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


def test_postgresql_that_refuses_connections_gives_503(app_factory):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing?connect_timeout=2"
    app = app_factory(url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store, private"


# Run in a process of its own: a default limit, once set, stays on the shared limiter.
LIMITED_APP = """
import json, sys
from webapp import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_DEFAULT": "2 per minute"})
client = app.test_client()
print(json.dumps({"health": [client.get("/healthz").status_code for _ in range(5)],
                  "page": [client.get("/de/imprint").status_code for _ in range(3)]}))
"""


def test_health_is_not_rate_limited_while_pages_are(database_uri):
    result = subprocess.run(
        [sys.executable, "-c", LIMITED_APP, database_uri],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    codes = json.loads(result.stdout.strip().splitlines()[-1])
    assert codes["health"] == [200] * 5
    # The same default does limit an ordinary page, so the exemption is what lets it through.
    assert codes["page"] == [200, 200, 429]

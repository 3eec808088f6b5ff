"""Limits are shared across processes through Redis (RATELIMIT_STORAGE_URI=redis://...).

Each "worker" is a separate Python process with its own app, as under gunicorn; they
share nothing but the storage. Skipped when no Redis answers on 127.0.0.1:6379
(TEST_REDIS_URL picks another database, e.g. for test runs side by side).
"""

import json
import os
import subprocess
import sys
import uuid

import pytest
import redis

REDIS_URI = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# One worker: an app with a route allowing 3 requests a minute; prints the status codes.
WORKER = """
import json, sys
from webapp import create_app
from webapp.extensions import limiter

storage, prefix, database, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database,
                  "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix})

@limiter.limit("3 per minute")
def limited():
    return "ok"

app.add_url_rule("/limited", view_func=limited)
client = app.test_client()
print(json.dumps([client.get("/limited").status_code for _ in range(count)]))
"""


def redis_available() -> str | None:
    """None when Redis answers PING, else why not."""
    try:
        redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS_URI}: {exc}"
    return None


def run_worker(storage: str, prefix: str, database: str, count: int) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, storage, prefix, database, str(count)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def prefix():
    """A key prefix of this test's own, its keys removed afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    if redis_available() is None:
        client = redis.Redis.from_url(REDIS_URI)
        for key in client.scan_iter(f"*{name}*"):
            client.delete(key)
        client.close()


def test_two_workers_share_one_limit_through_redis(prefix, tmp_path):
    reason = redis_available()
    if reason:
        pytest.skip(reason)
    database = f"sqlite:///{tmp_path / 'site.db'}"
    first = run_worker(REDIS_URI, prefix, database, 2)
    second = run_worker(REDIS_URI, prefix, database, 2)
    assert first == [200, 200]
    assert second == [200, 429]  # the third request overall is the last one allowed


def test_in_memory_limits_are_per_worker(prefix, tmp_path):
    # The contrast: without shared storage each worker counts on its own.
    database = f"sqlite:///{tmp_path / 'site.db'}"
    assert run_worker("memory://", prefix, database, 2) == [200, 200]
    assert run_worker("memory://", prefix, database, 4) == [200, 200, 200, 429]

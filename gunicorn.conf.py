"""gunicorn settings for `make serve` and deployments: `gunicorn -c gunicorn.conf.py wsgi:app`.

Everything comes from the environment, so one file serves every host:

    HOST, PORT            address to bind (127.0.0.1:8000); behind a reverse proxy keep loopback
    GUNICORN_WORKERS      worker processes (falls back to WEB_CONCURRENCY, then 2 x cores + 1)
    GUNICORN_THREADS      threads per worker (4); more than 1 selects the gthread worker
    GUNICORN_TIMEOUT      seconds before a silent worker is restarted (30)
    GUNICORN_PRELOAD      1: import the app once in the master, then fork (saves memory)
    GUNICORN_ACCESS_LOG   where the access log goes ("-" = stdout, the default; "" = off)
"""

import multiprocessing
import os
import sys

from webapp.config import configured
from webapp.config import env_flag

# The app's own settings (defaults, instance/config.py, environment), read the same way.
settings = configured()


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
keepalive = 5
preload_app = env_flag("GUNICORN_PRELOAD")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# URLs without their query strings: staff search by name and e-mail address.
logger_class = "deploy.accesslog.AccessLog"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Forwarded headers are trusted as far as the app trusts them (PROXY_FIX_X_*, applied by
# ProxyFix): with those off, nobody may claim HTTPS with X-Forwarded-Proto, not even a
# process on this machine; with a proxy, only one on loopback may.
proxied = any(settings[f"PROXY_FIX_X_{name}"] for name in ("FOR", "PROTO", "HOST"))
forwarded_allow_ips = "127.0.0.1,::1" if proxied else ""
if not settings["PROXY_FIX_X_PROTO"]:
    secure_scheme_headers: dict = {}
# Heartbeat files in memory: a slow disk must not get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def post_fork(server, worker) -> None:
    """With preload, each worker must open its own database connections, never the master's."""
    wsgi = sys.modules.get("wsgi")  # loaded in the master only when preloading our app
    if not preload_app or wsgi is None:
        return
    from webapp.extensions import db

    with wsgi.app.app_context():
        db.engine.dispose(close=False)


SHARED_LIMITS_WARNING = """
************************************************************************************
WARNING: %d workers count rate limits separately (RATELIMIT_STORAGE_URI=%s).
Each worker allows the full limit, so "5 per minute" lets several times as many
through, and a restarted worker forgets its counts. Share them in Redis:
    RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0
************************************************************************************"""


def when_ready(server) -> None:
    """Say loudly when several workers would each keep their own rate-limit counts."""
    storage = str(settings["RATELIMIT_STORAGE_URI"])
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        server.log.warning(SHARED_LIMITS_WARNING, server.cfg.workers, storage)

"""Configuration: defaults here, then instance/config.py, then the environment."""

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask import Config
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings that work on a fresh clone without any configuration."""

    SQLALCHEMY_DATABASE_URI = "sqlite:///site.db"  # relative: resolved inside instance/
    # Engine options; `hide_parameters` is always added (see load()).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "de"
    # Where the help desk works: the staff area's times, the overview's weeks, the CSV, the
    # working days of the reply promise and the visitor's "received on" date all follow it.
    # Flask-Babel's BABEL_DEFAULT_TIMEZONE is set from it (load()), never on its own.
    TIME_ZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("de", "en", "pl", "cs", "hu", "ro")  # the first one is the default
    STAFF_LANGUAGES = ("de", "en")  # the staff area is written for these only
    WTF_I18N_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600
    CONTENT_FILE = str(Path(__file__).resolve().parent / "content" / "initiatives.toml")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Losing Redis resets the limits, nothing else: the limits go on in each process's
    # memory (a warning is logged), Flask-Limiter goes back to Redis once it answers, and an
    # error it meets in the middle of a request is logged instead of becoming a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # For a Redis storage: give up on a dead host within a second instead of the system's
    # TCP timeout, so an outage costs no request more than that (load() applies it).
    RATELIMIT_REDIS_TIMEOUT = 1.0
    HELP_RATE_LIMIT = "5 per minute;30 per day"
    # Sign-in attempts per client address, counted before the password check; a successful
    # one is given back (webapp/helpdesk/signin_throttle.py).
    LOGIN_RATE_LIMIT = "10 per minute;50 per day"
    # Per account and client address: this many failures are free, then waits that double
    # from LOGIN_FIRST_DELAY seconds up to a day (webapp/signin_throttle.py).
    LOGIN_FREE_FAILURES = 3
    LOGIN_FIRST_DELAY = 30
    STAFF_SESSION_HOURS = 9  # a working day: a staff session ends this long after sign-in
    # Host names the site answers to; any other Host header gets 400 (Flask's TRUSTED_HOSTS).
    # The host of PUBLIC_BASE_URL is always added.
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "hilfe@localhost"
    MAIL_TIMEOUT = 10
    HELPDESK_EMAIL = "hilfe@localhost"
    HELP_REPLY_DAYS = 3  # the promise in the visitor's confirmation, in working days
    HELP_CONFIRMATIONS_PER_DAY = 3  # per recipient address: the form cannot spam a stranger
    HELP_STATUS_RATE_LIMIT = "10 per minute;50 per day"
    # The outbox sender (webapp/outbox.py): retry after 30 s, doubling up to 4 h, give up
    # after a day; a claim lasts OUTBOX_LEASE_SECONDS (longer than any send can take).
    OUTBOX_POLL_SECONDS = 2.0
    OUTBOX_RETRY_FIRST_SECONDS = 30.0
    OUTBOX_RETRY_MAX_SECONDS = 4 * 3600.0
    OUTBOX_GIVE_UP_SECONDS = 24 * 3600.0
    OUTBOX_LEASE_SECONDS = 300.0
    # Incoming e-mail (webapp/mail/inbox.py): the help desk mailbox, read over IMAP when
    # IMAP_HOST is set. IMAP_SECURITY: "ssl" (IMAPS, port 993), "starttls" (port 143) or
    # "none", which is refused unless the host is this machine (tests, a local relay).
    IMAP_HOST = None
    IMAP_PORT = None  # None: 993 for ssl, 143 otherwise
    IMAP_USER = None
    IMAP_PASSWORD = None
    IMAP_PASSWORD_FILE = None  # a file holding the password (read when IMAP_PASSWORD is unset)
    IMAP_SECURITY = "ssl"
    IMAP_FOLDER = "INBOX"
    # Filed messages are moved here, unreadable ones to the failed folder (both created
    # when missing), so the inbox holds only what is still to be read.
    IMAP_PROCESSED_FOLDER = "Processed"
    IMAP_FAILED_FOLDER = "Failed"
    IMAP_POLL_SECONDS = 60.0  # how often `outbox run` reads the mailbox
    IMAP_TIMEOUT = 30.0
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024  # per e-mail; larger files are listed, not kept
    EMAIL_REQUESTS_PER_DAY = 3  # new requests by e-mail per sender address in 24 hours
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Retention (webapp/helpdesk/housekeeping.py, run daily by the outbox sender): answered
    # or closed requests go this many days after their last change, spam after its
    # last change (being marked is one).
    PURGE_AFTER_DAYS = 365
    SPAM_PURGE_AFTER_DAYS = 30
    OPERATOR_FILE = None  # the operator's details; None: instance/operator.toml (operator.py)
    OPERATOR_REQUIRED = False  # refuse to start on sample details (`make serve` sets it)
    MAX_CONTENT_LENGTH = 256 * 1024  # a 5,000-character message in emoji, encoded, fits
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    SEND_FILE_MAX_AGE_DEFAULT = 3600  # unversioned static URLs; versioned ones: a year
    # Public pages and fragments: how long browsers and proxies may keep them (http_caching.py).
    PAGE_MAX_AGE = 60
    # How often a worker asks the database whether `content load` ran (initiatives.py).
    CONTENT_CHECK_SECONDS = 2.0
    # Flask-Caching, for the overview's rendered cards: in each process's memory, kept until
    # the content version in their key changes (webapp/public/cards.py).
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 0
    CACHE_THRESHOLD = 512
    COMPRESS_RESPONSES = True  # gzip text responses (Flask-Compress); off when a proxy does it
    # gzip only: the same encoding as the pre-compressed static files, and one that every
    # client and proxy in front understands.
    COMPRESS_ALGORITHM = "gzip"
    # Level 3 instead of Flask-Compress's 6: a fifth less time per page, for about 5 %
    # more bytes (the overview: 2790 instead of 2665). Every uncached page pays it; nginx in
    # front keeps the compressed page anyway.
    COMPRESS_LEVEL = 3


# Environment variables read on start-up, with the type each one is parsed as.
ENVIRONMENT = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "TIME_ZONE": str,
    "RATELIMIT_STORAGE_URI": str,
    "HELP_RATE_LIMIT": str,
    "LOGIN_RATE_LIMIT": str,
    "LOGIN_FREE_FAILURES": int,
    "LOGIN_FIRST_DELAY": int,
    "STAFF_SESSION_HOURS": float,
    "TRUSTED_HOSTS": list,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_TIMEOUT": float,
    "HELPDESK_EMAIL": str,
    "HELP_REPLY_DAYS": int,
    "HELP_CONFIRMATIONS_PER_DAY": int,
    "HELP_STATUS_RATE_LIMIT": str,
    "OUTBOX_POLL_SECONDS": float,
    "OUTBOX_RETRY_FIRST_SECONDS": float,
    "OUTBOX_RETRY_MAX_SECONDS": float,
    "OUTBOX_GIVE_UP_SECONDS": float,
    "OUTBOX_LEASE_SECONDS": float,
    "IMAP_HOST": str,
    "IMAP_PORT": int,
    "IMAP_USER": str,
    "IMAP_PASSWORD": str,
    "IMAP_PASSWORD_FILE": str,
    "IMAP_SECURITY": str,
    "IMAP_FOLDER": str,
    "IMAP_PROCESSED_FOLDER": str,
    "IMAP_FAILED_FOLDER": str,
    "IMAP_POLL_SECONDS": float,
    "IMAP_TIMEOUT": float,
    "ATTACHMENT_MAX_BYTES": int,
    "EMAIL_REQUESTS_PER_DAY": int,
    "PUBLIC_BASE_URL": str,
    "PURGE_AFTER_DAYS": int,
    "SPAM_PURGE_AFTER_DAYS": int,
    "OPERATOR_FILE": str,
    "OPERATOR_REQUIRED": bool,
    "SESSION_COOKIE_SECURE": bool,
    "PROXY_FIX_X_FOR": int,
    "PROXY_FIX_X_PROTO": int,
    "PROXY_FIX_X_HOST": int,
    "COMPRESS_RESPONSES": bool,
    "PAGE_MAX_AGE": int,
    "CONTENT_CHECK_SECONDS": float,
}


# The one rule for yes/no settings in the environment (the app's, gunicorn.conf.py's,
# DEMO_ALLOWED): any other spelling is refused rather than guessed.
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def parse_bool(raw: str, name: str = "the value") -> bool:
    """`1`, `true`, `yes`, `on` mean true; `0`, `false`, `no`, `off` and empty mean false
    (any case, surrounding spaces ignored); anything else raises ValueError naming `name`."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        f"{name}={raw!r}: write 1, true, yes or on for yes; 0, false, no, off or nothing for no"
    )


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """A yes/no environment variable by the rule of parse_bool; unset means false."""
    environ = os.environ if environ is None else environ
    return parse_bool(environ.get(name, ""), name)


def _parse(kind: type, raw: str, name: str):
    if kind is bool:
        return parse_bool(raw, name)
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return kind(raw)


def _fill(config: Config) -> None:
    """Defaults, then instance/config.py, then the environment."""
    config.from_object(Defaults)
    config.from_pyfile("config.py", silent=True)
    for name, kind in ENVIRONMENT.items():
        raw = os.environ.get(name)
        # Set but empty: "no" for a yes/no setting, "not set" for every other kind.
        if raw or (raw is not None and kind is bool):
            config[name] = _parse(kind, raw, name)


def configured(instance: Path = ROOT / "instance") -> Config:
    """The settings as the app will read them, for gunicorn.conf.py (no app exists there)."""
    config = Config(str(instance))
    _fill(config)
    return config


def load(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment, then overrides."""
    _fill(app.config)
    if overrides:
        app.config.update(overrides)
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    time_zone(app.config)  # an unknown zone stops the start, not the first page
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIME_ZONE"]
    private_instance(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    # Errors must never carry what visitors typed into the logs: SQLAlchemy leaves the
    # statement's parameters out of its exception messages.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "hide_parameters": True,
    }
    # The signed cookie itself expires with the staff session; a session is not permanent,
    # so the browser drops it when it closes.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["STAFF_SESSION_HOURS"])
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        timeout = app.config["RATELIMIT_REDIS_TIMEOUT"]
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        }
    trusted = list(app.config.get("TRUSTED_HOSTS") or [])
    public_host = urlsplit(app.config["PUBLIC_BASE_URL"]).hostname
    if trusted and public_host and public_host not in trusted:
        trusted.append(public_host)
    app.config["TRUSTED_HOSTS"] = trusted or None


def time_zone(config: Mapping) -> ZoneInfo:
    """The help desk's time zone (TIME_ZONE), the one every local date and time uses."""
    try:
        return ZoneInfo(config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"TIME_ZONE={config['TIME_ZONE']!r} is not a time zone (e.g. Europe/Berlin)"
        ) from exc


def private_instance(instance: Path) -> None:
    """Create instance/ readable by the site's user only (it holds the database and key).

    An existing folder open to others is closed too; when it belongs to another user that
    fails, and the folder is left as it is.
    """
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if instance.stat().st_mode & 0o077:
            instance.chmod(0o700)
    except OSError:
        pass


def _instance_secret(instance: Path) -> str:
    """Read instance/secret_key, creating it once with a random key (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Write aside, then link into place: several workers starting at once agree on one key.
        temp = instance / f".secret_key.{os.getpid()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return path.read_text().strip()

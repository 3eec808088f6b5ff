"""WIR! in Southwest Saxony: the app factory."""

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import cli
from webapp import config as settings
from webapp.content import initiatives
from webapp.content import operator_details
from webapp.extensions import babel
from webapp.extensions import cache
from webapp.extensions import compress
from webapp.extensions import csrf
from webapp.extensions import db
from webapp.extensions import htmx
from webapp.extensions import limiter
from webapp.extensions import login_manager
from webapp.extensions import migrate
from webapp.web import dates
from webapp.web import errors
from webapp.web import http_caching
from webapp.web import i18n
from webapp.web import request_log
from webapp.web import security_headers
from webapp.web import sessions
from webapp.web import static_files

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application; settings in `config` (tests) win over every other source.

    `instance_path` replaces the project's instance/ folder (tests of a fresh install).
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    settings.load(app, config)
    operator_details.init_app(app)  # early: without valid details in production, nothing starts

    sessions.register(app)
    # Flask runs after_request hooks last-registered first: compression must see the
    # finished response, and caching headers every other hook's work.
    if app.config["COMPRESS_RESPONSES"]:
        compress.init_app(app)
    http_caching.register(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    htmx.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    # No current_user in every template: public pages never load the session (admin/helpers.py).
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to see this page.")

    from webapp import database
    from webapp.admin import bp as admin_bp
    from webapp.health import bp as health_bp
    from webapp.help import bp as help_bp
    from webapp.public import bp as public_bp
    from webapp.public import root_bp

    database.register(app)
    initiatives.register(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(root_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(admin_bp)
    i18n.register(app)
    request_log.register(app)
    security_headers.register(app)
    dates.register(app)
    errors.register(app)
    cli.register(app)

    static_files.register(app)  # WhiteNoise answers /static/ before Flask sees it
    proxies = {k: app.config[f"PROXY_FIX_X_{k.upper()}"] for k in ("for", "proto", "host")}
    if any(proxies.values()):
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies["for"], x_proto=proxies["proto"], x_host=proxies["host"]
        )
    return app

"""The conference system: create_app() wires extensions and error pages, then the domains."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Flask and the extensions (SQLAlchemy, Alembic, Huey, …) are imported by create_app, not here:
# a process that only lays out PDFs (core/pdf's workers) imports this package too, and would
# otherwise spend a second of a core importing what it never uses.

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The domains, each a package declaring itself in its __init__.py (conference/core/domains.py),
# lower ones first: a domain imports only those before it. The DOMAINS setting (environment:
# CONFERENCE_DOMAINS, comma-separated) replaces the list for the app and the Huey consumer alike.
DOMAINS = (
    "conference.core",
    "conference.accounts",
    "conference.editions",
    "conference.people",
    "conference.venues",
    "conference.programme",
    "conference.registration",
    "conference.hotels",
    "conference.badges",
    "conference.volunteers",
    "conference.checkin",
    "conference.handbook",
    "conference.privacy",
    "conference.auditlog",
)


def domain_packages(setting: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(setting) if setting else DOMAINS


def create_app(config: type | dict | None = None, domains: list[str] | None = None) -> Flask:
    from flask import Flask

    import config as config_module
    from conference.extensions import babel, csrf, db, limiter, login_manager, migrate

    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    if config is None:
        app.config.from_object(config_module.config_from_environment())
    elif isinstance(config, dict):
        app.config.from_object(config_module.TestingConfig)
        app.config.update(config)
    else:
        app.config.from_object(config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    _trust_proxies(app)

    from conference.core import (
        clock,
        database,
        errors,
        i18n,
        jobs,
        links,
        logs,
        pii,
        security,
        templating,
        urls,
    )
    from conference.core import domains as declarations

    logs.init_app(app)  # first: every request gets its id before anything else runs
    clock.init_app(app)
    urls.init_app(app)  # converters first: blueprints' routes use them
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page says what to do
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Shanghai"
    )
    limiter.init_app(app)
    pii.init_app(app)
    jobs.init_app(app)
    errors.init_app(app)
    links.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    packages = domain_packages(domains or app.config["DOMAINS"])
    declarations.init_app(app, declarations.declared(packages))
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT proxies, the client's address, scheme, host and port are the
    ones the nearest of them recorded in X-Forwarded-*: request.remote_addr is then the client's,
    for rate limits and the audit log alike. With 0 (the default) those headers are ignored, so
    a client cannot choose its own address by sending them."""
    count = int(app.config["TRUSTED_PROXY_COUNT"])
    if count < 0:
        raise RuntimeError("TRUSTED_PROXY_COUNT cannot be negative")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


def warm_up(app: Flask) -> None:
    """Work a process would otherwise do on its first requests: configuring the mappers (0.4 s
    of a core) and compiling the templates (1.7 s for all of them; a page's first request in a
    worker paid for its own, 20 to 40 ms). gunicorn's master calls this once the app is loaded,
    before it forks: every worker starts with it, those replacing others after max_requests
    too, instead of the first requests after a start queueing behind it. (Tables the domains
    read, such as the district codes of identity numbers, are loaded when their modules are
    imported, with the app.)"""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    with app.app_context():
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)

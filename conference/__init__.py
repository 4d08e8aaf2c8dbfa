"""The conference system: create_app() wires extensions, blueprints, commands and error pages."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from conference.extensions import api, babel, csrf, db, limiter, login_manager, migrate

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
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
        demo,
        errors,
        i18n,
        jobs,
        links,
        pii,
        security,
        templating,
        urls,
    )

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
    demo.init_app(app)

    _register_domains(app)
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
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


def _register_domains(app: Flask) -> None:
    from conference.accounts import demo as accounts_demo  # noqa: F401  registers demo step
    from conference.accounts.cli import users_cli
    from conference.accounts.views import bp as accounts_bp
    from conference.auditlog.views import bp as auditlog_bp
    from conference.badges import demo as badges_demo  # noqa: F401  registers demo step
    from conference.badges import jobs as badges_jobs  # noqa: F401  registers the batch task
    from conference.badges.cli import badges_cli
    from conference.badges.views import bp as badges_bp
    from conference.checkin import demo as checkin_demo  # noqa: F401  demo step
    from conference.checkin.api import bp as checkin_api_bp
    from conference.checkin.cli import checkin_cli
    from conference.checkin.views import bp as checkin_bp
    from conference.core.views import bp as core_bp
    from conference.editions import demo as editions_demo  # noqa: F401  registers demo step
    from conference.editions.cli import editions_cli
    from conference.editions.views import bp as editions_bp
    from conference.people.views import bp as people_bp
    from conference.programme import demo as programme_demo  # noqa: F401  registers demo step
    from conference.programme.api import bp as programme_api_bp
    from conference.programme.public import bp as public_bp
    from conference.programme.views import bp as programme_bp
    from conference.registration import demo as registration_demo  # noqa: F401  demo step
    from conference.registration.api import bp as registration_api_bp
    from conference.registration.cli import registration_cli
    from conference.registration.views import bp as registration_bp
    from conference.venues import demo as venues_demo  # noqa: F401  registers demo step
    from conference.venues.views import bp as venues_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(editions_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(venues_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(programme_api_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(registration_api_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(checkin_api_bp)
    app.register_blueprint(auditlog_bp)
    csrf.exempt(programme_api_bp)
    csrf.exempt(checkin_api_bp)  # devices send a bearer token, never a cookie
    csrf.exempt(registration_api_bp)  # a JSON API for other sites: no cookies, no CSRF
    api.register(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(editions_cli)
    app.cli.add_command(registration_cli)
    app.cli.add_command(badges_cli)
    app.cli.add_command(checkin_cli)

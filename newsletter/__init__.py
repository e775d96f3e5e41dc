"""OVER het ravijn: sign-up and mailing service. `create_app()` wires named steps, no I/O."""

from __future__ import annotations

from flask import Flask

from newsletter import formatting, forms, logs
from newsletter.resources import resource_dir
from newsletter.settings import Settings, from_env


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env()
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=str(settings.instance_path),
    )
    app.config.update(settings.flask_config())
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_proxies(app)
    register_commands(app)
    formatting.register(app)
    forms.register(app)
    logs.register(app)
    return app


def register_extensions(app: Flask) -> None:
    from newsletter import jobs, metrics, models  # noqa: F401  (models: the full schema for Alembic)
    from newsletter.auth import sessions
    from newsletter.auth.accounts import load_user
    from newsletter.database import configure_engines
    from newsletter.extensions import csrf, db, limiter, login_manager, migrate
    from newsletter.security import allow_large_bodies
    from newsletter.signed_time import SessionInterface
    from newsletter.subscribers.tokens import Signer

    configure_engines()
    app.session_interface = SessionInterface()
    # before CSRF reads the form in its own hook: an ended session is ended first, and only
    # an editor whose role needs it may send a large body
    app.before_request(sessions.check)
    app.before_request(allow_large_bodies)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(resource_dir("migrations")), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.session_protection = None  # sessions are checked by the server (auth.sessions)
    login_manager.user_loader(load_user)
    jobs.init_app(app)
    metrics.init_app()
    settings = app.config["SETTINGS"]
    app.extensions["signer"] = Signer(settings.secret_keys, settings.retired_keys)


def register_blueprints(app: Flask) -> None:
    from newsletter.api import access, views  # noqa: F401  (views: the operations register)
    from newsletter.api.keys_views import bp as api_keys
    from newsletter.api.spec import bp as api
    from newsletter.auth.blueprint import bp as auth
    from newsletter.auth.blueprint import editors_bp as editors
    from newsletter.counts.views import bp as counted
    from newsletter.delivery import recipients
    from newsletter.delivery.blueprint import bp as delivery
    from newsletter.editions.archive_views import bp as archive
    from newsletter.editions.blueprint import bp as editions
    from newsletter.editions.blueprint import media_bp as media
    from newsletter.ops.health_views import bp as ops
    from newsletter.ops.metrics_views import bp as metrics_page
    from newsletter.results.blueprint import bp as results
    from newsletter.subscribers.admin import history
    from newsletter.subscribers.admin.blueprint import bp as subscriber_admin
    from newsletter.subscribers.pages.blueprint import bp as subscribers
    from newsletter.webhooks.views import bp as webhooks

    for blueprint in (
        subscribers,
        auth,
        editors,
        editions,
        media,
        archive,
        delivery,
        subscriber_admin,
        ops,
        metrics_page,
        api,
        api_keys,
        webhooks,
        counted,
        results,
    ):
        app.register_blueprint(blueprint)
    access.init()  # no CSRF on the API, a rate per key
    # the reader's page (subscribers) shows what delivery, a layer above, sent them
    history.provide(app, recipients.received)
    if app.config["SETTINGS"].env == "development":  # the outbox shows every link, unguarded
        from newsletter.dev.views import bp as dev

        app.register_blueprint(dev)


def register_error_handlers(app: Flask) -> None:
    from newsletter.errors import register

    register(app)


def register_proxies(app: Flask) -> None:
    from newsletter.proxies import wrap

    app.wsgi_app = wrap(app.wsgi_app, app.config["SETTINGS"].trusted_proxies)  # type: ignore[method-assign]


def register_security_headers(app: Flask) -> None:
    from newsletter.security import add_security_headers

    app.after_request(add_security_headers)


def register_commands(app: Flask) -> None:
    from newsletter.cli import register

    register(app)

"""The responsible-digital employee portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal.config import PROJECT_ROOT, Defaults, from_environment


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints. Nothing else."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(Defaults)
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    _check_production_settings(app)

    from portal import all_models, cli, database, errors, formatting, i18n, security, static_assets, timing  # noqa: F401
    from portal.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, mail, migrate

    timing.init_app(app)  # first: its timer starts before the login check
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_jinja(app)  # after Flask-Babel: its template callables, with French elision
    _init_login(app, login_manager)

    from portal.domains import domain_packages

    for package in domain_packages():
        if hasattr(package, "bp"):
            app.register_blueprint(package.bp)

    _limit_decorated_views_only(app, limiter)
    security.require_login_everywhere(app)
    security.install_security_headers(app)
    static_assets.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    cli.init_app(app)
    _template_globals(app)
    return app


def _template_globals(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from portal.accounts.services import user_counts
    from portal.lazy import LazyMapping
    from portal.main.services import nav_menu
    from portal.pagination import active_filter_count

    role_names = {
        "employee": _l("employee"),
        "manager": _l("manager"),
        "comms": _l("communications"),
        "admin": _l("administrator"),
    }

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "nav_menu": nav_menu(current_user) if current_user.is_authenticated else None,
            # Read when the menu is drawn (fragments have no menu): usually from the session user's query.
            "nav_counts": LazyMapping(lambda: user_counts(current_user)) if current_user.is_authenticated else {},
            "role_names": role_names,
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
            "active_filter_count": active_filter_count,
        }


def _init_login(app: Flask, login_manager: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.services import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login_form"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)


def _limit_decorated_views_only(app: Flask, limiter: Any) -> None:
    """Skip Flask-Limiter's before_request hook while nothing needs it.

    That hook applies only application, default, blueprint and meta limits; a view decorated with
    `@limiter.limit` (the login) checks its own limits when called, whatever the hook. With none of the
    former declared, the hook did nothing but cost every request; it stays as soon as one is declared.
    """
    manager = limiter.limit_manager
    # Private attributes read defensively: should a Flask-Limiter release rename them, the hook simply stays.
    unknown = object()
    blueprint_limits = getattr(manager, "_blueprint_limits", unknown)
    meta_limits = getattr(limiter, "_meta_limits", unknown)
    check = getattr(limiter, "_check_request_limit", None)
    hook_needed = (
        check is None
        or blueprint_limits is unknown
        or meta_limits is unknown
        or manager.application_limits
        or manager.default_limits
        or blueprint_limits
        or meta_limits
        or any(app.config.get(key) for key in ("RATELIMIT_APPLICATION", "RATELIMIT_DEFAULT", "RATELIMIT_META"))
    )
    if not hook_needed:
        hooks = app.before_request_funcs.get(None, [])
        hooks[:] = [hook for hook in hooks if hook != check]


def _check_production_settings(app: Flask) -> None:
    """Refuse to start a production server with the development secret."""
    if app.config.get("PORTAL_PRODUCTION") and app.config["SECRET_KEY"] == Defaults.SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set in production (PORTAL_PRODUCTION=true)")

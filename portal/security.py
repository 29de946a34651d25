"""Access rules and response headers shared by every blueprint."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_login import current_user

from portal.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a view as reachable without logging in (login, health check, language choice)."""
    view.is_public = True  # type: ignore[attr-defined]  # a mark on the function, read by _require_login
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to users holding any of these roles (admins hold every role); 403 otherwise."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]  # read by the route-walking tests
        return cast(F, wrapped)  # the same signature: functools.wraps copies it

    return decorator


def same_site_path(target: str | None, *, fallback: str) -> str:
    """`target` if a browser redirected to it stays on this site (a path), else `fallback`.

    The one check for every redirect to a target the user gave (a `next` field or parameter, the Referer).
    Browsers, and `urlsplit` with which Werkzeug builds the Location header, drop tabs and newlines inside a
    URL and read a backslash as a slash: "/", tab, "/evil.example" would leave as "//evil.example", another
    site, and a newline breaks the header. So every control, format or whitespace character and every
    backslash is refused first; what is left is followed only if it starts with exactly one slash.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if any(char == "\\" or unicodedata.category(char)[0] in "CZ" for char in target):
        return fallback
    return target


def require_login_everywhere(app: Flask) -> None:
    """Secure by default: every endpoint needs a login unless its view is marked @public."""

    @app.before_request
    def _require_login() -> Any:
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def content_security_policy(tile_url: str, form_targets: tuple[str, ...] = ()) -> str:
    """A CSP with no inline script or style: htmx is configured for it (see templates/base.html).

    `form_targets`: other sites a form may lead to through a redirect (the identity provider, where the
    logout form sends the browser to end the provider's session too)."""
    # Map tiles come from a configurable server; "{s}" subdomains become a wildcard.
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    tiles = f" {parts.scheme}://{host}" if parts.scheme in {"http", "https"} and host else ""
    forms = "".join(f" {origin}" for origin in dict.fromkeys(map(_origin, form_targets)) if origin)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        f"base-uri 'self'; form-action 'self'{forms}; frame-ancestors 'none'"
    )


def install_security_headers(app: Flask) -> None:
    """Security headers on every response, static files included."""
    csp = content_security_policy(app.config["PORTAL_TILE_URL"], (app.config.get("OIDC_ISSUER") or "",))
    defaults = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), payment=(), geolocation=(self)"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        # As `headers.setdefault` for each, which raised and caught a KeyError for every header missing.
        present = {name.lower() for name, _ in headers.items()}
        for name, value in defaults:
            if name.lower() not in present:
                headers.add(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "cache-control" not in present:
            # Pages are personal: never stored by a shared cache.
            headers["Cache-Control"] = "private, no-cache"
        return response

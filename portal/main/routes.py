"""Home, help and health check."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.domains import DOMAINS
from portal.main import bp, services
from portal.security import public


@bp.get("/")
def home() -> str:
    """Greets the employee and links to each area of the portal."""
    return render_template("main/home.html", areas=services.areas_for(current_user))


@bp.get("/help")
def help_page() -> str:
    """In-app help: what each area does and where its figures come from."""
    return render_template("main/help.html", domains=DOMAINS)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """Liveness and database reachability, for the load balancer."""
    database_ok = services.database_is_reachable()
    body = {"status": "ok" if database_ok else "error", "database": "ok" if database_ok else "unreachable"}
    if database_ok:
        # The web nodes keep serving without the jobs process; its state is reported, not fatal.
        body["jobs"] = services.jobs_status(current_app.config["PORTAL_JOBS_HEARTBEAT_SECONDS"])
    return jsonify(body), 200 if database_ok else 503

"""Home, help, health check, and the accessibility and eco-design statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, jsonify, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.areas import home_panels
from portal.domains import DOMAINS
from portal.main import bp, services, statements
from portal.models import utcnow
from portal.pagination import requested_list_page
from portal.security import public


@bp.get("/")
def home() -> str:
    """Greets the employee and links to each area of the portal."""
    kinds = services.notice_kinds()
    notices = [
        NoticeView(
            text=str(kinds[n.kind].text) % n.params,
            url=url_for(kinds[n.kind].endpoint, **{arg: n.params[key] for arg, key in kinds[n.kind].url_params}),
            created_at=n.created_at,
        )
        for n in services.unread_notices(current_user)
        if n.kind in kinds
    ]
    return render_template("main/home.html", areas=services.nav_links(current_user), notices=notices,
                           panels=home_panels(current_user, utcnow()))


@dataclass(frozen=True)
class NoticeView:
    """A notice as the home page shows it."""

    text: str
    url: str
    created_at: datetime


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


@bp.get("/accessibility")
@public
def accessibility() -> str:
    """Accessibility statement on the RGAA model: status, tests, known limits, contact, remedies (public)."""
    return render_template(
        "main/accessibility.html",
        statement_date=statements.ACCESSIBILITY_STATEMENT_DATE,
        contact=current_app.config["PORTAL_ACCESSIBILITY_CONTACT"],
        report=statements.ecoindex_report(),
    )


@bp.get("/eco-design")
@public
def eco_design() -> str:
    """Eco-design statement: how the portal stays light, and the measured EcoIndex of each page (public)."""
    report = statements.ecoindex_report()
    rows = requested_list_page(report.pages)
    return render_template("main/eco_design.html", report=report, rows=rows)

"""Home, help, health check, and the accessibility and eco-design statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, jsonify, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.areas import home_panels, suggested_action
from portal.domains import DOMAINS
from portal.main import bp, services, statements
from portal.models import utcnow
from portal.pagination import requested_list_page
from portal.security import public
from portal.wording import elide_placeholders


@bp.get("/")
def home() -> str:
    """The employee's own page: their figures, what waits for them, and one suggested action."""
    kinds = services.notice_kinds()
    notices = [
        NoticeView(
            text=_notice_text(str(kinds[n.kind].text), n.params),
            url=url_for(kinds[n.kind].endpoint, **{arg: n.params[key] for arg, key in kinds[n.kind].url_params}),
            created_at=n.created_at,
        )
        for n in services.unread_notice_values(current_user)
        if n.kind in kinds
    ]
    panels = home_panels(current_user, utcnow())
    return render_template("main/home.html", notices=notices, panels=panels, suggestion=suggested_action(panels))


def _notice_text(text: str, params: dict) -> str:
    """The notice's words filled with its values, a name after "de" elided (d’EliteBook)."""
    template, values = elide_placeholders(text, params)
    return template % values


@dataclass(frozen=True)
class NoticeView:
    """A notice as the home page shows it."""

    text: str
    url: str
    created_at: datetime


@bp.get("/pages/<hub>")
def hub(hub: str) -> str:
    """A hub of the menu: the pages it groups, with what each is for (the back office lists each of its hubs)."""
    menu = services.nav_menu(current_user)
    shown = menu.hub(hub)
    if shown is None:
        abort(404)
    sections = (shown,) if shown is menu.me else (shown, *(view for view in menu.back_office if view is not shown))
    return render_template("main/hub.html", hub=shown, sections=sections)


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

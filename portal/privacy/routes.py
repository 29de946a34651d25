"""The information notice (public) and each employee's own data."""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask_login import current_user

from portal.models import utcnow
from portal.privacy import bp, display, services
from portal.security import public
from portal.timezone import PARIS


@bp.get("/privacy")
@public
def notice() -> str:
    """The information notice: what is processed, why, on which basis, who sees it, how long, the rights (public)."""
    return render_template(
        "privacy/notice.html",
        processing=display.PROCESSING,
        periods=display.retention_periods(current_app.config),
        dpo_contact=current_app.config["PORTAL_DPO_CONTACT"],
    )


@bp.get("/me/data")
def my_data() -> str:
    """What the portal holds about me, table by table, with the download."""
    return render_template("privacy/my_data.html", sizes=services.table_sizes(current_user._get_current_object()))


@bp.get("/me/data.zip")
def my_data_download() -> Response:
    """Everything the portal holds about me: JSON and CSV files in a ZIP."""
    now = utcnow()
    body = services.personal_data_zip(current_user._get_current_object(), now=now)
    name = f"personal-data-{now.astimezone(PARIS):%Y-%m-%d}.zip"
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})

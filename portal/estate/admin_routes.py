"""The estate's settings for admins: the reference year, the teams' depots, recomputes and their versions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.domain_error import DomainError
from portal.estate import bp, services
from portal.estate.display import VEHICLES
from portal.estate.forms import DepotForm, RecomputeForm, ReferenceYearForm
from portal.estate.models import Depot
from portal.models import db
from portal.org.models import Site
from portal.security import roles_required

ADMIN = Role.ADMIN.value


def _forms(
    reference: ReferenceYearForm | None = None, depot: DepotForm | None = None, recompute: RecomputeForm | None = None
) -> tuple[ReferenceYearForm, DepotForm, RecomputeForm]:
    reference = reference or ReferenceYearForm(year=str(services.settings().reference_year or ""))
    reference.year.choices = [("", _("none")), *[(str(y), str(y)) for y in services.snapshot_years()]]
    depot = depot or DepotForm()
    depot.site_id.choices = list(services.site_choices())
    depot.vehicle.choices = [(key, str(label)) for key, label in VEHICLES.items()]
    return reference, depot, recompute or RecomputeForm()


def _context(
    reference: ReferenceYearForm | None = None,
    depot: DepotForm | None = None,
    recompute: RecomputeForm | None = None,
) -> dict[str, Any]:
    reference, depot, recompute = _forms(reference, depot, recompute)
    # The depots with their site's name in one read (not one per depot).
    depots = list(db.session.execute(sa.select(Depot, Site.name).join(Site).order_by(Depot.assignment_group)))
    return {
        "reference": reference,
        "depot": depot,
        "recompute": recompute,
        "depots": depots,
        "versions": Markup(services.versions_table()),  # noqa: S704 - rendered from a template  # nosec B704
        "seen": services.visibility(current_user._get_current_object()),
    }


def _page(
    reference: ReferenceYearForm | None = None,
    depot: DepotForm | None = None,
    recompute: RecomputeForm | None = None,
    status: int = 200,
) -> Any:
    """The page with a form's errors, rendered for this answer only."""
    return render_template("estate/admin_settings.html", **_context(reference, depot, recompute)), status


@bp.get("/estate/settings")
@roles_required(ADMIN)
def admin_settings() -> Any:
    """The reference year, the depots and the versions of the frozen months: the forms without errors are the
    same for every admin until a snapshot, a setting, a depot or a site changes, so they are rendered once per
    worker (each request puts in its own CSRF tokens)."""
    seen = services.visibility(current_user._get_current_object())
    title, body = services.rendered_form_page("settings", seen, "estate/admin_settings.html", _context)
    return render_template("estate/_page.html", title=Markup(title), body=Markup(body))  # noqa: S704  # nosec B704


@bp.post("/estate/settings/reference-year")
@roles_required(ADMIN)
def admin_reference_year() -> Any:
    """Choose the reference year."""
    form = ReferenceYearForm()
    _forms(reference=form)
    if not form.validate():
        return _page(reference=form, status=400)
    services.set_reference_year(int(form.year.data) if form.year.data else None, by=current_user)
    db.session.commit()
    flash(_("Reference year saved: every page compares with it."), "success")
    return redirect(url_for("estate.admin_settings"), code=303)


@bp.post("/estate/settings/depots")
@roles_required(ADMIN)
def admin_depot() -> Any:
    """Set where a team leaves from, and in which vehicle."""
    form = DepotForm()
    _forms(depot=form)
    if not form.validate():
        return _page(depot=form, status=400)
    services.set_depot(form.assignment_group.data, form.site_id.data, form.vehicle.data)
    db.session.commit()
    flash(_("Depot saved: the next snapshots count the team's trips from it."), "success")
    return redirect(url_for("estate.admin_settings"), code=303)


@bp.post("/estate/settings/recompute")
@roles_required(ADMIN)
def admin_recompute() -> Response | Any:
    """Recompute a month with today's factors, as a new version with who and why."""
    form = RecomputeForm()
    if not form.validate():
        return _page(recompute=form, status=400)
    try:
        year, month = services.parse_month(form.month.data)
        taken = services.recompute(year, month, by=current_user, reason=form.reason.data)
    except DomainError as error:
        form.month.errors = [error.message()]
        return _page(recompute=form, status=400)
    db.session.commit()
    flash(
        _(
            "%(year)s-%(month)02d recomputed: version %(version)s.",
            year=taken.year,
            month=taken.month,
            version=taken.version,
        ),
        "success",
    )
    return redirect(url_for("estate.admin_settings"), code=303)

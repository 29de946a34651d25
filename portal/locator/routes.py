"""Find a collection point, see its page, declare a return; the GeoJSON of the points."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.catalogue.models import Asset
from portal.catalogue.my_footprint import assets_to_return
from portal.form_fields import choices
from portal.htmx import render_prerendered
from portal.locator import bp, display, services
from portal.locator.display import ITEM_LABELS
from portal.locator.exchange import points_geojson
from portal.locator.forms import PERSONAL, ReturnForm
from portal.locator.geo import CoordinateError
from portal.locator.models import CollectionPoint
from portal.models import db, utcnow
from portal.pagination import page_number
from portal.timezone import PARIS

display.init_blueprint(bp)


def _now() -> datetime:
    """The current instant (a function, so that tests can fix the clock)."""
    return utcnow()


def _visible_point(point_id: int) -> CollectionPoint:
    """An active point, or any point for an admin; 404 otherwise."""
    point = db.get_or_404(CollectionPoint, point_id)
    if not point.active and not current_user.has_role("admin"):
        abort(404)
    return point


@bp.get("/collection-points")
def index() -> Response:
    """Points nearest to my work site, a commune, a postcode or my position; filters; htmx updates."""
    filters = services.PointFilters.from_args(request.args)
    now = _now()
    error: str | None = None
    if filters.unknown_item:
        error = _("This kind of device is not in the list: choose one from the list.")
    points = services.active_points()
    place = None
    origin = None
    if filters.query:
        place = services.locate_place(filters.query, services.all_communes(), points)
        origin = place.origin
    elif filters.lat or filters.lon:
        try:
            origin = services.origin_from_position(filters.lat, filters.lon)
        except CoordinateError as problem:
            error = problem.message()
    else:
        origin = services.origin_from_site(current_user.site)
    fragment = services.results_fragment(
        filters,
        origin=origin,
        place=place,
        error=error,
        now=now,
        number=page_number(request.args.get("page")),
        size=current_app.config["PORTAL_PAGE_SIZE"],
        language=str(get_locale()),
    )
    year = now.astimezone(PARIS).year
    response = render_prerendered(
        "locator/index.html",
        fragment,
        page_context=lambda: {"totals": services.returns_in_year(year), "year": year},
        query=filters.query,
        item=filters.item,
        open_now=filters.open_now,
        lat=filters.query_args()["lat"] or "",
        lon=filters.query_args()["lon"] or "",
        items=ITEM_LABELS,
        tile_url=current_app.config["PORTAL_TILE_URL"],
        tile_attribution=current_app.config.get("PORTAL_TILE_ATTRIBUTION", "© OpenStreetMap contributors"),
    )
    if error:
        response.status_code = 400
    return response


@bp.get("/collection-points/<int:point_id>")
def point_detail(point_id: int) -> str:
    """A point: opening hours, what it accepts, access, directions, what to do before returning a device."""
    point = _visible_point(point_id)
    now = _now()
    site = current_user.site
    return render_template(
        "locator/point.html",
        point=point,
        now=now,
        status=services.opening_status(point, now),
        weekly=services.weekly_hours(point),
        closures=services.upcoming_closures(point, now.astimezone(PARIS).date()),
        stats=services.point_statistics(point),
        site=site,
        distance=services.distance_km(origin, point) if (origin := services.origin_from_site(site)) else None,
    )


def _return_form(point: CollectionPoint, assets: list[Asset]) -> ReturnForm:
    form = ReturnForm()
    form.device.choices = choices(
        [
            (str(asset.id), f"{asset.model_name} ({asset.asset_tag})")
            for asset in assets
            if (kind := services.item_for_asset(asset)) is not None and point.accepts(kind)
        ]
        + [(PERSONAL, _("A personal device (or several of the same kind)"))]
    )
    form.item.choices = choices([("", _("Choose…"))] + [(key, ITEM_LABELS[key]) for key in point.accepted_items])
    if not form.is_submitted() and len(form.device.choices) == 1:
        form.device.data = PERSONAL
    return form


@bp.get("/collection-points/<int:point_id>/return")
def return_form(point_id: int) -> str:
    """Declare the devices I dropped at this point."""
    point = _visible_point(point_id)
    assets = assets_to_return(current_user._get_current_object())
    form = _return_form(point, assets)
    return render_template("locator/return.html", point=point, form=form, other_assets=_elsewhere(point, assets))


def _elsewhere(point: CollectionPoint, assets: list[Asset]) -> list[Asset]:
    """My devices to return that this point does not take (shown with where they go instead)."""
    return [a for a in assets if (kind := services.item_for_asset(a)) is None or not point.accepts(kind)]


@bp.post("/collection-points/<int:point_id>/return")
def declare_return(point_id: int) -> Response | tuple[str, int]:
    """Record the return; the asset becomes "returned"; back to my returns."""
    point = _visible_point(point_id)
    user = current_user._get_current_object()
    assets = assets_to_return(user)
    form = _return_form(point, assets)
    if form.validate_on_submit():
        asset = None if form.device.data == PERSONAL else next(a for a in assets if str(a.id) == form.device.data)
        try:
            services.declare_return(
                point,
                user=user,
                asset=asset,
                item=None if asset else form.item.data,
                quantity=1 if asset else form.quantity.data,
                now=_now(),
            )
        except services.ReturnError as problem:
            form.device.errors = [*form.device.errors, problem.message()]
        else:
            db.session.commit()
            flash(_("Thank you! Your return is recorded (%(point)s).", point=point.name), "success")
            return redirect(url_for("locator.my_returns"), code=303)
    page = render_template("locator/return.html", point=point, form=form, other_assets=_elsewhere(point, assets))
    return page, 422


@bp.get("/collection-points/my-returns")
def my_returns() -> str:
    """The devices I declared returned, and whether the collection team confirmed them."""
    return render_template("locator/my_returns.html", returns=services.my_returns(current_user._get_current_object()))


@bp.post("/collection-points/my-returns/<int:return_id>/cancel")
def cancel_return(return_id: int) -> Response:
    """Withdraw one of my declarations not yet confirmed (anyone else's: 404)."""
    device_return = services.find_own_return(current_user._get_current_object(), return_id)
    if device_return is None:
        abort(404)
    try:
        services.cancel_return(device_return, now=_now())
    except services.ReturnError as problem:
        flash(problem.message(), "error")
    else:
        db.session.commit()
        flash(_("Your declaration is withdrawn."), "success")
    return redirect(url_for("locator.my_returns"), code=303)


@bp.get("/api/collection-points.geojson")
def points_api() -> Response:
    """Every active point as a GeoJSON FeatureCollection (RFC 7946), optionally filtered like the list."""
    filters = services.PointFilters.from_args(request.args)
    if filters.unknown_item:
        return _json_error(_("Unknown kind of device: %(item)s.", item=request.args.get("item", "")[:40]))
    points = list(services.active_points())
    if filters.item:
        points = [p for p in points if p.accepts(filters.item)]
    if filters.open_now:
        now = _now()
        points = [p for p in points if services.opening_status(p, now).is_open]
    document = points_geojson(points, url_for_point=lambda p: url_for("locator.point_detail", point_id=p.id))
    response = jsonify(document)
    response.mimetype = "application/geo+json"
    return response


def _json_error(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


from portal.locator import admin_routes  # noqa: E402,F401  (admin pages register themselves on bp)

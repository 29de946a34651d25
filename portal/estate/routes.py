"""The estate's pages for managers (their unit and its sub-units) and admins (everything); employees have none.

Every figure is read from the frozen snapshots; every table is also a CSV file (`?format=csv`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal import csvio
from portal.accounts.models import Role
from portal.estate import bp, pages, services
from portal.estate.compute import current_factors
from portal.estate.display import indicator_name
from portal.estate.indicators import LINES, ORG_LINES
from portal.footprint.estate import VEHICLE_FACTORS
from portal.models import db
from portal.org.models import Site
from portal.pagination import Page, page_number, paginate, paginate_list
from portal.security import roles_required

MANAGER = Role.MANAGER.value
ADMIN = Role.ADMIN.value


def _visibility() -> services.Visibility:
    seen = services.visibility(current_user._get_current_object())
    if seen is None:
        abort(403)
    return seen


def _view() -> pages.View:
    return pages.View.from_args(request.args, services.shown_years())


def _csv(filename: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Response:
    body = csvio.to_text(header, rows)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}.csv"})


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


def _page_size() -> int:
    return int(current_app.config["PORTAL_PAGE_SIZE"])


def _overview_page(scope: tuple[str, str], seen: services.Visibility, *, unit: Any = None) -> Any:
    view = _view()
    if _wants_csv():
        data = pages.overview(scope, view, seen)
        if data is None:
            abort(404)
        table = request.args.get("table", "comparison")
        if table == "waterfall":
            rows = [
                ["start", data.movement.steps.start_kgco2e],
                *[[k, v] for k, v in data.movement.steps.steps],
                ["end", data.movement.steps.end_kgco2e],
            ]
            return _csv(f"estate-waterfall-{data.view.year}", ["step", "kgco2e"], rows)
        header = ["indicator", "name", *[f"{c.key}_{c.year}" for c in data.columns]]
        rows = [[code, indicator_name(code), *[c.values.get(code) for c in data.columns]] for code in pages.COMPARED]
        return _csv(f"estate-{data.view.year}-{data.view.convention}", header, rows)

    def context() -> dict[str, Any]:
        data = pages.overview(scope, view, seen)
        site_names = {site.id: site.name for site in db.session.scalars(sa.select(Site))} if seen.everything else {}
        return {
            "data": data,
            "view": view,
            "seen": seen,
            "unit": unit,
            "units": services.units_by_id(),
            "comparison_codes": pages.COMPARED_SHOWN if scope == services.ORG else pages.UNIT_COMPARED_SHOWN,
            "lines": ORG_LINES if scope == services.ORG else LINES,
            "site_names": site_names,
            "here_args": {**(request.view_args or {}), **view.args()},
            "years": services.shown_years(),
            "reference_year": services.settings().reference_year,
            "sub_units": pages.unit_rows(data.snapshot, view.convention, seen, int(scope[1]), "name")
            if data is not None and scope[0] == "unit"
            else [],
        }

    return _page("overview", (scope, view, seen, request.endpoint), "estate/index.html", context)


def _page(name: str, key: Any, template_name: str, context: Callable[[], dict[str, Any]], **options: Any) -> str:
    title, body = services.rendered_page(name, key, template_name, context, **options)
    return render_template("estate/_page.html", title=Markup(title), body=Markup(body))  # noqa: S704  # nosec B704


@bp.get("/estate")
@roles_required(MANAGER)
def index() -> Any:
    """The organisation's year (a manager's unit): lines, comparison, waterfall, top contributors."""
    seen = _visibility()
    unit = services.units_by_id([int(seen.home[1])]).get(int(seen.home[1])) if seen.home[0] == "unit" else None
    if seen.home == services.NO_UNIT:
        return render_template("estate/index.html", data=None, seen=seen, unit=None, no_unit=True)
    return _overview_page(seen.home, seen, unit=unit)


@bp.get("/estate/units")
@roles_required(MANAGER)
def units() -> Any:
    """The org tree with each unit's figures (sub-units included), sortable."""
    seen = _visibility()
    view = _view()
    sort = request.args.get("sort", "name")
    sort = sort if sort in pages.SORTS else "name"
    root = None if seen.everything or seen.home == services.NO_UNIT else int(seen.home[1])

    def context() -> dict[str, Any]:
        snapshot = services.latest_of_year(view.year) if view.year else None
        return {
            "kind": "unit",
            "rows": pages.unit_rows(snapshot, view.convention, seen, root, sort) if snapshot else [],
            "view": view,
            "sort": sort,
            "snapshot": snapshot,
            "years": services.shown_years(),
            "codes": pages.UNITS_SHOWN,
            "endpoint": "estate.units",
            "seen": seen,
        }

    if _wants_csv():
        return _breakdown_csv("estate-units", context()["rows"], pages.BREAKDOWN)
    return _page("units", (view, sort, seen), "estate/breakdown.html", context)


@bp.get("/estate/units/<int:unit_id>")
@roles_required(MANAGER)
def unit(unit_id: int) -> Any:
    """A unit's year, with its sub-units."""
    seen = _visibility()
    if not seen.allows_unit(unit_id):
        abort(404)
    found = services.units_by_id([unit_id]).get(unit_id)
    if found is None:
        abort(404)
    return _overview_page(("unit", str(unit_id)), seen, unit=found)


def _breakdown_csv(name: str, rows: list[pages.BreakdownRow], codes: Sequence[str]) -> Response:
    return _csv(name, ["key", "name", *codes], [[r.key, r.name, *[r.values.get(c) for c in codes]] for r in rows])


def _breakdown(
    kind: str,
    endpoint: str,
    load: Callable[..., list[pages.BreakdownRow]],
    codes: Sequence[str],
    csv_codes: Sequence[str] | None = None,
    manager_codes: Sequence[str] = (),
) -> Any:
    seen = _visibility()
    view = _view()
    sort = request.args.get("sort", "name")
    sort = sort if sort in pages.SORTS else "name"
    if not seen.everything:
        codes = csv_codes = manager_codes
    if _wants_csv():
        snapshot = services.latest_of_year(view.year) if view.year else None
        rows = load(snapshot, view.convention, sort, seen) if snapshot else []
        return _breakdown_csv(f"estate-{kind}s", rows, csv_codes or codes)
    number = page_number(request.args.get("page"))
    size = _page_size()

    def context() -> dict[str, Any]:
        snapshot = services.latest_of_year(view.year) if view.year else None
        rows = load(snapshot, view.convention, sort, seen) if snapshot else []
        page = paginate_list(rows, number=number, size=size)
        return {
            "tile_url": current_app.config["PORTAL_TILE_URL"],
            "tile_attribution": current_app.config.get("PORTAL_TILE_ATTRIBUTION", "© OpenStreetMap contributors"),
            "kind": kind,
            "rows": page.items,
            "page": page,
            "view": view,
            "sort": sort,
            "snapshot": snapshot,
            "years": services.shown_years(),
            "codes": codes,
            "endpoint": endpoint,
            "seen": seen,
        }

    return _page(kind, (view, sort, seen, number, size), "estate/breakdown.html", context)


@bp.get("/estate/sites")
@roles_required(MANAGER)
def sites() -> Any:
    """Every site: its devices, trips and transport (admins); a manager's units at each site."""
    # The page shows the lines and counts (a light page); the CSV has every figure.
    return _breakdown(
        "site",
        "estate.sites",
        pages.site_rows,
        ("total_kgco2e", *LINES, "interventions"),
        csv_codes=(*pages.BREAKDOWN, "interventions", "intervention_km", "transport_km"),
        manager_codes=pages.UNIT_SITE_CODES,
    )


@bp.get("/estate/sites.geojson")
@roles_required(MANAGER)
def sites_geojson() -> Response:
    """The sites of the sites page (a manager's: their units' sites) with coordinates, as GeoJSON (RFC 7946):
    what the map on request draws; the page's table gives the same figures."""
    seen = _visibility()
    view = _view()
    snapshot = services.latest_of_year(view.year) if view.year else None
    rows = pages.site_rows(snapshot, view.convention, "total", seen) if snapshot else []
    document = pages.sites_geojson(rows)
    response = jsonify(document)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/estate/categories")
@roles_required(MANAGER)
def categories() -> Any:
    """Every category: its devices, per employee, their age (admins); a manager's units' devices."""
    return _breakdown(
        "category",
        "estate.categories",
        pages.category_rows,
        (*pages.BREAKDOWN, "devices_per_employee", "average_age_years"),
        manager_codes=pages.UNIT_CATEGORY_CODES,
    )


@bp.get("/estate/devices")
@roles_required(MANAGER)
def devices() -> Any:
    """The fleet in service, filtered: oldest, past their lifetime, to return overdue, unmapped models."""
    seen = _visibility()
    device_filter = pages.DeviceFilter.from_args(request.args)
    statement = pages.devices_statement(device_filter, seen)
    if _wants_csv():
        rows = [
            [a.asset_tag, a.category, a.model_name, a.acquired_on, lifetime, a.status, a.model_estimated]
            for a, lifetime, _unit in db.session.execute(statement)
        ]
        return _csv(
            "estate-devices",
            ["asset_tag", "category", "model", "acquired_on", "lifetime_years", "status", "model_estimated"],
            rows,
        )
    size = _page_size()
    asked = page_number(request.args.get("page"))
    today = services.today_paris()

    def context() -> dict[str, Any]:
        total = db.session.scalar(pages.devices_statement(device_filter, seen, count=True)) or 0
        number = min(asked, max(1, -(-total // size)))
        items = list(db.session.execute(statement.limit(size).offset((number - 1) * size)))
        page = Page(items=items, number=number, size=size, total=total)
        return {
            "page": page,
            "device_filter": device_filter,
            "filters": pages.DEVICE_FILTERS,
            "today": today,
            "seen": seen,
        }

    return _page("devices", (device_filter, seen, asked, size, today), "estate/devices.html", context, frozen=False)


@bp.get("/estate/trips")
@roles_required(MANAGER)
def trips() -> Any:
    """Interventions and transfers of a year with their distances, vehicle and footprint, as frozen with the
    year's latest snapshot (admins: all; managers: the transport of their units' devices and the interventions at
    their people's sites)."""
    seen = _visibility()
    view = _view()
    year = view.year or services.today_paris().year
    if _wants_csv():
        snapshot = services.latest_of_year(year) if view.year else None
        interventions = pages.trips_statement(snapshot, seen, transport=False)
        transport = pages.trips_statement(snapshot, seen, transport=True)
        if request.args.get("table") == "transfers":
            return _csv(
                f"estate-transport-{year}",
                ["kind", "id", "day", "quantity", "one_way_km", "kgco2e", "estimated"],
                [
                    [t.kind, t.ref_id, t.day, t.quantity, t.one_way_km, t.kgco2e, t.estimated]
                    for t, _number in db.session.execute(transport)
                ],
            )
        return _csv(
            f"estate-trips-{year}",
            ["intervention_id", "number", "one_way_km", "vehicle_km", "vehicle", "kgco2e", "estimated"],
            [
                [t.ref_id, number, t.one_way_km, t.vehicle_km, t.vehicle, t.kgco2e, t.estimated]
                for t, number in db.session.execute(interventions)
            ],
        )
    size = _page_size()
    numbers = (page_number(request.args.get("page")), page_number(request.args.get("transport_page")))

    def context() -> dict[str, Any]:
        snapshot = services.latest_of_year(year) if view.year else None
        interventions = pages.trips_statement(snapshot, seen, transport=False)
        transport = pages.trips_statement(snapshot, seen, transport=True)
        return {
            "view": view,
            "year": year,
            "snapshot": snapshot,
            "years": services.shown_years(),
            "trips": paginate(interventions, number=numbers[0], size=size, rows=True),
            "transfers": paginate(transport, number=numbers[1], size=size, rows=True),
            "totals": pages.trip_totals(snapshot, seen),
            "detour": services.settings().detour_factor,
            "seen": seen,
        }

    return _page("trips", (view, year, seen, numbers, size), "estate/trips.html", context)


@bp.get("/estate/method")
@roles_required(MANAGER)
def method() -> str:
    """Every convention, factor and source; the indicators; the quality rules; the frozen months."""
    seen = _visibility()

    def context() -> dict[str, Any]:
        return {
            "indicators": services.indicators(),
            "factors": current_factors(),
            "seen": seen,
            "vehicles": VEHICLE_FACTORS,
            "months": services.snapshot_months()[:24],
            "settings": services.settings(),
            "title": _("How the estate's footprint is computed"),
        }

    # The factors are reference data: a new factor version renews the generation, so the page follows it.
    return _page("method", seen, "estate/method.html", context)

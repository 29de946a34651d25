"""Locator services on the database: finding points, returns, counters, the campaigns' totals, demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.catalogue.models import AssetStatus
from portal.locator import demo, services
from portal.locator.models import CollectionPoint, CollectionWeighing, DeviceReturn
from portal.locator.services import ReturnError, ReturnTotals, declare_return, returns_between
from portal.models import db
from portal.timezone import PARIS


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- finding ---------------------------------------------------------------------------------------------


def test_a_commune_is_located_at_its_point(points, communes):
    search = services.locate_place("begles", services.all_communes(), services.active_points())
    assert search.origin == services.Origin(44.8078, -0.548, "commune", "Bègles")
    assert [c.name for c in search.communes] == ["Bègles"]


def test_a_commune_without_point_is_located_at_its_centre(communes):
    search = services.locate_place("Bègles", services.all_communes(), [])
    assert (search.origin.lat, search.origin.lon) == (44.8016, -0.5478)


def test_an_unknown_place_gives_suggestions(communes):
    search = services.locate_place("Mérignaque", services.all_communes(), [])
    assert search.origin is None and search.communes == []
    assert search.suggestions[0] == "Mérignac"


def test_nearest_points_filter_and_sort(points):
    active = services.active_points()
    origin = services.Origin(44.8400, -0.5800, "position")
    results = services.nearest_points(active, origin, now=paris(2026, 12, 2, 10, 0), item="laptop")
    assert results[0].point.code == "33063"  # Bordeaux, Pey-Berland
    assert all(r.point.accepts("laptop") for r in results)
    assert [r.distance_km for r in results] == sorted(r.distance_km for r in results)
    assert results[0].distance_km < 0.5
    sunday = services.nearest_points(active, origin, now=paris(2026, 12, 6, 10, 0), open_now=True)
    assert sunday == []
    unsorted = services.nearest_points(active, None, now=paris(2026, 12, 2, 10, 0))
    assert [r.point.name for r in unsorted] == sorted(r.point.name for r in unsorted)
    assert {r.distance_km for r in unsorted} == {None}


def test_opening_status_skips_closure_dates_and_follows_summer_time(points):
    begles = points["33039"]  # mo-fr 08:30-12:30,13:30-17:30; sa 09:00-12:00; closed 25 Dec 2026
    christmas_eve = services.opening_status(begles, paris(2026, 12, 24, 17, 45))
    assert christmas_eve.opens_at == paris(2026, 12, 26, 9, 0)
    # Monday 30 March 2026, the day after the switch to summer time: 08:45 CEST is 06:45 UTC.
    assert services.opening_status(begles, datetime(2026, 3, 30, 6, 45, tzinfo=UTC)).is_open
    assert not services.opening_status(begles, datetime(2026, 3, 30, 6, 15, tzinfo=UTC)).is_open


def test_upcoming_closures_from_today(points):
    begles = points["33039"]
    assert services.upcoming_closures(begles, date(2026, 12, 26), limit=2) == [date(2027, 1, 1), date(2027, 3, 29)]


# --- returns --------------------------------------------------------------------------------------------


def test_declaring_an_asset_returns_it(points, make_user, make_asset):
    user = make_user()
    asset = make_asset(user, category="smartphone")
    now = paris(2026, 12, 2, 10, 0)
    recorded = declare_return(points["33039"], user=user, asset=asset, now=now)
    assert (recorded.item, recorded.quantity, recorded.declared_at) == ("smartphone", 1, now)
    assert asset.status == AssetStatus.RETURNED.value and asset.status_changed_at == now
    with pytest.raises(ReturnError, match="not_to_return"):
        declare_return(points["33039"], user=user, asset=asset)


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"owner": "other"}, "not_yours"),
        ({"status": AssetStatus.IN_USE.value}, "not_to_return"),
        ({"category": "monitor"}, "not_collected_here"),
        ({"point": "33004", "category": "laptop"}, "not_accepted"),  # Ambès takes no laptops
        ({"inactive": True}, "inactive_point"),
    ],
)
def test_assets_that_cannot_be_returned(points, make_user, make_asset, setup, reason):
    user, other = make_user(), make_user()
    asset = make_asset(
        other if setup.get("owner") == "other" else user,
        category=setup.get("category", "laptop"),
        status=setup.get("status", AssetStatus.TO_RETURN.value),
    )
    point = points[setup.get("point", "33039")]
    point.active = not setup.get("inactive", False)
    with pytest.raises(ReturnError) as problem:
        declare_return(point, user=user, asset=asset)
    assert problem.value.code == reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviceReturn)) == 0


@pytest.mark.parametrize(
    ("item", "quantity", "reason"),
    [
        ("fridge", 1, "unknown_item"),
        (None, 1, "unknown_item"),
        ("tablet", 0, "bad_quantity"),
        ("tablet", 21, "bad_quantity"),
    ],
)
def test_personal_devices_that_cannot_be_declared(points, make_user, item, quantity, reason):
    with pytest.raises(ReturnError) as problem:
        declare_return(points["33039"], user=make_user(), item=item, quantity=quantity)
    assert problem.value.code == reason


def test_cancel_and_confirm(points, make_user, make_asset):
    user, admin = make_user(), make_user(roles=("admin",))
    asset = make_asset(user)
    recorded = declare_return(points["33039"], user=user, asset=asset)
    services.cancel_return(recorded)
    assert asset.status == AssetStatus.TO_RETURN.value
    again = declare_return(points["33039"], user=user, asset=asset)
    assert services.confirm_receipt(again, admin=admin) is True
    assert services.confirm_receipt(again, admin=admin) is False
    with pytest.raises(ReturnError, match="already_received"):
        services.cancel_return(again)
    assert services.find_own_return(user, again.id) is again
    assert services.find_own_return(admin, again.id) is None


# --- counting -------------------------------------------------------------------------------------------


def test_returns_between_counts_devices_and_kilograms_in_the_period(points, make_user):
    user = make_user()
    begles, bordeaux = points["33039"], points["33063"]
    # 31 March 23:30 in Paris is 21:30 UTC: still March.
    declare_return(begles, user=user, item="smartphone", quantity=2, now=paris(2026, 3, 31, 23, 30))
    declare_return(begles, user=user, item="tablet", quantity=1, now=paris(2026, 4, 1, 0, 0))
    declare_return(bordeaux, user=user, item="laptop", quantity=1, now=paris(2026, 3, 10, 12, 0))
    declare_return(bordeaux, user=user, item="laptop", quantity=5, now=paris(2026, 2, 28, 23, 59))
    db.session.add_all(
        [
            CollectionWeighing(point=begles, collected_on=date(2026, 3, 1), weight_kg=Decimal("4.50")),
            CollectionWeighing(point=begles, collected_on=date(2026, 3, 31), weight_kg=Decimal("1.25")),
            CollectionWeighing(point=begles, collected_on=date(2026, 4, 1), weight_kg=Decimal("100")),
            CollectionWeighing(point=bordeaux, collected_on=date(2026, 3, 15), weight_kg=Decimal("10")),
        ]
    )
    db.session.flush()
    march = (paris(2026, 3, 1), paris(2026, 4, 1))
    assert returns_between(*march) == ReturnTotals(items=3, kg=Decimal("15.75"))
    assert returns_between(*march, commune_insees=["33039"]) == ReturnTotals(items=2, kg=Decimal("5.75"))
    assert returns_between(*march, commune_insees=[]) == ReturnTotals(items=0, kg=Decimal("0.00"))
    # The same period given in UTC.
    assert returns_between(datetime(2026, 2, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 31, 22, 0, tzinfo=UTC)) == (
        ReturnTotals(items=3, kg=Decimal("15.75"))
    )
    # A period ending at noon includes that day's weighings.
    assert returns_between(paris(2026, 4, 1), paris(2026, 4, 1, 12, 0)).kg == Decimal("100.00")
    with pytest.raises(ValueError, match="aware"):
        returns_between(datetime(2026, 3, 1), datetime(2026, 4, 1))


def test_statistics_by_point_and_commune(points, make_user):
    user, admin = make_user(), make_user()
    begles = points["33039"]
    first = declare_return(begles, user=user, item="smartphone", quantity=2)
    declare_return(begles, user=user, item="tablet", quantity=1)
    services.confirm_receipt(first, admin=admin)
    services.record_weighing(begles, weight_kg=Decimal("3.5"), collected_on=date(2026, 1, 5), admin=admin)
    services.record_weighing(points["33063"], weight_kg=Decimal("2"), collected_on=date(2026, 1, 5), admin=admin)
    by_point = services.statistics_by_point()
    assert by_point[begles.id] == services.PointStatistics(items=3, pending=1, kg=Decimal("3.50"))
    assert by_point[points["33063"].id] == services.PointStatistics(kg=Decimal("2.00"))
    # A second point in Bègles adds up in the commune's line.
    second = CollectionPoint(
        code="33039-b",
        commune_insee="33039",
        name="Médiathèque",
        address="Rue",
        postcode="33130",
        lat=Decimal("44.80"),
        lon=Decimal("-0.54"),
        hours="sa 10:00-12:00",
        accepted="smartphone",
    )
    db.session.add(second)
    db.session.flush()
    declare_return(second, user=user, item="smartphone", quantity=4)
    communes = {c.insee: c for c in services.statistics_by_commune()}
    assert len(communes) == 28
    assert (communes["33039"].points, communes["33039"].items, communes["33039"].kg) == (2, 7, Decimal("3.50"))
    assert communes["33039"].name == "Bègles"
    with pytest.raises(ValueError):
        services.record_weighing(begles, weight_kg=Decimal("0"), collected_on=date(2026, 1, 5), admin=admin)


# --- demo -----------------------------------------------------------------------------------------------


def test_demo_data_is_loaded_once(communes, make_user):
    for local in ("agent", "manager", "comms", "admin"):
        make_user(email=f"{local}@demo.example")
    first = demo.load_demo()
    assert first == {"collection points": 28, "device returns": 6, "weighings": 3}
    assert demo.load_demo() == {"collection points": 0, "device returns": 0, "weighings": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CollectionPoint)) == 28
    received = db.session.scalar(
        sa.select(sa.func.count()).select_from(DeviceReturn).where(DeviceReturn.received_at.is_not(None))
    )
    assert received == 3


def test_the_list_filters_are_read_from_the_query_string_and_never_fail():
    from werkzeug.datastructures import MultiDict

    from portal.locator.services import PointFilters

    filters = PointFilters.from_args(MultiDict({"q": " begles " + "x" * 200, "item": "laptop", "open": "1",
                                                "lat": "44.8", "lon": "-0.5"}))
    assert (filters.query[:6], len(filters.query), filters.item, filters.open_now) == ("begles", 100, "laptop", True)
    assert filters.query_args()["lat"] is None  # a typed place wins over a position
    unknown = PointFilters.from_args(MultiDict({"item": "toaster", "open": "yes please"}))
    assert (unknown.item, unknown.unknown_item, unknown.open_now) == ("", True, False)
    assert PointFilters.from_args(MultiDict()).query_args() == dict.fromkeys(("q", "lat", "lon", "item", "open"))

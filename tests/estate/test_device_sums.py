"""The devices' lines added up per scope over the columns at once, against a plain computation device by device on
a random small estate: periods across year boundaries, retirements before acquisition or without a date,
devices without unit or site, refurbished and estimated models, models without a lifetime, missing costs."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import numpy as np
import pytest
import sqlalchemy as sa

from portal.catalogue.models import Asset, AssetStatus
from portal.estate import compute
from portal.estate.compute import (
    GONE,
    ORG,
    UNIT_CATEGORY,
    UNIT_SITE,
    Factors,
    Ledger,
    ModelInputs,
    _add_devices,
    current_factors,
    device_rows,
    model_weights,
    unit_ancestors,
)
from portal.footprint.estate import Convention, Period, days_counted, lifetime_days
from portal.models import db
from portal.timezone import PARIS

PERIODS = (
    Period.whole_year(2024),
    Period(2025, date(2025, 1, 2)),  # the first of January only
    Period.to_month_end(2025, 1),
    Period.to_month_end(2025, 6),
    Period.whole_year(2026),
)
FIRST_DAY = date(2022, 6, 1)
SPAN = (date(2026, 12, 31) - FIRST_DAY).days
#: Days the random dates are drawn to more often: year ends and starts, the ends of the periods.
EDGES = (date(2023, 12, 31), date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2), date(2025, 7, 1))
INTEGERS = ("service_days", "in_service", "age_days", "retired", "retired_life_days", "acquired")
INTEGERS += ("acquired_refurbished",)
DECIMALS = ("embodied_amortised", "embodied_acquisition", "use", "estimated_amortised", "estimated_acquisition")
DECIMALS += ("acquired_eur", "acquired_refurbished_eur")


def _day(rng: random.Random) -> date:
    return rng.choice(EDGES) if rng.random() < 0.2 else FIRST_DAY + timedelta(days=rng.randrange(SPAN))


@pytest.fixture
def random_estate(make_org_unit, make_site, make_user, make_item):
    """~150 devices drawn at random (fixed seed) over four units, three sites and five models."""
    rng = random.Random(18)  # noqa: S311 - reproducible test data
    direction = make_org_unit(kind="direction")
    service = make_org_unit(parent_id=direction.id)
    team = make_org_unit(parent_id=service.id)
    other = make_org_unit(kind="direction")
    sites = [make_site(), make_site(commune_insee="33281"), make_site()]
    users = [
        make_user(org_unit_id=unit.id if unit else None, site_id=site.id if site else None)
        for unit in (direction, service, team, other, None)
        for site in (sites[0], sites[1], None)
    ]
    items = [
        make_item(),
        make_item(refurbished=True, price_eur=D("412.37")),
        make_item(lifetime_years=None, annual_kwh=None, quality="estimated"),
        make_item(category="monitor", lifetime_years=D("6.5"), price_eur=D("189.99")),
        make_item(category="smartphone", refurbished=True, fabrication_kgco2e=D("55.1234")),
    ]
    for n in range(150):
        item = rng.choice([*items, None])
        acquired = _day(rng)
        values = {
            "asset_tag": f"R{n:05d}",
            "item_id": item.id if item else None,
            "category": item.category if item else rng.choice(["laptop", "monitor"]),
            "model_name": rng.choice(["", "Ancien modèle", item.name if item else "Inconnu"]),
            "user_id": rng.choice(users).id if rng.random() < 0.85 else None,
            "site_id": rng.choice(sites).id if rng.random() < 0.3 else None,
            "acquired_on": acquired,
            "status": AssetStatus.IN_USE.value,
            "model_estimated": rng.random() < 0.15,
            "cost_eur": rng.choice([None, None, D(0), D(rng.randrange(1, 200_000)) / 100]),
        }
        kind = rng.random()
        if kind < 0.3:  # retired at some later day (or the same)
            values["retired_on"] = acquired + timedelta(days=rng.randrange(0, 1500))
            values["status"] = rng.choice(GONE)
        elif kind < 0.38:  # retired before it arrived
            values["retired_on"] = acquired - timedelta(days=rng.randrange(1, 400))
            values["status"] = AssetStatus.RETIRED.value
        elif kind < 0.5:  # gone without a date: its status change counts, in Paris (late evening UTC included)
            changed = acquired + timedelta(days=rng.randrange(0, 1200))
            values["status"] = rng.choice(GONE)
            values["status_changed_at"] = datetime(changed.year, changed.month, changed.day, 23, 30, tzinfo=UTC)
        elif kind < 0.55:
            values["status"] = AssetStatus.ON_ORDER.value
        elif kind < 0.65:
            values["status"] = AssetStatus.TO_RETURN.value
        db.session.add(Asset(**values))
    db.session.commit()


def _by_hand(period: Period, factors: Factors) -> dict[tuple[str, str], dict[str, D | int]]:
    """Each scope's sums, device by device through the pure core's day count."""
    references = factors.factor_set.references  # type: ignore[attr-defined]
    chains = unit_ancestors()
    sums: dict[tuple[str, str], dict[str, D | int]] = defaultdict(lambda: defaultdict(int))
    year_days = period.year_days
    for asset in db.session.scalars(sa.select(Asset)):
        if asset.status == AssetStatus.ON_ORDER.value:
            continue
        retired = asset.retired_on
        if retired is None and asset.status in GONE:
            retired = asset.status_changed_at.astimezone(PARIS).date()
        if retired is not None and retired < asset.acquired_on:
            retired = asset.acquired_on
        if asset.acquired_on >= period.end or (retired is not None and retired < period.start):
            continue
        item, reference = asset.item, references[asset.category]
        embodied = item.embodied_kgco2e if item else reference.embodied.value
        lifetime = item.lifetime_years if item and item.lifetime_years else reference.lifetime_years.value
        kwh = item.annual_kwh if item and item.annual_kwh is not None else reference.annual_kwh.value
        estimated = asset.model_estimated or item is None or item.result_quality == "estimated"
        refurbished = bool(item and item.refurbished)
        service, amortised = days_counted(asset.acquired_on, retired, lifetime_days(lifetime), period)
        arrived = asset.acquired_on >= period.start
        in_service = retired is None or retired >= period.end
        cost = asset.cost_eur if asset.cost_eur is not None else (item.price_eur if item else None)
        lines = {
            "embodied_amortised": embodied / lifetime * amortised / year_days,
            "embodied_acquisition": embodied if arrived else D(0),
            "use": kwh * factors.electricity * service / year_days,
        }
        device: dict[str, D | int] = {
            **lines,
            "estimated_amortised": lines["embodied_amortised"] + lines["use"] if estimated else D(0),
            "estimated_acquisition": lines["embodied_acquisition"] + lines["use"] if estimated else D(0),
            "service_days": service,
            "in_service": int(in_service),
            "age_days": (period.end - asset.acquired_on).days - 1 if in_service else 0,
            "retired": 0 if in_service else 1,
            "retired_life_days": 0 if in_service else (retired - asset.acquired_on).days,  # type: ignore[operator]
            "acquired": int(arrived),
            "acquired_refurbished": int(arrived and refurbished),
            "acquired_eur": cost if arrived and cost else D(0),
            "acquired_refurbished_eur": cost if arrived and cost and refurbished else D(0),
        }
        unit = asset.user.org_unit_id if asset.user else None
        site = asset.site_id or (asset.user.site_id if asset.user else None)
        units = chains.get(unit, ()) if unit is not None else ()
        scopes = [ORG, ("category", asset.category)]
        scopes += [("unit", str(u)) for u in units] + [(UNIT_CATEGORY, f"{u}:{asset.category}") for u in units]
        if site is not None:
            scopes += [("site", str(site))] + [(UNIT_SITE, f"{u}:{site}") for u in units]
        for scope in scopes:
            for name, value in device.items():
                sums[scope][name] += value
        model = sums[("model", item.name if item and item.name else asset.model_name)]
        for name in ("embodied_amortised", "embodied_acquisition", "use", "in_service", "service_days"):
            model[name] += device[name]
    return sums


def _computed(period: Period, factors: Factors) -> dict[tuple[str, str], dict[str, D | int]]:
    ledger = Ledger()
    _add_devices(ledger, period, factors, unit_ancestors(), device_rows(factors))
    amortised, acquisition = Convention.AMORTISED.value, Convention.ACQUISITION.value
    sums: dict[tuple[str, str], dict[str, D | int]] = {}
    for scope, t in ledger.items():
        figures: dict[str, D | int] = {
            "embodied_amortised": t.embodied[amortised],
            "embodied_acquisition": t.embodied[acquisition],
            "use": t.use,
            "in_service": t.in_service,
            "service_days": t.device_years * period.year_days,
        }
        if scope[0] != "model":
            figures |= {
                "estimated_amortised": t.estimated[amortised],
                "estimated_acquisition": t.estimated[acquisition],
                "age_days": t.age_days,
                "retired": t.retired,
                "retired_life_days": t.retired_life_days,
                "acquired": t.acquired,
                "acquired_refurbished": t.acquired_refurbished,
                "acquired_eur": t.acquired_eur,
                "acquired_refurbished_eur": t.acquired_refurbished_eur,
            }
        sums[scope] = figures
    return sums


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.year}-to-{p.end}")
def test_the_column_sums_are_the_device_by_device_sums(random_estate, period):
    factors = current_factors()
    expected, computed = _by_hand(period, factors), _computed(period, factors)
    assert set(computed) == set(expected)  # the same scopes: only those with a device in service in the period
    assert len(computed) > 20
    for scope, figures in computed.items():
        for name, value in figures.items():
            wanted = expected[scope][name]
            if name in INTEGERS and name != "service_days":
                assert value == wanted, (scope, name)
            else:  # the same sums, rounded in another order (28 significant digits)
                assert abs(D(value) - D(wanted)) < D("1e-18"), (scope, name, value, wanted)
    assert expected[ORG]["retired"] and expected[ORG]["acquired_refurbished"] and expected[ORG]["acquired_eur"]


def test_the_sums_of_a_huge_estate_are_python_integers_and_the_same(random_estate, monkeypatch):
    factors = current_factors()
    period = Period.whole_year(2024)
    devices = device_rows(factors)
    assert model_weights(devices.inputs, len(devices)).dtype is np.int64
    expected = _computed(period, factors)
    monkeypatch.setattr(compute, "INT64_SAFE", 0)  # as if the estate's sums could overflow 64 bits
    assert model_weights(devices.inputs, len(devices)).dtype is object
    assert _computed(period, factors) == expected


def test_model_weights_keep_every_decimal():
    inputs = [
        ModelInputs(D("212.5"), D("5"), 1826, D("31.2471"), estimated=False, refurbished=False),
        ModelInputs(D("0.000123456"), D("4.50"), 1643, D("0"), estimated=True, refurbished=True),
        ModelInputs(D("1E+3"), D("5.00"), 1826, D("12"), estimated=False, refurbished=False),
    ]
    weights = model_weights(inputs, 10)
    assert weights.embodied_scale == 9 and weights.kwh_scale == 4
    assert weights.embodied.tolist() == [212_500_000_000, 123_456, 1_000_000_000_000]
    assert weights.kwh.tolist() == [312_471, 0, 120_000]
    assert weights.lifetimes == [D(5), D("4.5")] and weights.lifetime.tolist() == [0, 1, 0]  # 5 and 5.00: one
    assert weights.estimated.tolist() == [False, True, False] and weights.refurbished.tolist() == [False, True, False]


def test_the_columns_read_each_device_once_sorted_by_acquisition(random_estate):
    devices = device_rows(current_factors())
    counted = db.session.scalar(sa.select(sa.func.count(Asset.id)).where(Asset.status != AssetStatus.ON_ORDER.value))
    assert len(devices) == counted
    assert devices.acquired.tolist() == sorted(devices.acquired.tolist())
    assert (devices.retired >= devices.acquired).all() and (devices.amortised_end <= devices.retired).all()
    assert {leaf[0] for leaf in devices.leaves} >= {None} and {leaf[1] for leaf in devices.leaves} >= {None}

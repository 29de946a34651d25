"""The demo's five years: the year on year and the waterfall have something true to say from `make run`."""

from __future__ import annotations

from decimal import Decimal

from portal.estate import services
from portal.models import db

ORG = ("org", "")


def test_the_demo_freezes_five_years_with_a_reference_year_and_a_factor_change(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "estate snapshots:" in result.output
    db.session.rollback()
    today = services.today_paris()
    years = services.snapshot_years()
    assert years[0] == today.year and years[-1] == 2022
    assert services.settings().reference_year == 2022

    refurbished = [services.indicator_value("refurbished_share_count_pct", y) or Decimal(0) for y in (2022, 2024)]
    assert refurbished[0] < refurbished[1]  # more refurbished purchases each year
    lifetimes = [services.indicator_value("average_lifetime_retired_years", y) for y in (2023, 2025)]
    assert lifetimes[0] < lifetimes[1]  # devices kept longer
    assert services.indicator_value("interventions", 2022) > services.indicator_value("interventions", 2025)

    current = services.year_figures(today.year, ORG, "amortised")
    basis = services.movement_basis(current, ORG, "amortised")
    moved = services.movement(basis, ORG, "amortised")
    if today.month > 1:
        assert moved.previous_frozen
        assert moved.steps.factors_kgco2e < 0  # the lower electricity factor, like for like
    assert moved.steps.start_kgco2e + sum(v for _, v in moved.steps.steps) == moved.steps.end_kgco2e

    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "estate snapshots: 0" in again.output

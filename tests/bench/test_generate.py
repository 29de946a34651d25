"""The load-test generator fills a metropolis of any headcount, in the proportions of the full-scale one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from bench.activity import CAMPAIGN_NAME
from bench.generate import generate
from portal import create_app
from portal.accounts.models import User
from portal.campaigns.models import Campaign, Participation, StorageSnapshot
from portal.catalogue.models import Asset, Order
from portal.demo.services import EMPLOYEE_COUNT, load_demo
from portal.locator.models import DeviceReturn
from portal.models import db
from tests.conftest import ROOT, app_config

GENERATED = "%@load.example"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the demo, as the generator's first step leaves it (copied for each run:
    loading the demo is most of a small run's time, and the generator's `load_demo` then finds it complete)."""
    folder = tmp_path_factory.mktemp("bench-demo")
    app = create_app(app_config(f"sqlite:///{folder / 'demo.db'}", folder))
    with app.app_context():
        upgrade(revision="heads")
        load_demo()
        db.session.commit()
        db.engine.dispose()
    return folder / "demo.db"


def _count(statement: sa.Select) -> int:
    return db.session.scalar(statement) or 0


@pytest.mark.parametrize("headcount", [1, 2, 7, 50, 301, 3000])
def test_every_headcount_is_generated_in_full_scale_proportions(demo_database, tmp_path, headcount):
    shutil.copy(demo_database, tmp_path / "bench.db")
    app = create_app(app_config(f"sqlite:///{tmp_path / 'bench.db'}", tmp_path))
    with app.app_context():
        generate(employees=headcount)

        employees = max(headcount, EMPLOYEE_COUNT)  # the demo's employees are always there
        generated = employees - EMPLOYEE_COUNT
        assert _count(sa.select(sa.func.count(User.id))) == employees
        assert _count(sa.select(sa.func.count(User.id)).where(User.email.like(GENERATED))) == generated
        assert _count(sa.select(sa.func.count(Asset.id)).where(Asset.asset_tag.like("LD%"))) == 3 * generated
        orders = sa.select(sa.func.count(Order.id)).join(User, Order.requester_id == User.id)
        assert _count(orders.where(User.email.like(GENERATED))) == (headcount // 10 if generated else 0)

        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == CAMPAIGN_NAME))
        assert campaign.goal_gb == employees * Decimal("2.5")
        participants = _count(
            sa.select(sa.func.count()).select_from(Participation).where(Participation.campaign_id == campaign.id)
        )
        assert participants == min(generated, employees // 2)  # one employee in two, from the generated ones
        snapshots = sa.select(sa.func.count(StorageSnapshot.id)).join(User, StorageSnapshot.user_id == User.id)
        assert _count(snapshots.where(User.email.like(GENERATED))) == 6 * participants  # 3 sources, before/after
        returns = sa.select(sa.func.count(DeviceReturn.id)).join(User, DeviceReturn.user_id == User.id)
        assert _count(returns.where(User.email.like(GENERATED))) == (employees // 4 if generated else 0)
        db.engine.dispose()


def test_the_command_refuses_a_headcount_below_one_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--employees", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--employees must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr
